/**
 * The fuzz loop, run inside a worker thread so that the main thread can stop it: for each job
 * (a target and a range of case indices) it generates every case from its own PRNG, runs the
 * target, classifies the outcome and posts the tallies every `BATCH` cases. Before each case it
 * writes the case index to the shared heartbeat the main thread's watchdog reads, and whether
 * it is generating the input (a harness bug) or reading it.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { ErrorCodes, isQuantTrimError } from '@quant-trim/errors';
import { caseRng } from './mutate.js';
import { SELF_TEST_TARGET, StageError, TARGETS, checkSeeds } from './targets.js';
import type { FuzzFailure, WorkerJob, WorkerMessage } from './protocol.js';

const BATCH = 100;
const CODES = new Set<string>(Object.values(ErrorCodes));
const beat = new Int32Array(workerData.heartbeat as SharedArrayBuffer);
const post = (m: WorkerMessage) => parentPort!.postMessage(m);

const describe = (e: unknown): Pick<FuzzFailure, 'name' | 'message' | 'stack'> => {
  if (e instanceof Error) {
    return {
      name: e.name,
      message: e.message.slice(0, 400),
      stack: (e.stack ?? '')
        .split('\n')
        .slice(1, 6)
        .map((l) => l.trim())
        .join('\n'),
    };
  }
  return { name: typeof e, message: String(e).slice(0, 400), stack: '' };
};

/** The outcome key of a thrown value: its code when it is a coded error, else undefined (a failure). */
function codeOf(e: unknown): string | undefined {
  return isQuantTrimError(e) && CODES.has(e.code) && e.message.length > 0 ? e.code : undefined;
}

function runJob(job: WorkerJob): void {
  const target = [...TARGETS, SELF_TEST_TARGET].find((t) => t.name === job.target);
  if (!target) throw new Error(`unknown fuzz target ${job.target}`);
  const skip = new Set(job.skip);
  let batch: Extract<WorkerMessage, { type: 'batch' }> = {
    type: 'batch',
    from: job.from,
    to: job.from,
    ok: 0,
    coded: {},
    failures: [],
    slowestMs: 0,
    slowestCase: -1,
  };
  for (let i = job.from; i < job.to; i++) {
    if (!skip.has(i)) {
      Atomics.store(beat, 0, i);
      Atomics.store(beat, 2, 0);
      Atomics.add(beat, 1, 1);
      const input = target.generate(caseRng(job.seed, target.name, i), i);
      Atomics.store(beat, 2, 1);
      const before = process.memoryUsage().arrayBuffers;
      const t0 = performance.now();
      let key: string | undefined = 'ok';
      let failure: FuzzFailure | undefined;
      try {
        target.run(input);
      } catch (e) {
        // A later stage failing (even with a coded error) means the reader accepted what it should not have.
        key = e instanceof StageError ? undefined : codeOf(e);
        if (key === undefined) failure = { index: i, kind: 'error', ...(e instanceof StageError ? { stage: e.stage, ...describe(e.error) } : describe(e)) };
      }
      const ms = performance.now() - t0;
      const grownMb = (process.memoryUsage().arrayBuffers - before) / 2 ** 20;
      if (failure === undefined && grownMb > job.allocLimitMb) {
        failure = {
          index: i,
          kind: 'allocation',
          name: 'allocation',
          message: `${grownMb.toFixed(0)} MB of array buffers allocated by one case (limit ${job.allocLimitMb} MB)`,
          stack: '',
        };
      }
      if (failure) batch.failures.push(failure);
      else if (key === 'ok') batch.ok++;
      else batch.coded[key!] = (batch.coded[key!] ?? 0) + 1;
      if (ms > batch.slowestMs) [batch.slowestMs, batch.slowestCase] = [ms, i];
    }
    batch.to = i + 1;
    if (batch.to - batch.from >= BATCH || i === job.to - 1) {
      post(batch);
      batch = { type: 'batch', from: i + 1, to: i + 1, ok: 0, coded: {}, failures: [], slowestMs: 0, slowestCase: -1 };
    }
  }
  Atomics.store(beat, 0, -1);
  post({ type: 'done' });
}

try {
  checkSeeds();
  post({ type: 'ready' });
} catch (e) {
  post({ type: 'fatal', message: e instanceof Error ? (e.stack ?? e.message) : String(e) });
}
parentPort!.on('message', (job: WorkerJob) => {
  try {
    runJob(job);
  } catch (e) {
    post({ type: 'fatal', message: e instanceof Error ? (e.stack ?? e.message) : String(e) });
  }
});
