import * as tf from '@tensorflow/tfjs';
import * as ort from 'onnxruntime-node';
import { QuantTrimError } from '@quant-trim/errors';
import { argmax, decisiveTop1 } from './agreement.js';
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
  /**
   * ORT graph optimisation level of the run that decides `ok`. Default 'basic': constant folding
   * and redundant-node removal, but no fusion into ORT's integer kernels, so the check is about the
   * file's own numerics (DequantizeLinear → float op → QuantizeLinear) on every CPU.
   */
  graphOptimizationLevel?: 'disabled' | 'basic' | 'extended' | 'all';
  /**
   * QDQ exports: also run with every optimisation ('all': QLinearConv / QGemm / MatMulInteger
   * fusion, what a deployment on ORT's CPU provider runs) and report it as `fused`. Default true.
   */
  checkFused?: boolean;
}

/** The same comparison for ORT's fused integer kernels (optimisation level 'all'). */
export interface FusedCheck {
  ok: boolean;
  maxRelativeError: number;
  top1Agreement: number;
  /** Top-1 agreement over the decisive samples (see `VerifyResult.decisiveTop1Agreement`). */
  decisiveTop1Agreement: number;
  withinOneStep: number;
  /** Set when the fused run fails the criteria the file itself meets. */
  warning?: string;
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
  /**
   * QDQ: samples whose tfjs top-1 output leads the runner-up by more than two output steps: only
   * there can a file whose outputs are within one step of tfjs be said to disagree on the top-1
   * (a near-tie may flip on a legitimate one-step rounding difference).
   */
  decisiveSamples?: number;
  /** QDQ: top-1 agreement over the decisive samples (1 when there are none); the verdict uses it. */
  decisiveTop1Agreement?: number;
  /** QDQ: ORT's fused integer kernels on this machine (informative; `ok` is about the file). */
  fused?: FusedCheck;
}

/**
 * Runs an exported model in onnxruntime-node on `samples` and compares it with the tfjs model it
 * came from: FP32 exports must agree within a relative error of 1e-4; QDQ exports (compared with
 * the fake-quant model at λ = 1) must put ≥ 99.9 % of outputs within one output quantization step
 * and agree on ≥ 99.5 % of the top-1 predictions of the decisive samples (those whose top-1 leads by
 * more than two steps; `top1Agreement` over all samples is reported too). The verdict is about the file (ORT at 'basic', no
 * fusion into integer kernels); QDQ exports are also run fully optimised and reported as `fused`,
 * with a warning when ORT's integer kernels on this CPU disagree (x86 without VNNI saturates
 * uint8 × int8 pairs at 16 bits). Inputs are fed in the exported layout (`inputLayout` metadata:
 * NHWC unless the export asked for NCHW).
 *
 * @example
 * const result = await verifyExport(model, writeOnnx(exportOnnx(model)), tf.randomNormal([32, 28, 28, 1]));
 * if (!result.ok) throw new Error(`export drifted: ${result.maxRelativeError}`);
 */
export async function verifyExport(model: tf.LayersModel, onnxBytes: Uint8Array, samples: tf.Tensor, options: VerifyOptions = {}): Promise<VerifyResult> {
  const expected = tf.tidy(() => {
    const y = model.predict(samples);
    return (Array.isArray(y) ? y[0]! : y).dataSync() as Float32Array;
  });
  const onnx = readOnnx(onnxBytes);
  const format = onnx.metadata['format'] ?? 'fp32';
  const nchw = samples.rank === 4 && onnx.metadata['inputLayout'] === 'NCHW';
  const fed = nchw ? tf.tidy(() => samples.transpose([0, 3, 1, 2])) : samples;
  const input = { data: fed.dataSync() as Float32Array, shape: fed.shape };
  if (fed !== samples) fed.dispose();
  const n = samples.shape[0]!;
  const actual = await runOnnx(onnxBytes, input, options.graphOptimizationLevel ?? 'basic');
  const base = { ...compare(expected, actual, n), samples: n, format };
  if (format !== 'qdq') return { ok: base.maxRelativeError <= (options.maxRelativeError ?? 1e-4), ...base };
  const step = options.step ?? outputStep(onnx);
  const withinOneStep = within(expected, actual, step);
  const decisive = decisiveTop1(expected, actual, n, step);
  const ok = withinOneStep >= 0.999 && decisive.agreement >= 0.995;
  const qdq = { step, withinOneStep, decisiveSamples: decisive.samples, decisiveTop1Agreement: decisive.agreement };
  if (options.checkFused === false) return { ok, ...base, ...qdq };
  const fusedOutput = await runOnnx(onnxBytes, input, 'all');
  const f = compare(expected, fusedOutput, n);
  const fusedWithin = within(expected, fusedOutput, step);
  const fusedDecisive = decisiveTop1(expected, fusedOutput, n, step).agreement;
  const fusedOk = fusedWithin >= 0.999 && fusedDecisive >= 0.995;
  const fused: FusedCheck = {
    ok: fusedOk,
    maxRelativeError: f.maxRelativeError,
    top1Agreement: f.top1Agreement,
    decisiveTop1Agreement: fusedDecisive,
    withinOneStep: fusedWithin,
    ...(ok && !fusedOk
      ? {
          warning:
            `ONNX Runtime's fused integer kernels on this CPU disagree with the file's own numerics (top-1 agreement ${(100 * f.top1Agreement).toFixed(1)} %): ` +
            'on x86 CPUs without VNNI, ORT multiplies uint8 × int8 in pairs that saturate at 16 bits; run with a VNNI CPU, use reduced-range (7-bit) weights, or uint8 weights for ORT CPU deployments',
        }
      : {}),
  };
  return { ok, ...base, ...qdq, fused };
}

/** One single-threaded ORT run (a deterministic reference: the summation order never changes). */
async function runOnnx(
  bytes: Uint8Array,
  input: { data: Float32Array; shape: number[] },
  level: NonNullable<VerifyOptions['graphOptimizationLevel']>,
): Promise<Float32Array> {
  const session = await ort.InferenceSession.create(bytes, {
    graphOptimizationLevel: level,
    intraOpNumThreads: 1,
    interOpNumThreads: 1,
    executionMode: 'sequential',
  });
  try {
    if (session.inputNames.length !== 1) {
      throw new QuantTrimError({
        code: 'QT_INVALID_ARGUMENT',
        message: `verifyExport: models with ${session.inputNames.length} inputs are not supported (one input)`,
      });
    }
    const result = await session.run({ [session.inputNames[0]!]: new ort.Tensor('float32', input.data, input.shape) });
    return result[session.outputNames[0]!]!.data as Float32Array;
  } finally {
    await session.release();
  }
}

/** max |actual − expected| (absolute and relative to max |expected|) and the top-1 agreement over the last axis. */
function compare(expected: Float32Array, actual: Float32Array, n: number): { maxRelativeError: number; maxAbsoluteError: number; top1Agreement: number } {
  let maxAbs = 0;
  let scale = 0;
  for (let i = 0; i < expected.length; i++) {
    maxAbs = Math.max(maxAbs, Math.abs(actual[i]! - expected[i]!));
    scale = Math.max(scale, Math.abs(expected[i]!));
  }
  const width = expected.length / n;
  let agree = 0;
  for (let s = 0; s < n; s++) if (argmax(actual, s * width, width) === argmax(expected, s * width, width)) agree++;
  return { maxRelativeError: scale === 0 ? maxAbs : maxAbs / scale, maxAbsoluteError: maxAbs, top1Agreement: agree / n };
}

/** Share of outputs within one quantization step of the expected ones. */
function within(expected: Float32Array, actual: Float32Array, step: number): number {
  let k = 0;
  for (let i = 0; i < expected.length; i++) if (Math.abs(actual[i]! - expected[i]!) <= step * 1.0001) k++;
  return k / expected.length;
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
