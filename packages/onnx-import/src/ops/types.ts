import type { OnnxNode } from '@quant-trim/onnx-export';
import type { ImportContext } from '../build/ImportContext.js';

/**
 * How one ONNX op becomes tfjs layers. `check` runs for every node before any layer is built and
 * returns why this node cannot be imported (so the error lists every problem at once, and a
 * failed import never leaves a partial model); `convert` then builds the layers.
 */
export interface OpConverter {
  /** How many leading inputs are tensors of the graph; the rest must be constants (default 1; 'all' for variadic ops). */
  readonly dynamicInputs?: number | 'all';
  check?(node: OnnxNode, ctx: ImportContext): string | undefined;
  convert(node: OnnxNode, ctx: ImportContext): void;
}
