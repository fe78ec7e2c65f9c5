import type { OnnxModel } from '@quant-trim/onnx-export';

/** ONNX `metadata_props` key holding the weight width each layer trained against: JSON `{ "<layer>": bits }`. */
export const TRAINED_WEIGHT_BITS_KEY = 'quant_trim.trained_weight_bits';

const WEIGHTED_OPS = new Set(['Conv', 'Gemm', 'MatMul']);

/**
 * The weight width each Conv / Gemm / MatMul of an exported checkpoint trained against, from its
 * metadata (`TRAINED_WEIGHT_BITS_KEY`, written by the export of a QAT or Quant-Trim checkpoint):
 * the exporter names a layer's nodes `<layer>/<op>`. Undefined for a model without it (an FP
 * checkpoint, another tool's export). Given to backend-eval as `trainedWeightBits`, so
 * mixed-precision profiles deploy each layer at the width it trained for, and the others say
 * which layers they force to their own width.
 *
 * @example
 * trainedWeightBits(readOnnx(bytes)); // { 'conv1/Conv': 4, 'conv2/Conv': 8, 'head/Gemm': 8 }
 */
export function trainedWeightBits(model: OnnxModel): Record<string, number> | undefined {
  const text = model.metadata[TRAINED_WEIGHT_BITS_KEY];
  if (text === undefined) return undefined;
  let byLayer: unknown;
  try {
    byLayer = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (typeof byLayer !== 'object' || byLayer === null) return undefined;
  const widths = byLayer as Record<string, unknown>;
  const out: Record<string, number> = {};
  for (const node of model.graph.nodes) {
    if (!WEIGHTED_OPS.has(node.opType) || node.name === '') continue;
    const bits = widths[node.name.split('/')[0]!];
    if (typeof bits === 'number' && Number.isInteger(bits) && bits > 0) out[node.name] = bits;
  }
  return Object.keys(out).length > 0 ? out : undefined;
}
