import { QuantTrimError } from '@quant-trim/errors';
import { addOutputs, writeOnnx, type OnnxModel } from '@quant-trim/onnx-export';
import { defaultRegistry, type Calibrator } from '@quant-trim/quant-grid';
import type { BackendProfile } from '../profiles/types.js';
import { ortCall, unshared } from '../runtime/sessions.js';

/** Calibration batches of a single-input model: each a Float32Array of whole samples (row-major, batch first). */
export type CalibrationData = AsyncIterable<Float32Array> | Iterable<Float32Array>;

/** One batch of every data input of a model, by input name: each a Float32Array of whole samples (row-major, batch first), the same sample count for all. */
export type CalibrationFeed = Readonly<Record<string, Float32Array>>;

/** Calibration batches of a model with several data inputs (a single-input model accepts them too). */
export type FeedCalibrationData = AsyncIterable<CalibrationFeed> | Iterable<CalibrationFeed>;

/** A data input of the model and the shape of one of its samples (without the batch axis). */
export interface InputSpec {
  readonly name: string;
  readonly sampleShape: readonly number[];
}

export const invalid = (profile: BackendProfile, message: string, details: Record<string, unknown> = {}): QuantTrimError =>
  new QuantTrimError({
    code: 'QT_INVALID_ARGUMENT',
    message: `\`compileForBackend\` (${profile.id}): ${message}`,
    details: { profile: profile.id, ...details },
  });

/** Sample shape of the data input `inputName`: `inputShape`, else its static declared shape after the batch axis. */
export function sampleShapeOf(model: OnnxModel, inputName: string, inputShape: readonly number[] | undefined, profile: BackendProfile): readonly number[] {
  const declared = model.graph.inputs.find((v) => v.name === inputName)?.shape?.slice(1);
  const shape = inputShape ?? (declared?.every((d): d is number => typeof d === 'number') ? declared : undefined);
  if (shape === undefined)
    throw invalid(
      profile,
      `the input '${inputName}' has no static sample shape; pass ${model.graph.inputs.filter((v) => !model.graph.initializers.has(v.name)).length > 1 ? `options.inputShapes['${inputName}']` : 'options.inputShape'}`,
      { input: inputName },
    );
  return shape;
}

/**
 * The data inputs of `model` (graph inputs without an initializer) with their sample shapes. Each
 * must be a float32 tensor whose first axis is the batch: another element type (an int64 sample
 * rate, a bool flag) is refused with `QT_INVALID_ARGUMENT` naming the input. A single input takes
 * `inputShape`; several take `inputShapes[name]` (`inputShape` is refused for them). Without
 * `shapes` (nothing to calibrate) a shape that is neither given nor declared is left empty.
 */
export function dataInputsOf(
  model: OnnxModel,
  profile: BackendProfile,
  inputShape: readonly number[] | undefined,
  inputShapes: Readonly<Record<string, readonly number[]>> | undefined,
  shapes = true,
): InputSpec[] {
  const { graph } = model;
  const inputs = graph.inputs.filter((v) => !graph.initializers.has(v.name));
  if (inputs.length === 0) throw invalid(profile, 'the model has no data input');
  if (inputs.length > 1 && inputShape !== undefined) {
    throw invalid(
      profile,
      `options.inputShape is for single-input models; this one has ${inputs.length} inputs (${inputs.map((v) => `'${v.name}'`).join(', ')}): pass options.inputShapes by input name`,
    );
  }
  for (const name of Object.keys(inputShapes ?? {})) {
    if (!inputs.some((v) => v.name === name))
      throw invalid(
        profile,
        `options.inputShapes['${name}']: the model has no data input of that name (its inputs: ${inputs.map((v) => `'${v.name}'`).join(', ')})`,
        { input: name },
      );
  }
  return inputs.map((v) => {
    if (v.elemType !== undefined && v.elemType !== 1) {
      throw invalid(profile, `the input '${v.name}' is not float32 (ONNX element type ${v.elemType}); only float32 data inputs are calibrated and fed`, {
        input: v.name,
        elemType: v.elemType,
      });
    }
    const given = inputs.length === 1 ? (inputShape ?? inputShapes?.[v.name]) : inputShapes?.[v.name];
    return { name: v.name, sampleShape: shapes || given !== undefined ? sampleShapeOf(model, v.name, given, profile) : [] };
  });
}

/**
 * `data` as feeds by input name: a Float32Array batch is the feed of a single-input model; a feed
 * object must hold every input of `inputs` (a missing or unknown name is `QT_INVALID_ARGUMENT`
 * naming it).
 */
export async function* asFeeds(
  data: CalibrationData | FeedCalibrationData,
  inputs: readonly InputSpec[],
  profile: BackendProfile,
): AsyncGenerator<CalibrationFeed> {
  let index = 0;
  for await (const batch of data as AsyncIterable<unknown>) {
    const isFeed = typeof batch === 'object' && batch !== null && !ArrayBuffer.isView(batch) && !Array.isArray(batch);
    if (!isFeed) {
      if (inputs.length !== 1) {
        throw invalid(
          profile,
          `calibration batch ${index}: a Float32Array feeds a single-input model; this one has inputs ${inputs.map((v) => `'${v.name}'`).join(', ')}: give each batch as { [inputName]: Float32Array }`,
        );
      }
      // Checked (Float32Array of whole samples) by the consumer, with the single-input message.
      yield { [inputs[0]!.name]: batch as Float32Array };
    } else {
      const feed = batch as CalibrationFeed;
      for (const input of inputs) {
        if (!(input.name in feed))
          throw invalid(
            profile,
            `calibration batch ${index}: no data for the input '${input.name}' (given: ${
              Object.keys(feed)
                .map((k) => `'${k}'`)
                .join(', ') || 'nothing'
            })`,
            { input: input.name },
          );
      }
      for (const key of Object.keys(feed)) {
        if (!inputs.some((v) => v.name === key))
          throw invalid(
            profile,
            `calibration batch ${index}: '${key}' is not a data input of the model (its inputs: ${inputs.map((v) => `'${v.name}'`).join(', ')})`,
            { input: key },
          );
      }
      yield feed;
    }
    index++;
  }
}

export interface TensorStats {
  calibrator: Calibrator;
  /** Smallest and largest value observed (over the whole shared-scale group). */
  min: number;
  max: number;
}

/** What a calibration pass leaves: each tensor's statistics (shared by its scale group), samples used and source batches read. */
export interface CalibrationStats {
  get(tensor: string): TensorStats | undefined;
  readonly samples: number;
  readonly batches: number;
}

/** Running totals of a calibration pass: samples used and source batches read. */
export interface CalibrationProgress {
  samples: number;
  batches: number;
}

/** Checks one calibration feed: every input a non-empty Float32Array of whole samples, all with the same sample count; returns that count. */
function feedRows(feed: CalibrationFeed, inputs: readonly InputSpec[], profile: BackendProfile, batch: number): number {
  let rows: number | undefined;
  for (const { name, sampleShape } of inputs) {
    const size = sampleShape.reduce((a, b) => a * b, 1);
    const x = feed[name];
    if (!(x instanceof Float32Array) || x.length === 0 || x.length % size !== 0) {
      const what = inputs.length > 1 ? ` of the input '${name}'` : '';
      throw invalid(
        profile,
        `calibration batch ${batch}${what}: expected a non-empty Float32Array of whole samples of ${size} values [${sampleShape.join(', ')}]`,
        inputs.length > 1 ? { input: name } : {},
      );
    }
    const n = x.length / size;
    if (rows !== undefined && n !== rows) {
      throw invalid(
        profile,
        `calibration batch ${batch}: the input '${name}' has ${n} samples, '${inputs[0]!.name}' ${rows}; every input needs the same number`,
        { input: name },
      );
    }
    rows = n;
  }
  return rows!;
}

/**
 * The model-input chunks one calibration pass feeds to the float model, by input name: every
 * source batch is checked (whole samples, the same count for every input) and the stream is cut
 * at `profile.calibration.samples`. With a free batch axis each source batch is one chunk, or
 * several of at most `rowsPerCall` samples for large inputs (views into it). A model with a fixed batch size (`torch.onnx.export` without `dynamic_axes`) is
 * re-batched: samples are regrouped across source batches into chunks of exactly that size, every
 * input in step, and a last partial chunk is left out (padding would bias the ranges); a batch
 * size above the profile's sample count gets one whole chunk. Updates `progress` as batches are
 * consumed.
 */
export async function* calibrationFeeds(
  data: CalibrationData | FeedCalibrationData,
  profile: BackendProfile,
  inputs: readonly InputSpec[],
  fixedBatch: number | undefined,
  progress: CalibrationProgress,
): AsyncGenerator<CalibrationFeed> {
  const sizes = inputs.map((v) => v.sampleShape.reduce((a, b) => a * b, 1));
  // A fixed batch larger than the profile's sample count still gets one whole call.
  const limit = Math.max(profile.calibration.samples, fixedBatch ?? 0);
  const rowsOf = (feed: CalibrationFeed, from: number, to: number): Record<string, Float32Array> =>
    Object.fromEntries(inputs.map((v, i) => [v.name, feed[v.name]!.subarray(from * sizes[i]!, to * sizes[i]!)]));
  let pending: Float32Array[] | undefined;
  let pendingRows = 0;
  for await (const feed of asFeeds(data, inputs, profile)) {
    const rows = feedRows(feed, inputs, profile, progress.batches);
    const n = Math.min(rows, limit - progress.samples - pendingRows);
    progress.batches++;
    if (fixedBatch === undefined) {
      // Every intermediate tensor comes back from each call: bound the rows per call by the input size.
      const step = rowsPerCall(inputs);
      for (let r = 0; r < n; r += step) {
        const end = Math.min(n, r + step);
        yield rowsOf(feed, r, end);
        progress.samples += end - r;
      }
    } else {
      let offset = 0;
      while (offset < n) {
        if (pendingRows === 0 && n - offset >= fixedBatch) {
          yield rowsOf(feed, offset, offset + fixedBatch);
          offset += fixedBatch;
          progress.samples += fixedBatch;
          continue;
        }
        pending ??= sizes.map((size) => new Float32Array(fixedBatch * size));
        const take = Math.min(fixedBatch - pendingRows, n - offset);
        inputs.forEach((v, i) => pending![i]!.set(feed[v.name]!.subarray(offset * sizes[i]!, (offset + take) * sizes[i]!), pendingRows * sizes[i]!));
        pendingRows += take;
        offset += take;
        if (pendingRows === fixedBatch) {
          yield Object.fromEntries(inputs.map((v, i) => [v.name, pending![i]!]));
          pending = undefined;
          pendingRows = 0;
          progress.samples += fixedBatch;
        }
      }
    }
    // Samples waiting in `pending` count once their chunk is complete.
    if (progress.samples + pendingRows >= limit) break;
  }
}

/** Fixed batch size of the model's data inputs (the first one's static first dimension), if any. */
export function fixedBatchOf(model: OnnxModel, inputs: readonly InputSpec[]): number | undefined {
  const batchDim = model.graph.inputs.find((v) => v.name === inputs[0]?.name)?.shape?.[0];
  return typeof batchDim === 'number' && batchDim > 0 ? batchDim : undefined;
}

/** ORT feeds of one calibration chunk, and its sample count. */
export function ortFeeds(
  ort: typeof import('onnxruntime-node'),
  feed: CalibrationFeed,
  inputs: readonly InputSpec[],
): { feeds: Record<string, import('onnxruntime-node').Tensor>; rows: number } {
  const size = inputs[0]!.sampleShape.reduce((a, b) => a * b, 1);
  const rows = feed[inputs[0]!.name]!.length / size;
  return { feeds: Object.fromEntries(inputs.map((v) => [v.name, new ort.Tensor('float32', unshared(feed[v.name]!), [rows, ...v.sampleShape])])), rows };
}

/**
 * Streams calibration batches through the float model in onnxruntime-node (intermediate tensors
 * added as outputs) and feeds every tensor to its group's quant-grid calibrator; stops at
 * `profile.calibration.samples`. Batches are never kept, except that with `keep` a copy of every
 * model-input chunk used is appended to it (for a second pass over a one-shot source).
 */
export async function calibrate(
  model: OnnxModel,
  inputs: readonly InputSpec[],
  tensors: readonly string[],
  group: ReadonlyMap<string, string>,
  profile: BackendProfile,
  data: CalibrationData | FeedCalibrationData,
  keep?: CalibrationFeed[],
): Promise<CalibrationStats> {
  const stats = new Map<string, TensorStats>();
  const method = profile.calibration.method as Parameters<typeof defaultRegistry.calibrator>[0];
  // One calibrator per shared-scale group: its members' data all feed it (union of ranges).
  for (const t of tensors) {
    const root = group.get(t) ?? t;
    let s = stats.get(root);
    if (s === undefined) {
      s = {
        calibrator: (defaultRegistry.calibrator as (name: string, options?: unknown) => Calibrator)(method, profile.calibration.options),
        min: Infinity,
        max: -Infinity,
      };
      stats.set(root, s);
    }
    stats.set(t, s);
  }
  if (tensors.length === 0) return { get: (t) => stats.get(t), samples: 0, batches: 0 };

  const inputShape = new Map(inputs.map((v) => [v.name, v.sampleShape]));
  const probe = addOutputs(
    model,
    tensors.filter((t) => !inputShape.has(t)),
  );
  const ort = await import('onnxruntime-node');
  const session = await ortCall('onnxruntime-node', 'load the float model', () => ort.InferenceSession.create(writeOnnx(probe), COMPILE_SESSION));
  const progress: CalibrationProgress = { samples: 0, batches: 0 };
  const fixed = fixedBatchOf(model, inputs);
  try {
    for await (const feed of calibrationFeeds(data, profile, inputs, fixed, progress)) {
      const { feeds, rows } = ortFeeds(ort, feed, inputs);
      keep?.push(Object.fromEntries(Object.entries(feed).map(([k, v]) => [k, v.slice()])));
      const out = await ortCall('onnxruntime-node', 'run the float model', () => session.run(feeds));
      for (const t of tensors) {
        const shape = inputShape.get(t);
        const value = shape !== undefined ? feed[t]! : (out[t]?.data as Float32Array);
        const dims = shape !== undefined ? [rows, ...shape] : out[t]!.dims;
        observe(stats.get(t)!, value, dims);
      }
    }
  } finally {
    await session.release();
  }
  if (progress.samples === 0) {
    throw invalid(
      profile,
      `the calibration data yielded no samples${fixed !== undefined && fixed > 1 ? ` (the model's input has a fixed batch size of ${fixed}: give at least that many samples)` : ''}`,
    );
  }
  return { get: (t) => stats.get(t), samples: progress.samples, batches: progress.batches };
}

/**
 * Session options of the compiler's float-model runs (calibration, bias correction): one intra-op
 * thread, as `evaluate` runs every session by default, so evaluations in parallel workers (one
 * profile each) do not oversubscribe the cores.
 */
export const COMPILE_SESSION = { intraOpNumThreads: 1 } as const;

/**
 * Input values per ONNX Runtime call that bound a call's memory (4 MB of float32 input; the
 * intermediates, and ORT's arena, scale with it: ResNet-18 at 224×224 keeps tens of MB per sample).
 */
export const VALUES_PER_CALL = 1 << 20;

/** Samples per call so that one call's inputs hold at most `VALUES_PER_CALL` values (at least 1). */
export function rowsPerCall(inputs: readonly { readonly sampleShape: readonly number[] }[]): number {
  const values = inputs.reduce((a, v) => a + v.sampleShape.reduce((b, d) => b * d, 1), 0);
  return Math.max(1, Math.floor(VALUES_PER_CALL / Math.max(1, values)));
}

function observe(s: TensorStats, value: Float32Array, dims: readonly number[]): void {
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
