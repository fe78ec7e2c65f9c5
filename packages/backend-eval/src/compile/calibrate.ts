import { QuantTrimError } from '@quant-trim/internal';
import { addOutputs, writeOnnx, type OnnxModel } from '@quant-trim/onnx-export';
import { defaultRegistry, type Calibrator } from '@quant-trim/quant-grid';
import type { BackendProfile } from '../profiles/types.js';
import { ortCall } from '../runtime/sessions.js';

/** Calibration batches: each a Float32Array of whole samples (row-major, batch first). */
export type CalibrationData = AsyncIterable<Float32Array> | Iterable<Float32Array>;

export const invalid = (profile: BackendProfile, message: string, details: Record<string, unknown> = {}): QuantTrimError =>
  new QuantTrimError({ code: 'QT_INVALID_ARGUMENT', message: `\`compileForBackend\` (${profile.id}): ${message}`, details: { profile: profile.id, ...details } });

/** Sample shape of the model's single data input: `inputShape`, else its static declared shape after the batch axis. */
export function sampleShapeOf(model: OnnxModel, inputName: string, inputShape: readonly number[] | undefined, profile: BackendProfile): readonly number[] {
  const declared = model.graph.inputs.find((v) => v.name === inputName)?.shape?.slice(1);
  const shape = inputShape ?? (declared?.every((d): d is number => typeof d === 'number') ? declared : undefined);
  if (shape === undefined) throw invalid(profile, `the input '${inputName}' has no static sample shape; pass options.inputShape`);
  return shape;
}

export interface TensorStats {
  calibrator: Calibrator;
  /** Smallest and largest value observed (over the whole shared-scale group). */
  min: number;
  max: number;
}

/** Running totals of a calibration pass: samples used and source batches read. */
export interface CalibrationProgress {
  samples: number;
  batches: number;
}

/**
 * The model-input chunks one calibration pass feeds to the float model: every source batch is
 * checked (whole samples) and the stream is cut at `profile.calibration.samples`. With a free batch
 * axis each source batch is one chunk (a view into it). A model with a fixed batch size
 * (`torch.onnx.export` without `dynamic_axes`) is re-batched: samples are regrouped across source
 * batches into chunks of exactly that size, and a last partial chunk is left out (padding would
 * bias the ranges); a batch size above the profile's sample count gets one whole chunk. Updates
 * `progress` as batches are consumed.
 */
export async function* calibrationChunks(
  data: CalibrationData,
  profile: BackendProfile,
  sampleShape: readonly number[],
  fixedBatch: number | undefined,
  progress: CalibrationProgress,
): AsyncGenerator<Float32Array> {
  const sampleSize = sampleShape.reduce((a, b) => a * b, 1);
  // A fixed batch larger than the profile's sample count still gets one whole call.
  const limit = Math.max(profile.calibration.samples, fixedBatch ?? 0);
  const chunkValues = (fixedBatch ?? 0) * sampleSize;
  let pending: Float32Array | undefined;
  let pendingLength = 0;
  for await (const batch of data) {
    if (!(batch instanceof Float32Array) || batch.length === 0 || batch.length % sampleSize !== 0) {
      throw invalid(profile, `calibration batch ${progress.batches}: expected a non-empty Float32Array of whole samples of ${sampleSize} values [${sampleShape.join(', ')}]`);
    }
    const n = Math.min(batch.length / sampleSize, limit - progress.samples - pendingLength / sampleSize);
    progress.batches++;
    if (fixedBatch === undefined) {
      yield batch.subarray(0, n * sampleSize);
      progress.samples += n;
    } else {
      let offset = 0;
      const end = n * sampleSize;
      while (offset < end) {
        if (pendingLength === 0 && end - offset >= chunkValues) {
          yield batch.subarray(offset, offset + chunkValues);
          offset += chunkValues;
          progress.samples += fixedBatch;
          continue;
        }
        pending ??= new Float32Array(chunkValues);
        const take = Math.min(chunkValues - pendingLength, end - offset);
        pending.set(batch.subarray(offset, offset + take), pendingLength);
        pendingLength += take;
        offset += take;
        if (pendingLength === chunkValues) {
          yield pending;
          pending = new Float32Array(chunkValues);
          pendingLength = 0;
          progress.samples += fixedBatch;
        }
      }
    }
    // Samples waiting in `pending` count once their chunk is complete.
    if (progress.samples + pendingLength / sampleSize >= limit) break;
  }
}

/** Fixed batch size of the model's input (its static first dimension), if any. */
export function fixedBatchOf(model: OnnxModel, inputName: string): number | undefined {
  const batchDim = model.graph.inputs.find((v) => v.name === inputName)?.shape?.[0];
  return typeof batchDim === 'number' && batchDim > 0 ? batchDim : undefined;
}

/**
 * Streams calibration batches through the float model in onnxruntime-node (intermediate tensors
 * added as outputs) and feeds every tensor to its group's quant-grid calibrator; stops at
 * `profile.calibration.samples`. Batches are never kept, except that with `keep` a copy of every
 * model-input chunk used is appended to it (for a second pass over a one-shot source).
 */
export async function calibrate(
  model: OnnxModel,
  inputName: string,
  tensors: readonly string[],
  group: ReadonlyMap<string, string>,
  profile: BackendProfile,
  data: CalibrationData,
  inputShape: readonly number[] | undefined,
  keep?: Float32Array[],
): Promise<{ get(t: string): TensorStats | undefined; samples: number; batches: number }> {
  const stats = new Map<string, TensorStats>();
  const method = profile.calibration.method as Parameters<typeof defaultRegistry.calibrator>[0];
  // One calibrator per shared-scale group: its members' data all feed it (union of ranges).
  for (const t of tensors) {
    const root = group.get(t) ?? t;
    let s = stats.get(root);
    if (s === undefined) {
      s = { calibrator: (defaultRegistry.calibrator as (name: string, options?: unknown) => Calibrator)(method, profile.calibration.options), min: Infinity, max: -Infinity };
      stats.set(root, s);
    }
    stats.set(t, s);
  }
  if (tensors.length === 0) return { get: (t) => stats.get(t), samples: 0, batches: 0 };

  const sampleShape = sampleShapeOf(model, inputName, inputShape, profile);
  const sampleSize = sampleShape.reduce((a, b) => a * b, 1);
  const probe = addOutputs(model, tensors.filter((t) => t !== inputName));

  const ort = await import('onnxruntime-node');
  const session = await ortCall('onnxruntime-node', 'load the float model', () => ort.InferenceSession.create(writeOnnx(probe)));
  const progress: CalibrationProgress = { samples: 0, batches: 0 };
  try {
    for await (const x of calibrationChunks(data, profile, sampleShape, fixedBatchOf(model, inputName), progress)) {
      const chunk = x.length / sampleSize;
      keep?.push(x.slice());
      const out = await ortCall('onnxruntime-node', 'run the float model', () => session.run({ [inputName]: new ort.Tensor('float32', x, [chunk, ...sampleShape]) }));
      for (const t of tensors) {
        const value = t === inputName ? x : (out[t]?.data as Float32Array);
        const dims = t === inputName ? [chunk, ...sampleShape] : out[t]!.dims;
        const s = stats.get(t)!;
        s.calibrator.observe(value, dims);
        let lo = s.min;
        let hi = s.max;
        for (let i = 0; i < value.length; i++) {
          const v = value[i]!;
          if (v < lo) lo = v;
          if (v > hi) hi = v;
        }
        s.min = lo;
        s.max = hi;
      }
    }
  } finally {
    await session.release();
  }
  if (progress.samples === 0) {
    const fixed = fixedBatchOf(model, inputName);
    throw invalid(profile, `the calibration data yielded no samples${fixed !== undefined && fixed > 1 ? ` (the model's input has a fixed batch size of ${fixed}: give at least that many samples)` : ''}`);
  }
  return { get: (t) => stats.get(t), samples: progress.samples, batches: progress.batches };
}
