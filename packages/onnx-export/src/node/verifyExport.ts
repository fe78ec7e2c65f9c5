import * as tf from '@tensorflow/tfjs';
import * as ort from 'onnxruntime-node';
import { QuantTrimError } from '@quant-trim/internal';
import { readOnnx } from '../graph/readOnnx.js';
import type { OnnxModel } from '../graph/types.js';

export interface VerifyOptions {
  /** FP32 exports: maximum |onnx − tfjs| / max|tfjs| allowed. Default 1e-4. */
  maxRelativeError?: number;
  /**
   * QDQ exports: the output quantization step (default: the scale of the DequantizeLinear that
   * produces the output). At least 99.9 % of outputs must lie within one step and the top-1
   * agreement must reach 99.5 %.
   */
  step?: number;
  /** ORT graph optimisation level. Default 'all' (what deployments run). */
  graphOptimizationLevel?: 'disabled' | 'basic' | 'extended' | 'all';
}

export interface VerifyResult {
  ok: boolean;
  /** max |onnx − tfjs| over all outputs and samples, divided by max |tfjs|. */
  maxRelativeError: number;
  maxAbsoluteError: number;
  /** Share of samples whose arg-max over the last axis agrees (first output). */
  top1Agreement: number;
  samples: number;
  /** 'fp32' or 'qdq', from the export's metadata. */
  format: string;
  /** QDQ: the output quantization step and the share of outputs within one step of tfjs. */
  step?: number;
  withinOneStep?: number;
}

/**
 * Runs an exported model in onnxruntime-node on `samples` and compares it with the tfjs model it
 * came from: FP32 exports must agree within a relative error of 1e-4; QDQ exports (compared with
 * the fake-quant model at λ = 1) must put ≥ 99.9 % of outputs within one output quantization step
 * and agree on ≥ 99.5 % of top-1 predictions. Inputs are fed in the exported layout (`inputLayout` metadata: NHWC unless the
 * export asked for NCHW).
 *
 * @example
 * const result = await verifyExport(model, writeOnnx(exportOnnx(model)), tf.randomNormal([32, 28, 28, 1]));
 * if (!result.ok) throw new Error(`export drifted: ${result.maxRelativeError}`);
 */
export async function verifyExport(model: tf.LayersModel, onnxBytes: Uint8Array, samples: tf.Tensor, options: VerifyOptions = {}): Promise<VerifyResult> {
  // One thread: a deterministic reference (summation order never changes between runs).
  const session = await ort.InferenceSession.create(onnxBytes, { graphOptimizationLevel: options.graphOptimizationLevel ?? 'all', intraOpNumThreads: 1, interOpNumThreads: 1, executionMode: 'sequential' });
  try {
    if (session.inputNames.length !== 1) {
      throw new QuantTrimError({ code: 'QT_INVALID_ARGUMENT', message: `verifyExport: models with ${session.inputNames.length} inputs are not supported (one input)` });
    }
    const expected = tf.tidy(() => {
      const y = model.predict(samples);
      return (Array.isArray(y) ? y[0]! : y).dataSync() as Float32Array;
    });
    const onnx = readOnnx(onnxBytes);
    const format = onnx.metadata['format'] ?? 'fp32';
    const nchw = samples.rank === 4 && onnx.metadata['inputLayout'] === 'NCHW';
    const fed = nchw ? tf.tidy(() => samples.transpose([0, 3, 1, 2])) : samples;
    const feeds = { [session.inputNames[0]!]: new ort.Tensor('float32', fed.dataSync() as Float32Array, fed.shape) };
    if (fed !== samples) fed.dispose();
    const result = await session.run(feeds);
    const output = result[session.outputNames[0]!]!;
    const actual = output.data as Float32Array;
    let maxAbs = 0;
    let scale = 0;
    for (let i = 0; i < expected.length; i++) {
      maxAbs = Math.max(maxAbs, Math.abs(actual[i]! - expected[i]!));
      scale = Math.max(scale, Math.abs(expected[i]!));
    }
    const n = samples.shape[0]!;
    const width = expected.length / n;
    let agree = 0;
    for (let s = 0; s < n; s++) {
      let a = 0;
      let e = 0;
      for (let j = 1; j < width; j++) {
        if (actual[s * width + j]! > actual[s * width + a]!) a = j;
        if (expected[s * width + j]! > expected[s * width + e]!) e = j;
      }
      if (a === e) agree++;
    }
    const maxRelativeError = scale === 0 ? maxAbs : maxAbs / scale;
    const top1Agreement = agree / n;
    const base = { maxRelativeError, maxAbsoluteError: maxAbs, top1Agreement, samples: n, format };
    if (format !== 'qdq') return { ok: maxRelativeError <= (options.maxRelativeError ?? 1e-4), ...base };
    const step = options.step ?? outputStep(onnx);
    let within = 0;
    for (let i = 0; i < expected.length; i++) if (Math.abs(actual[i]! - expected[i]!) <= step * 1.0001) within++;
    const withinOneStep = within / expected.length;
    return { ok: withinOneStep >= 0.999 && top1Agreement >= 0.995, ...base, step, withinOneStep };
  } finally {
    await session.release();
  }
}

/** The per-tensor scale of the DequantizeLinear behind the first graph output (through Identity / Transpose). */
function outputStep(model: OnnxModel): number {
  const producer = new Map(model.graph.nodes.flatMap((n) => n.outputs.map((o) => [o, n] as const)));
  let node = producer.get(model.graph.outputs[0]!.name);
  while (node !== undefined && node.opType !== 'DequantizeLinear') node = producer.get(node.inputs[0]!);
  const scale = node === undefined ? undefined : model.graph.initializers.get(node.inputs[1]!);
  if (scale === undefined || scale.data.length !== 1) {
    throw new QuantTrimError({ code: 'QT_INVALID_ARGUMENT', message: 'verifyExport: the QDQ output has no per-tensor DequantizeLinear; pass options.step' });
  }
  return Number(scale.data[0]);
}
