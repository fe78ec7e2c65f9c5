import type { OnnxModel } from '@quant-trim/onnx-export';
import { defaultRegistry, type SchemeName } from '@quant-trim/quant-grid';
import { weightSchemeFor } from '../config/index.js';
import type { SchemeChoice } from '../train/trainMethod.js';

const WEIGHTED_OPS = new Set(['Conv', 'Gemm', 'MatMul']);

/**
 * The weight width each Conv / Gemm / MatMul of an exported checkpoint was trained for, when the
 * scheme sets per-layer presets (`scheme.layers`): the exporter names a layer's nodes
 * `<layer>/<op>`, and the layer's preset is the first matching pattern (as in training). Undefined
 * when every layer trained at the base width. Given to backend-eval as `trainedWeightBits`, so
 * mixed-precision profiles deploy each layer at the width it was trained for.
 *
 * @example
 * trainedWeightBits(readOnnx(bytes), { weights: 'int8-sym-per-channel', activations: 'uint8-asym-per-tensor', layers: { 'conv*': 'int4-sym-per-channel' } });
 * // { 'conv1/Conv': 4, 'conv2/Conv': 4, 'dense/Gemm': 8 }
 */
export function trainedWeightBits(model: OnnxModel, scheme: SchemeChoice): Record<string, number> | undefined {
  const layers = Object.entries(scheme.layers ?? {});
  if (layers.length === 0) return undefined;
  const resolved = { weights: scheme.weights, activations: scheme.activations, layers };
  const out: Record<string, number> = {};
  for (const node of model.graph.nodes) {
    if (!WEIGHTED_OPS.has(node.opType) || node.name === '') continue;
    const layer = node.name.split('/')[0]!;
    out[node.name] = defaultRegistry.scheme(weightSchemeFor(resolved, layer) as SchemeName).bits;
  }
  return out;
}
