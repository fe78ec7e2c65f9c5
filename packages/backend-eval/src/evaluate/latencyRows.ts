import { createRuntimeSession, type RuntimeSession } from '../runtime/sessions.js';
import { measureFeedLatency, measureLatency } from '../runtime/latency.js';
import { firstSamples, type ModelFeeds } from '../runtime/runBatches.js';
import type { LatencyStats, ProfileResult, RuntimeResult } from './reportTypes.js';

/** What latency measurement reads: the measurement settings (undefined = off), the inputs, the sample count and threads. */
export interface LatencySettings {
  readonly latency: { readonly batchSizes: readonly number[]; readonly runs: number; readonly warmup: number } | undefined;
  readonly feeds: ModelFeeds;
  readonly runtimeSamples: number;
  readonly threads: number;
}

/** Latency of one session on the first samples of `subset` (none when latency is off). */
export async function latencyOf(session: RuntimeSession, subset: ModelFeeds, latency: LatencySettings['latency']): Promise<LatencyStats[]> {
  if (latency === undefined) return [];
  const single = subset.inputs.length === 1 ? subset.inputs[0]! : undefined;
  return single !== undefined
    ? measureLatency(session, single.sampleShape, { ...latency, input: subset.data[single.name]! })
    : measureFeedLatency(session, subset, latency);
}

/**
 * `result` with the latency of its runtime rows measured now, on this thread, one runtime at a
 * time: the worker pool evaluates profiles without latency (concurrent work would distort it) and
 * measures it afterwards, with nothing else running in the pool.
 */
export async function withLatency(result: ProfileResult, nativeBytes: Uint8Array | undefined, s: LatencySettings): Promise<ProfileResult> {
  if (s.latency === undefined || nativeBytes === undefined || result.runtimes === undefined) return result;
  const subset = firstSamples(s.feeds, s.runtimeSamples);
  const rows: RuntimeResult[] = [];
  for (const row of result.runtimes) {
    const session = await createRuntimeSession(row.runtime, nativeBytes, { mode: 'native', threads: s.threads });
    try {
      rows.push({ ...row, latency: await latencyOf(session, subset, s.latency) });
    } finally {
      await session.release();
    }
  }
  return { ...result, runtimes: rows };
}
