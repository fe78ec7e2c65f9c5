import { availableParallelism } from 'node:os';
import { Worker, parentPort, workerData as threadData } from 'node:worker_threads';
import { type ErrorCode, ErrorCodes, QuantTrimError } from '@quant-trim/errors';
import { DataParallelReplica } from '../parallel/DataParallelReplica.js';
import { abortCollective, createCollectiveBuffer, sharedMemoryCollective } from '../parallel/collective.js';

export interface DataParallelOptions {
  /** Replicas (worker threads). Default: the machine's available parallelism. */
  readonly workers?: number;
  /** Passed to every replica (structured-cloned), as `joinDataParallel().data`. */
  readonly data?: unknown;
  /** Floats one replica exchanges per round; longer exchanges go in chunks. Default 2^18 (1 MiB). */
  readonly slotFloats?: number;
  /** Node options of the worker threads. Default: this process's (so a TypeScript loader carries over). */
  readonly execArgv?: string[];
  /** Receives what a worker sends with `joinDataParallel().send` (progress, logs), as it arrives. */
  readonly onMessage?: (rank: number, message: unknown) => void;
}

/** What `runDataParallel` hands each worker thread. */
interface ReplicaData {
  readonly kind: 'quant-trim:replica';
  readonly buffer: SharedArrayBuffer;
  readonly rank: number;
  readonly size: number;
  readonly data: unknown;
}

const RESULT = 'quant-trim:result';
const MESSAGE = 'quant-trim:message';

/** The default number of data-parallel workers: the cores Node may use. */
export function defaultWorkerCount(): number {
  return availableParallelism();
}

/**
 * Runs `script` in `workers` worker threads as the replicas of one data-parallel training run
 * (package README, "Data-parallel training"). Each worker calls `joinDataParallel()` to get its
 * `DataParallelReplica` and `data`, trains, and hands back a result with `done(value)`; resolves
 * with the results in rank order. If any worker fails, the others are stopped at their next
 * synchronisation and this rejects with the first failure: with its own `QuantTrimError` code and
 * message when it had one (`details.worker` names the worker), else `QT_WORKER_FAILED` with the
 * worker's rank and message.
 */
export async function runDataParallel<T = unknown>(script: string | URL, options: DataParallelOptions = {}): Promise<T[]> {
  const size = options.workers ?? defaultWorkerCount();
  if (!Number.isInteger(size) || size < 1)
    throw new QuantTrimError({
      code: 'QT_INVALID_ARGUMENT',
      message: `runDataParallel: workers must be an integer ≥ 1, got ${size}`,
      details: { field: 'workers' },
    });
  const buffer = createCollectiveBuffer(size, options.slotFloats);
  const results = new Array<T>(size);
  const received = new Array<boolean>(size).fill(false);
  let failure: { rank: number; error: unknown } | undefined;
  const fail = (rank: number, error: unknown) => {
    // The first failure is the cause; the others' QT_WORKER_FAILED follow from the abort.
    if (failure === undefined) failure = { rank, error };
    abortCollective(buffer);
  };
  await Promise.all(
    Array.from(
      { length: size },
      (_, rank) =>
        new Promise<void>((resolve) => {
          const replicaData: ReplicaData = { kind: 'quant-trim:replica', buffer, rank, size, data: options.data };
          const worker = new Worker(script, { workerData: replicaData, ...(options.execArgv ? { execArgv: options.execArgv } : {}) });
          worker.on('message', (message: { kind?: string; value?: T; message?: unknown }) => {
            if (message?.kind === MESSAGE) options.onMessage?.(rank, message.message);
            if (message?.kind !== RESULT) return;
            results[rank] = message.value as T;
            received[rank] = true;
          });
          worker.on('error', (error) => fail(rank, error));
          worker.on('exit', (code) => {
            if (code !== 0 || !received[rank]) fail(rank, new Error(code !== 0 ? `exited with code ${code}` : 'exited without calling done()'));
            resolve();
          });
        }),
    ),
  );
  if (failure !== undefined) throw workerError(failure.rank, failure.error);
  return results;
}

function workerError(rank: number, error: unknown): QuantTrimError {
  const e = error as { code?: unknown; message?: unknown; details?: Record<string, unknown> };
  const text = typeof e?.message === 'string' ? e.message : String(error);
  // A coded failure keeps its code and message (every replica meets it alike); anything else names the worker.
  if (typeof e?.code === 'string' && e.code in ErrorCodes && e.code !== 'QT_WORKER_FAILED')
    return new QuantTrimError({ code: e.code as ErrorCode, message: text, details: { ...(e.details ?? {}), worker: rank }, cause: error });
  return new QuantTrimError({ code: 'QT_WORKER_FAILED', message: `data-parallel worker ${rank}: ${text}`, details: { worker: rank }, cause: error });
}

/**
 * In a worker thread started by `runDataParallel`: this thread's replica (its collective
 * installed), the run's `data`, `send(message)` to the runner's `onMessage`, and `done(value)`,
 * which hands this replica's result back.
 */
export function joinDataParallel<D = unknown>(): { replica: DataParallelReplica; data: D; send(message: unknown): void; done(value?: unknown): void } {
  const d = threadData as ReplicaData | undefined;
  if (parentPort === null || d?.kind !== 'quant-trim:replica')
    throw new QuantTrimError({ code: 'QT_INVALID_ARGUMENT', message: 'joinDataParallel: call it in a worker thread started by runDataParallel' });
  const replica = new DataParallelReplica(sharedMemoryCollective(d.buffer, d.rank, d.size));
  const port = parentPort;
  return {
    replica,
    data: d.data as D,
    send: (message: unknown) => port.postMessage({ kind: MESSAGE, message }),
    done: (value?: unknown) => port.postMessage({ kind: RESULT, value }),
  };
}
