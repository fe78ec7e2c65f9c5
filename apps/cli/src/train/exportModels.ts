import * as tf from '@tensorflow/tfjs';
import { stripQuantization, type QuantizedModel } from '@quant-trim/fake-quant';
import { exportOnnx, type ExportedModel } from '@quant-trim/onnx-export';
import { diagnoseWeights } from '@quant-trim/reverse-prune';
import type { WeightHistogram } from '../report/types.js';
import { TRAINED_WEIGHT_BITS_KEY } from './trainedWidths.js';

/**
 * The same model without the training softmax (`withSoftmax` in trainMethod): a functional model
 * sharing its layers, whose output is the logits. Models without it are returned as they are.
 */
export function logitsModel(model: tf.LayersModel): tf.LayersModel {
  const last = model.layers.at(-1);
  if (last?.name !== 'softmax' || last.getClassName() !== 'Activation') return model;
  return tf.model({ inputs: model.inputs, outputs: last.input as tf.SymbolicTensor, name: `${model.name}_logits` });
}

export interface ExportedCheckpoint {
  /** The hardware-neutral float checkpoint (tfjs, logits out). The caller disposes it. */
  readonly float: tf.LayersModel;
  /** The fake-quant model with logits out (shares the quantized model's layers), what the QDQ export was made from. */
  readonly quantizedLogits: tf.LayersModel;
  /** FP32 ONNX (logits out; NHWC input unless `inputLayout` asked for NCHW). */
  readonly fp32: ExportedModel;
  /** QDQ ONNX with the trained grids and observed activation ranges (not for FP). */
  readonly qdq?: ExportedModel;
}

/**
 * Strips fake quantization and exports FP32 (and, for quantized methods, QDQ) ONNX with logits
 * outputs. The weight width each layer trained against goes into the ONNX metadata
 * (`TRAINED_WEIGHT_BITS_KEY`), so `eval` and `compare` deploy each layer at it where a profile allows.
 */
export function exportCheckpoint(quantized: QuantizedModel, options: { qdq: boolean; opset?: number; inputLayout?: 'NCHW' | 'NHWC' }): ExportedCheckpoint {
  const float = logitsModel(stripQuantization(quantized).model);
  const trained = Object.fromEntries(
    quantized.layers.filter((l) => l.status === 'quantized' && l.weightBits !== undefined).map((l) => [l.name, l.weightBits!]),
  );
  const metadata = Object.keys(trained).length > 0 ? { metadata: { [TRAINED_WEIGHT_BITS_KEY]: JSON.stringify(trained) } } : {};
  const common = {
    ...(options.opset !== undefined ? { opset: options.opset } : {}),
    ...(options.inputLayout !== undefined ? { inputLayout: options.inputLayout } : {}),
    ...metadata,
  };
  const fp32 = exportOnnx(float, { format: 'fp32', ...common });
  const quantizedLogits = logitsModel(quantized.model);
  const qdq = options.qdq ? exportOnnx(quantizedLogits, { format: 'qdq', ...common }) : undefined;
  return { float, quantizedLogits, fp32, ...(qdq !== undefined ? { qdq } : {}) };
}

const BINS = 40;

/**
 * Per-layer kernel histograms before trimming (the master weights) and after (what the
 * checkpoint deploys), on shared edges, with reverse-prune's scale-inflation factor
 * (max|w| / 99th percentile of |w|) of each.
 */
export function weightHistograms(quantized: QuantizedModel): WeightHistogram[] {
  const master = stripQuantization(quantized, { applyWeightTransform: false }).model;
  const deployed = stripQuantization(quantized).model;
  const out: WeightHistogram[] = [];
  try {
    for (const layer of master.layers) {
      const kernel = layer.weights.find((w) => /kernel$/.test(w.originalName) && w.shape.length >= 2);
      const other = deployed.getLayer(layer.name).weights.find((w) => w.originalName === kernel?.originalName);
      if (kernel === undefined || other === undefined) continue;
      const before = kernel.read().dataSync() as Float32Array;
      const after = other.read().dataSync() as Float32Array;
      let lo = Infinity;
      let hi = -Infinity;
      for (const v of before) {
        lo = Math.min(lo, v);
        hi = Math.max(hi, v);
      }
      if (!(hi > lo)) continue;
      const edges = Array.from({ length: BINS + 1 }, (_, i) => lo + ((hi - lo) * i) / BINS);
      const count = (values: Float32Array) => {
        const c = new Array<number>(BINS).fill(0);
        for (const v of values) c[Math.min(BINS - 1, Math.max(0, Math.floor(((v - lo) / (hi - lo)) * BINS)))]!++;
        return c;
      };
      const d = diagnoseWeights(before, kernel.shape as number[], { trimmed: after });
      out.push({
        layer: layer.name,
        edges,
        before: count(before),
        after: count(after),
        scaleInflationBefore: d.scaleInflation ?? 0,
        scaleInflationAfter: d.after?.scaleInflation ?? d.scaleInflation ?? 0,
      });
    }
  } finally {
    master.dispose();
    deployed.dispose();
  }
  return out;
}
