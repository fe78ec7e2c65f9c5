import { type OnnxModel, type OnnxNode, inferShapes, topologicalOrder } from '@quant-trim/onnx-export';
import { nodeNames } from '../compile/nodeNames.js';

/** Multiply-accumulates of one node for one sample (batch 1). */
export interface NodeMacs {
  /** Node name, or `<opType>_<graph index>` when the node has none (the name compilation gives it, so coverage entries match). */
  readonly node: string;
  readonly opType: string;
  /** 0 for element-wise and data-movement ops, and for MAC ops whose shapes are unknown (see `warnings`). */
  readonly macs: number;
  /** Elements of the node's initializer inputs (weights, biases, constants). */
  readonly weightElements: number;
  /** Elements of the node's outputs for one sample; 0 when unknown. */
  readonly outputElements: number;
}

export interface MacCount {
  /** In topological order. */
  readonly nodes: readonly NodeMacs[];
  readonly totalMacs: number;
  /** Nodes whose shapes (or op) could not be counted; their MACs are 0. */
  readonly warnings: readonly string[];
}

export interface CountMacsOptions {
  /** Shape of the first graph input, batch dimension included (give batch 1). */
  inputShape?: readonly number[];
}

type Shapes = Map<string, number[] | undefined>;

/** Ops that carry MACs this counter does not model; they count 0 with a warning. */
const UNCOUNTED_MAC_OPS = new Set([
  'ConvTranspose',
  'ConvInteger',
  'MatMulInteger',
  'QLinearConv',
  'QLinearMatMul',
  'Einsum',
  'LSTM',
  'GRU',
  'RNN',
  'Attention',
]);

const product = (dims: readonly number[]) => dims.reduce((a, b) => a * b, 1);

/**
 * Counts multiply-accumulates per node for one sample, from static shapes (`inferShapes` of
 * `@quant-trim/onnx-export`):
 * - Conv (incl. grouped / depthwise): N·Cout·Hout·Wout·(Cin/group)·kh·kw (any spatial rank);
 * - Gemm: M·N·K (transA/transB honoured); MatMul: output elements × the inner dimension;
 * - every other op: 0 MACs, with its output elements (element-wise work, pools, reshapes).
 * Bias additions are not counted as MACs.
 *
 * Symbolic input dimensions at position 0 (batch) are set to 1; `inputShape` overrides the first
 * graph input's shape. Fixed dimensions are taken as declared: a first input whose leading
 * dimension is a fixed B > 1 adds a warning (the counts are then for that whole input, as dim 0 is
 * not necessarily a batch).
 * A node whose shapes are unknown (an op `inferShapes` does not cover, or anything downstream of
 * it, or a symbolic non-batch dimension) counts 0 MACs and adds a warning; it never throws for that.
 *
 * @throws QuantTrimError `QT_ONNX_INVALID_GRAPH` when known shapes conflict (from `inferShapes`).
 * @example
 * const { nodes, totalMacs } = countMacs(readOnnx(bytes), { inputShape: [1, 3, 224, 224] });
 */
export function countMacs(model: OnnxModel, options: CountMacsOptions = {}): MacCount {
  const inputShapes = batchOneInputShapes(model, options.inputShape);
  const shapes = inferShapes(model, { inputShapes });
  const warnings: string[] = [];
  const lead = firstInputLeadingDim(model, inputShapes);
  if (lead.size > 1)
    warnings.push(`input ${lead.name}: leading dimension is ${lead.size}; counts are for the input as declared, not per sample (pass inputShape with batch 1)`);
  const names = nodeNames(model);
  const nodes = topologicalOrder(model.graph).map((node) => countNode(model, node, names.get(node) ?? node.name, shapes, warnings));
  return { nodes, totalMacs: nodes.reduce((sum, n) => sum + n.macs, 0), warnings };
}

/** Static shapes for graph inputs: `inputShape` for the first, symbolic batch → 1 for the others. */
export function batchOneInputShapes(model: OnnxModel, inputShape: readonly number[] | undefined): Record<string, readonly number[]> {
  const out: Record<string, readonly number[]> = {};
  const inputs = model.graph.inputs.filter((i) => !model.graph.initializers.has(i.name));
  inputs.forEach((input, i) => {
    if (i === 0 && inputShape) {
      out[input.name] = inputShape;
      return;
    }
    const dims = input.shape;
    if (!dims || dims.length === 0 || typeof dims[0] === 'number') return;
    const rest = dims.slice(1);
    if (rest.every((d): d is number => typeof d === 'number' && d >= 0)) out[input.name] = [1, ...rest];
  });
  return out;
}

function firstInputLeadingDim(model: OnnxModel, inputShapes: Record<string, readonly number[]>): { name: string; size: number } {
  const first = model.graph.inputs.find((i) => !model.graph.initializers.has(i.name));
  if (!first) return { name: '', size: 1 };
  const dim = inputShapes[first.name]?.[0] ?? first.shape?.[0];
  return { name: first.name, size: typeof dim === 'number' ? dim : 1 };
}

function countNode(model: OnnxModel, node: OnnxNode, label: string, shapes: Shapes, warnings: string[]): NodeMacs {
  const outputs = node.outputs.filter((o) => o !== '').map((o) => shapes.get(o));
  const known = outputs.length > 0 && outputs.every((s) => s !== undefined);
  const outputElements = known ? outputs.reduce((sum, s) => sum + product(s!), 0) : 0;
  let macs = 0;
  if (UNCOUNTED_MAC_OPS.has(node.opType)) {
    warnings.push(`${label} (${node.opType}): MACs of this op are not modelled; counted as 0`);
  } else if (!known) {
    warnings.push(`${label} (${node.opType}): output shape unknown; counted as 0 MACs and 0 output elements`);
  } else {
    const counted = macsOf(node, shapes);
    if (counted === undefined) warnings.push(`${label} (${node.opType}): input shapes unknown; counted as 0 MACs`);
    else macs = counted;
  }
  return { node: label, opType: node.opType, macs, weightElements: weightElements(model, node), outputElements };
}

/** MACs as declared; undefined when a needed shape is unknown; 0 for ops without MACs. */
function macsOf(node: OnnxNode, shapes: Shapes): number | undefined {
  const shape = (i: number) => (node.inputs[i] ? shapes.get(node.inputs[i]!) : undefined);
  const y = node.outputs[0] ? shapes.get(node.outputs[0]) : undefined;
  if (node.domain !== '' && node.domain !== 'ai.onnx') return 0;
  switch (node.opType) {
    case 'Conv':
      return convMacs(shape(1), y);
    case 'Gemm':
      return gemmMacs(node, shape(0), y);
    case 'MatMul':
      return matMulMacs(shape(0), y);
    default:
      return 0;
  }
}

/** Output elements × one output element's window: (Cin/group)·k1·k2·… = product of the weight's dims after Cout. */
function convMacs(w: number[] | undefined, y: number[] | undefined): number | undefined {
  if (!w || !y) return undefined;
  return product(y) * product(w.slice(1));
}

function gemmMacs(node: OnnxNode, a: number[] | undefined, y: number[] | undefined): number | undefined {
  if (!a || !y || a.length !== 2) return undefined;
  const transA = node.attributes.transA;
  const k = transA?.type === 'int' && transA.value !== 0 ? a[0]! : a[1]!;
  return product(y) * k;
}

function matMulMacs(a: number[] | undefined, y: number[] | undefined): number | undefined {
  if (!a || !y || a.length === 0) return undefined;
  return product(y) * a[a.length - 1]!;
}

function weightElements(model: OnnxModel, node: OnnxNode): number {
  let total = 0;
  for (const name of node.inputs) {
    const t = name !== '' ? model.graph.initializers.get(name) : undefined;
    if (t) total += product(t.dims);
  }
  return total;
}
