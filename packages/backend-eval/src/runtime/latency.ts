import { QuantTrimError } from '@quant-trim/errors';
import type { LatencyStats } from './types.js';
import type { ModelFeeds } from './runBatches.js';
import type { RuntimeSession } from './sessions.js';

export interface MeasureLatencyOptions {
  /** Batch sizes to time. Default `[1, 32]`. Ignored when the model's batch axis is fixed: that batch alone is timed. */
  readonly batchSizes?: readonly number[];
  /** Timed calls per batch size. Default 20. */
  readonly runs?: number;
  /** Untimed calls before them. Default 3. */
  readonly warmup?: number;
  /** Samples to feed, cycled to fill each batch. Default: deterministic values in [-1, 1). */
  readonly input?: Float32Array;
}

/** Nearest-rank percentile `p` (0 < p ≤ 100) of ascending `sorted`. */
export function nearestRank(sorted: readonly number[], p: number): number {
  const rank = Math.max(1, Math.ceil((p / 100) * sorted.length));
  const v = sorted[rank - 1];
  if (v === undefined) throw new QuantTrimError({ code: 'QT_INVALID_ARGUMENT', message: 'argument `sorted` of `nearestRank`: expected at least one value' });
  return v;
}

function count(value: number, name: string, min: number): number {
  if (!Number.isInteger(value) || value < min)
    throw new QuantTrimError({ code: 'QT_INVALID_ARGUMENT', message: `option \`${name}\` of \`measureLatency\`: expected an integer ≥ ${min}, got ${value}` });
  return value;
}

/** `size` deterministic values in [-1, 1) from a 32-bit LCG. */
function syntheticSamples(size: number): Float32Array {
  const out = new Float32Array(size);
  let s = 0x2545f491;
  for (let i = 0; i < size; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    out[i] = s / 2147483648 - 1;
  }
  return out;
}

/** A batch of `batch` samples cycled from `samples`. */
function tile(samples: Float32Array, size: number, batch: number): Float32Array {
  const available = samples.length / size;
  const out = new Float32Array(batch * size);
  for (let b = 0; b < batch; b++) out.set(samples.subarray((b % available) * size, ((b % available) + 1) * size), b * size);
  return out;
}

function batchSizesFor(session: RuntimeSession, requested: readonly number[]): readonly number[] {
  const d = session.inputShape?.[0];
  if (typeof d === 'number' && d > 0) return [d];
  return requested.map((b) => count(b, 'batchSizes', 1));
}

async function timeBatch(call: () => Promise<unknown>, runs: number, warmup: number): Promise<number[]> {
  for (let i = 0; i < warmup; i++) await call();
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    await call();
    times.push(performance.now() - t0);
  }
  return times.sort((a, b) => a - b);
}

/**
 * Times `session.run` per batch size: `warmup` untimed calls, then `runs` timed ones
 * (`performance.now()`, so the time includes the binding's copies), reported as nearest-rank
 * p50 / p90 in milliseconds.
 *
 * @example
 * const [b1, b32] = await measureLatency(session, [3, 32, 32]);
 */
export async function measureLatency(session: RuntimeSession, sampleShape: readonly number[], options: MeasureLatencyOptions = {}): Promise<LatencyStats[]> {
  const runs = count(options.runs ?? 20, 'runs', 1);
  const warmup = count(options.warmup ?? 3, 'warmup', 0);
  const size = sampleShape.reduce((a, d) => a * d, 1);
  const input = options.input ?? syntheticSamples(size);
  if (!(input instanceof Float32Array) || input.length === 0 || input.length % size !== 0) {
    throw new QuantTrimError({
      code: 'QT_SHAPE_MISMATCH',
      message: `option \`input\` of \`measureLatency\`: expected a Float32Array of whole samples of shape [${sampleShape.join(', ')}]`,
    });
  }
  const stats: LatencyStats[] = [];
  for (const batch of batchSizesFor(session, options.batchSizes ?? [1, 32])) {
    const x = tile(input, size, batch);
    const dims = [batch, ...sampleShape];
    const times = await timeBatch(() => session.run(x, dims), runs, warmup);
    stats.push({ batch, runs, p50Ms: nearestRank(times, 50), p90Ms: nearestRank(times, 90) });
  }
  return stats;
}

/**
 * `measureLatency` for a model with several inputs: every call feeds all of them (`session.runFeeds`),
 * each a batch cycled from its samples in `feeds` (which must hold the same number of samples per
 * input), and reads every output back.
 */
export async function measureFeedLatency(
  session: RuntimeSession,
  feeds: ModelFeeds,
  options: Omit<MeasureLatencyOptions, 'input'> = {},
): Promise<LatencyStats[]> {
  const runs = count(options.runs ?? 20, 'runs', 1);
  const warmup = count(options.warmup ?? 3, 'warmup', 0);
  if (feeds.samples < 1)
    throw new QuantTrimError({ code: 'QT_SHAPE_MISMATCH', message: 'argument `feeds` of `measureFeedLatency`: expected at least one sample' });
  const stats: LatencyStats[] = [];
  for (const batch of batchSizesFor(session, options.batchSizes ?? [1, 32])) {
    const call = Object.fromEntries(
      feeds.inputs.map((v) => {
        const size = v.sampleShape.reduce((a, d) => a * d, 1);
        return [v.name, { data: tile(feeds.data[v.name]!.subarray(0, feeds.samples * size), size, batch), dims: [batch, ...v.sampleShape] }];
      }),
    );
    const times = await timeBatch(() => session.runFeeds(call), runs, warmup);
    stats.push({ batch, runs, p50Ms: nearestRank(times, 50), p90Ms: nearestRank(times, 90) });
  }
  return stats;
}
