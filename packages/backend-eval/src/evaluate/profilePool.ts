import { availableParallelism } from 'node:os';
import { MessageChannel, type MessagePort as NodeMessagePort } from 'node:worker_threads';
import Tinypool from 'tinypool';
import type { BackendProfile } from '../profiles/types.js';
import type { OutputValues } from '../metrics/fidelity.js';
import type { Metric } from '../metrics/defineMetric.js';
import { builtinMetrics } from '../metrics/builtinMetrics.js';
import type { ModelFeeds } from '../runtime/runBatches.js';
import type { EvaluationData } from './evaluationData.js';
import type { EvaluateProgress, ModelContext, ProfileSettings } from './evaluate.js';
import { withLatency } from './latencyRows.js';
import type { MetricScore, ProfileResult, RuntimeName } from './reportTypes.js';

/** What one worker needs to evaluate one model on one profile: plain data, the large arrays in shared memory. */
export interface ProfileJob {
  readonly model: { readonly name: string; readonly fpBytes: Uint8Array; readonly compile: ModelContext['compile']; readonly notes: readonly string[] };
  readonly feeds: ModelFeeds;
  readonly floatOutputs: readonly OutputValues[];
  readonly floatScores: readonly MetricScore[];
  readonly profile: BackendProfile;
  readonly data: EvaluationData;
  readonly metricIds: readonly string[];
  readonly settings: Omit<ProfileSettings, 'progress' | 'feeds' | 'data' | 'metrics' | 'versions'>;
  /** Receives each stage (`compile`, `inference`, …) as the worker reaches it. */
  readonly progress: NodeMessagePort;
}

export interface ProfileJobResult {
  readonly result: ProfileResult;
  readonly versions: Partial<Record<RuntimeName, string>>;
  /** The compiled native model, for the latency measured after the pool. */
  readonly nativeBytes?: Uint8Array;
}

/**
 * `evaluate`'s `workers` option: a count (1 = the calling thread, the default), or `'auto'`: the
 * core count when a model's evaluation is large enough to repay starting the workers
 * (`worthPooling`), else the calling thread.
 */
export type WorkersOption = number | 'auto';

/** Below this many (sample × profile × max(1, MMACs per sample)) units a pool costs more than it saves (worker start-up is about a second each). */
const POOL_WORTH = 20_000;

/** Whether `'auto'` pools the profiles of a model with `samples` test inputs of `macs` MACs each over `profiles` profiles. */
export function worthPooling(samples: number, macs: number, profiles: number): boolean {
  return profiles > 1 && samples * profiles * Math.max(1, macs / 1e6) >= POOL_WORTH;
}

/** The worker count for one model: the given count, or for `'auto'` the core count when `worthPooling`, else 1. */
export function workersFor(option: WorkersOption, samples: number, macs: number, profiles: number): number {
  if (option !== 'auto') return option;
  return worthPooling(samples, macs, profiles) ? availableParallelism() : 1;
}

/**
 * Why the profiles of this evaluation cannot run in worker threads, or undefined when they can:
 * workers receive data, not code, so a calibration function and a metric defined in the caller's
 * code (not a built-in id) keep the evaluation on the calling thread.
 */
export function poolBlocker(data: EvaluationData, metrics: readonly Metric[]): string | undefined {
  if (typeof data.calibration === 'function') return 'data.calibration is a function (workers take calibration arrays)';
  const builtin = Object.values(builtinMetrics) as readonly Metric[];
  const custom = metrics.find((m) => !builtin.includes(m));
  if (custom !== undefined) return `metric "${custom.id}" is not a built-in (workers rebuild metrics by id)`;
  return undefined;
}

/**
 * Copies arrays into shared memory, every worker then reading them without its own copy; the same
 * array (the test inputs are both `data.inputs` and the model's feeds) is copied once, and an array
 * already backed by a SharedArrayBuffer is not copied at all.
 */
class SharedCopies {
  readonly #copies = new Map<ArrayBufferView, ArrayBufferView>();

  of<T extends Float32Array | Uint8Array>(a: T): T {
    if (a.buffer instanceof SharedArrayBuffer) return a; // already shared: read in place
    const known = this.#copies.get(a);
    if (known !== undefined) return known as T;
    const out = (a instanceof Float32Array ? new Float32Array(new SharedArrayBuffer(a.byteLength)) : new Uint8Array(new SharedArrayBuffer(a.byteLength))) as T;
    out.set(a);
    this.#copies.set(a, out);
    return out;
  }

  record(r: Readonly<Record<string, Float32Array>>): Record<string, Float32Array> {
    return Object.fromEntries(Object.entries(r).map(([k, v]) => [k, this.of(v)]));
  }
}

/** `data` with its arrays in shared memory (the calibration too, when it is arrays). */
function sharedData(data: EvaluationData, shared: SharedCopies): EvaluationData {
  const arrays = (v: Float32Array | Readonly<Record<string, Float32Array>>) => (v instanceof Float32Array ? shared.of(v) : shared.record(v));
  return {
    ...data,
    inputs: arrays(data.inputs),
    ...(typeof data.calibration === 'function' ? {} : { calibration: arrays(data.calibration) }),
    ...(data.labels !== undefined ? { labels: Array.from(data.labels) } : {}),
    ...(data.targets !== undefined ? { targets: Array.from(data.targets) } : {}),
  };
}

/** The worker module: built next to this file (`dist/profileWorker.js`), or the TypeScript source when running from source. */
function workerFile(): { filename: string; execArgv: string[] } {
  const fromSource = import.meta.url.endsWith('.ts');
  const filename = new URL(fromSource ? './profileWorker.source.mjs' : './profileWorker.js', import.meta.url).href;
  // From source the worker registers the TypeScript loader itself and resolves workspace packages to their source, as the caller did.
  return { filename, execArgv: fromSource ? ['--conditions=@quant-trim/source'] : [] };
}

/**
 * Evaluates one model on every profile in a pool of `workers` threads (tinypool), one profile per
 * task, results in profile order. Each worker rebuilds the model context from the float model's
 * bytes and the shared arrays and runs the same `evaluateProfile` as the single-threaded path, so
 * the results are identical (every profile's evaluation is independent and deterministic).
 * Latency is not measured in the pool, where other profiles' work would distort it: after the
 * pool, each profile's native model is timed on this thread, one at a time (`withLatency`).
 */
export async function evaluateProfilesInPool(
  ctx: ModelContext,
  profiles: readonly BackendProfile[],
  settings: Omit<ProfileSettings, 'progress' | 'feeds'>,
  workers: number,
  onProgress: ((e: EvaluateProgress) => void) | undefined,
): Promise<ProfileResult[]> {
  const { filename, execArgv } = workerFile();
  const pool = new Tinypool({ filename, minThreads: 1, maxThreads: Math.min(workers, profiles.length), execArgv, isolateWorkers: false });
  const shared = new SharedCopies();
  const data = sharedData(settings.data, shared);
  const feeds: ModelFeeds = { ...ctx.feeds, data: shared.record(ctx.feeds.data) };
  const floatOutputs = ctx.floatOutputs.map((o) => ({ ...o, data: shared.of(o.data) }));
  // The float model too: one copy for all jobs instead of one cloned into each job's message.
  const fpBytes = shared.of(ctx.fpBytes);
  const { data: _d, metrics, versions, latency, ...rest } = settings;
  let done = 0;
  let outs: ProfileJobResult[];
  try {
    outs = await Promise.all(
      profiles.map(async (profile) => {
        const channel = new MessageChannel();
        channel.port1.on('message', (stage: EvaluateProgress['stage']) =>
          onProgress?.({ model: ctx.name, profile: profile.id, stage, done, total: profiles.length }),
        );
        const job: ProfileJob = {
          model: { name: ctx.name, fpBytes, compile: ctx.compile, notes: ctx.notes },
          feeds,
          floatOutputs,
          floatScores: ctx.floatScores,
          profile,
          data,
          metricIds: metrics.map((m) => m.id),
          settings: { ...rest, latency: undefined },
          progress: channel.port2,
        };
        try {
          const out = (await pool.run(job, { transferList: [channel.port2] })) as ProfileJobResult;
          Object.assign(versions, out.versions);
          done++;
          return out;
        } finally {
          channel.port1.close();
        }
      }),
    );
  } finally {
    await pool.destroy();
  }
  const results: ProfileResult[] = [];
  for (const out of outs) results.push(await withLatency(out.result, out.nativeBytes, { ...settings, feeds: ctx.feeds, latency }));
  return results;
}
