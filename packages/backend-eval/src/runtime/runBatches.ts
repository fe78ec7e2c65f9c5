import { QuantTrimError } from '@quant-trim/errors';
import type { Logits } from '../metrics/classificationMetrics.js';
import type { OutputValues } from '../metrics/fidelity.js';
import type { ExecutionMode, RuntimeName } from './types.js';
import { createRuntimeSession, type RuntimeSession } from './sessions.js';

export interface RunLogitsOptions {
  /** Samples per call when the model's batch axis is free. Default 256. */
  readonly batchSize?: number;
  /**
   * The model's fixed batch size. Every call then carries exactly this many rows; the last batch is
   * zero-padded and the padded rows are dropped. Default: the input's declared batch dimension
   * when it is a number, else none.
   */
  readonly fixedBatch?: number;
}

function positiveInt(value: number, name: string): number {
  if (!Number.isInteger(value) || value < 1)
    throw new QuantTrimError({ code: 'QT_INVALID_ARGUMENT', message: `option \`${name}\` of \`runLogits\`: expected a positive integer, got ${value}` });
  return value;
}

function sampleCount(data: Float32Array, sampleShape: readonly number[]): { samples: number; size: number } {
  if (!(data instanceof Float32Array))
    throw new QuantTrimError({ code: 'QT_INVALID_ARGUMENT', message: 'argument `data` of `runLogits`: expected a Float32Array' });
  const size = sampleShape.reduce((a, d) => a * d, 1);
  if (!sampleShape.every((d) => Number.isInteger(d) && d > 0) || data.length === 0 || data.length % size !== 0) {
    throw new QuantTrimError({
      code: 'QT_SHAPE_MISMATCH',
      message: `argument \`data\` of \`runLogits\`: ${data.length} values are not a positive whole number of samples of shape [${sampleShape.join(', ')}]`,
    });
  }
  return { samples: data.length / size, size };
}

/** The declared batch dimension of the session's input, when it is a number. */
function declaredBatch(session: RuntimeSession): number | undefined {
  const d = session.inputShape?.[0];
  return typeof d === 'number' && d > 0 ? d : undefined;
}

/** Rows `start .. start + rows` of `data`, zero-padded to `callRows` rows. */
function batchInput(data: Float32Array, size: number, start: number, rows: number, callRows: number): Float32Array {
  const view = data.subarray(start * size, (start + rows) * size);
  if (rows === callRows) return view;
  const padded = new Float32Array(callRows * size);
  padded.set(view);
  return padded;
}

function classesOf(out: Float32Array, callRows: number): number {
  const classes = out.length / callRows;
  if (!Number.isInteger(classes) || classes < 1) {
    throw new QuantTrimError({ code: 'QT_SHAPE_MISMATCH', message: `\`runLogits\`: the model returned ${out.length} values for a batch of ${callRows}` });
  }
  return classes;
}

/**
 * Runs every sample of `data` (row-major, `sampleShape` per sample) through `session` in batches
 * and returns the first output as logits, one row per sample.
 *
 * @example
 * const { data, classes } = await runLogits(session, images, [3, 32, 32], { batchSize: 128 });
 */
export async function runLogits(session: RuntimeSession, data: Float32Array, sampleShape: readonly number[], options: RunLogitsOptions = {}): Promise<Logits> {
  const { samples, size } = sampleCount(data, sampleShape);
  const fixed = options.fixedBatch === undefined ? declaredBatch(session) : positiveInt(options.fixedBatch, 'fixedBatch');
  const step = fixed ?? positiveInt(options.batchSize ?? 256, 'batchSize');
  let result: Float32Array | undefined;
  let classes = 0;
  for (let start = 0; start < samples; start += step) {
    const rows = Math.min(step, samples - start);
    const callRows = fixed ?? rows;
    const out = await session.run(batchInput(data, size, start, rows, callRows), [callRows, ...sampleShape]);
    const k = classesOf(out, callRows);
    if (result === undefined) {
      classes = k;
      result = new Float32Array(samples * classes);
    } else if (k !== classes) {
      throw new QuantTrimError({
        code: 'QT_SHAPE_MISMATCH',
        message: `\`runLogits\`: the model returned ${k} classes for samples ${start}.., ${classes} before`,
      });
    }
    result.set(out.subarray(0, rows * classes), start * classes);
  }
  return { data: result ?? new Float32Array(0), classes };
}

/** Test inputs of a model by input name: `samples` whole samples of each input's `sampleShape` (row-major, batch first). */
export interface ModelFeeds {
  readonly inputs: readonly { readonly name: string; readonly sampleShape: readonly number[] }[];
  readonly data: Readonly<Record<string, Float32Array>>;
  readonly samples: number;
}

/** The first `rows` samples of every input of `feeds` (views). */
export function firstSamples(feeds: ModelFeeds, rows: number): ModelFeeds {
  return sampleRange(feeds, 0, rows);
}

/** Samples `start` to `start + rows` (clipped to the samples there are) of every input of `feeds` (views). */
export function sampleRange(feeds: ModelFeeds, start: number, rows: number): ModelFeeds {
  const from = Math.min(start, feeds.samples);
  const n = Math.min(rows, feeds.samples - from);
  const data = Object.fromEntries(
    feeds.inputs.map((v) => {
      const size = v.sampleShape.reduce((a, b) => a * b, 1);
      return [v.name, feeds.data[v.name]!.subarray(from * size, (from + n) * size)];
    }),
  );
  return { inputs: feeds.inputs, data, samples: n };
}

/** Runs `bytes` in one runtime / mode session over every sample of `feeds` and returns every output. */
export async function runAll(
  runtime: RuntimeName,
  bytes: Uint8Array,
  mode: ExecutionMode,
  feeds: ModelFeeds,
  batchSize: number,
  threads: number,
): Promise<OutputValues[]> {
  const session = await createRuntimeSession(runtime, bytes, { mode, threads });
  try {
    return await runOutputs(session, feeds, { batchSize });
  } finally {
    await session.release();
  }
}

/**
 * Runs every sample of `feeds` through `session` in batches (every input in step) and returns every
 * output over all samples, in the session's output order. A fixed batch size (`options.fixedBatch`,
 * else the first input's declared batch dimension) pads the last call with zeros and drops the
 * padded rows.
 */
export async function runOutputs(session: RuntimeSession, feeds: ModelFeeds, options: RunLogitsOptions = {}): Promise<OutputValues[]> {
  const fixed = options.fixedBatch === undefined ? declaredBatch(session) : positiveInt(options.fixedBatch, 'fixedBatch');
  const step = fixed ?? positiveInt(options.batchSize ?? 256, 'batchSize');
  const sizes = feeds.inputs.map((v) => v.sampleShape.reduce((a, d) => a * d, 1));
  const parts = new Map<string, { sampleShape: number[]; chunks: Float32Array[] }>();
  for (let start = 0; start < feeds.samples; start += step) {
    const rows = Math.min(step, feeds.samples - start);
    const callRows = fixed ?? rows;
    const batch = Object.fromEntries(
      feeds.inputs.map((v, i) => [v.name, { data: batchInput(feeds.data[v.name]!, sizes[i]!, start, rows, callRows), dims: [callRows, ...v.sampleShape] }]),
    );
    const out = await session.runFeeds(batch);
    for (const name of session.outputNames) {
      const { data, dims } = out[name]!;
      const sampleShape = dims.slice(1);
      const per = data.length / callRows;
      if (dims[0] !== callRows || !Number.isInteger(per)) {
        throw new QuantTrimError({
          code: 'QT_SHAPE_MISMATCH',
          message: `\`runOutputs\`: output '${name}' has shape [${dims.join(', ')}] for a batch of ${callRows}; every output needs the batch as its first axis`,
          details: { output: name },
        });
      }
      const entry = parts.get(name);
      if (entry === undefined) parts.set(name, { sampleShape, chunks: [data.subarray(0, rows * per)] });
      else if (entry.sampleShape.join() !== sampleShape.join()) {
        throw new QuantTrimError({
          code: 'QT_SHAPE_MISMATCH',
          message: `\`runOutputs\`: output '${name}' changed its sample shape from [${entry.sampleShape.join(', ')}] to [${sampleShape.join(', ')}] at sample ${start}`,
          details: { output: name },
        });
      } else entry.chunks.push(data.subarray(0, rows * per));
    }
  }
  return session.outputNames.map((name) => {
    const p = parts.get(name) ?? { sampleShape: [], chunks: [] };
    return { name, sampleShape: p.sampleShape, data: concatChunks(p.chunks) };
  });
}

function concatChunks(parts: readonly Float32Array[]): Float32Array {
  if (parts.length === 1) return parts[0]!.slice();
  const out = new Float32Array(parts.reduce((a, p) => a + p.length, 0));
  let offset = 0;
  for (const p of parts) {
    out.set(p, offset);
    offset += p.length;
  }
  return out;
}

/** The first output read as logits: one row per sample, every value of the sample's output a column (what `runLogits` returns). */
export function firstOutputLogits(outputs: readonly OutputValues[]): Logits {
  const first = outputs[0]!;
  return {
    data: first.data,
    classes: Math.max(
      1,
      first.sampleShape.reduce((a, b) => a * b, 1),
    ),
  };
}
