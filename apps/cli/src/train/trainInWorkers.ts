import { rmSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type * as tf from '@tensorflow/tfjs';
import { runDataParallel } from '@quant-trim/fake-quant/node';
import type { Dataset, Split } from '../data/types.js';
import type { Reporter } from '../output/types.js';
import { readLatest } from './checkpoints.js';
import { type TrainOptions, type TrainResult, trainReplica } from './trainMethod.js';

/** A float model as data: its Layers topology and weights (what `build()` returned, seeded). */
export interface ModelArtifacts {
  readonly topology: object;
  readonly weights: readonly { readonly values: Float32Array; readonly shape: readonly number[] }[];
}

/** What each worker of `trainInWorkers` receives. */
export interface WorkerTrainJob {
  /** `TrainOptions` without its functions and signal (`build`, `reporter`, `signal`); always `resume`. */
  readonly options: Omit<TrainOptions, 'build' | 'reporter' | 'signal' | 'dataset' | 'workers'>;
  readonly dataset: Dataset;
  /** The model to start from; undefined when resuming from a checkpoint. */
  readonly model: ModelArtifacts | undefined;
  /** Set (non-zero) by this thread when `options.signal` aborts; the replicas stop at the next step together. */
  readonly abort: Int32Array;
}

/** A reporter call forwarded from rank 0. */
export interface ReporterMessage {
  readonly method: keyof Reporter;
  readonly event: unknown;
}

/** The worker entry: the compiled `trainWorker.js` beside this module, or its TypeScript source through a loader shim. */
function workerScript(): string {
  const here = fileURLToPath(import.meta.url);
  return here.endsWith('.ts') ? fileURLToPath(new URL('./trainWorker.dev.mjs', import.meta.url)) : fileURLToPath(new URL('./trainWorker.js', import.meta.url));
}

/** A copy of `split` in shared memory: every worker reads it without a copy of its own. */
function sharedSplit(split: Split): Split {
  if (split.x.buffer instanceof SharedArrayBuffer && split.y.buffer instanceof SharedArrayBuffer) return split;
  const x = new Float32Array(new SharedArrayBuffer(split.x.byteLength));
  x.set(split.x);
  const y = new Uint8Array(new SharedArrayBuffer(split.y.byteLength));
  y.set(split.y);
  return { ...split, x, y };
}

/**
 * `trainMethod` with `options.workers` data-parallel replicas in worker threads: this thread
 * builds the model once (so every replica starts from the same weights), hands the dataset over
 * in shared memory, forwards rank 0's progress to `options.reporter`, and finally loads the last
 * checkpoint the replicas wrote, as a resumed run would, for the caller.
 */
export async function trainInWorkers(options: TrainOptions & { readonly workers: number }): Promise<TrainResult> {
  const { build, reporter, signal, dataset, workers, ...rest } = options;
  const previous = options.resume ? readLatest(options.dir) : undefined;
  if (!options.resume) rmSync(options.dir, { recursive: true, force: true });
  let model: ModelArtifacts | undefined;
  if (previous === undefined) {
    const built: tf.LayersModel = await build();
    model = {
      topology: built.toJSON(undefined, false) as object,
      weights: built.getWeights().map((w) => ({ values: w.dataSync() as Float32Array, shape: w.shape })),
    };
    built.dispose();
  }
  // The caller's AbortSignal (Ctrl-C) sets a flag every replica reads at each step.
  const abort = new Int32Array(new SharedArrayBuffer(4));
  const onAbort = () => Atomics.store(abort, 0, 1);
  const target = signal instanceof AbortSignal ? signal : undefined;
  target?.addEventListener('abort', onAbort);
  if (signal?.aborted) onAbort();
  const job: WorkerTrainJob = {
    options: { ...rest, resume: true },
    dataset: { ...dataset, train: sharedSplit(dataset.train), test: sharedSplit(dataset.test) },
    model,
    abort,
  };
  try {
    // A resumed run whose epochs are all done has nothing to train.
    if (previous === undefined || previous.epoch < options.epochs)
      await runDataParallel(workerScript(), {
        workers,
        data: job,
        onMessage: (_rank, message) => {
          const { method, event } = message as ReporterMessage;
          (reporter?.[method] as ((e: unknown) => void) | undefined)?.(event);
        },
      });
  } finally {
    target?.removeEventListener('abort', onAbort);
  }
  // Every epoch is trained and checkpointed: loading the last checkpoint trains nothing more.
  const result = await trainReplica({ ...options, workers: 1, resume: true, reporter: undefined }, undefined);
  return { ...result, resumedFrom: previous?.epoch ?? 0, workers };
}
