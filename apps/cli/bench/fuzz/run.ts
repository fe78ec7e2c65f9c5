/**
 * The fuzz runner. Design: the cases run in a loop inside ONE worker thread (in-process speed:
 * no per-case messages, the worker is reused across targets); the main thread is only the
 * watchdog. Before each case the worker stores the case index and bumps a counter in a shared
 * heartbeat; the main thread polls it, and when one case has been running longer than the time
 * limit it terminates the worker (which stops even a synchronous infinite loop), records that
 * case as a hang, starts a fresh worker and resumes from the last batch the old one reported,
 * skipping the hanging case. The worker runs with a heap limit, so an input that makes a parser
 * allocate without bound ends that worker (recorded as out-of-memory) instead of the process;
 * array-buffer growth per case is checked in the worker (`allocLimitMb`).
 *
 * Outcomes per case: ok (the reader accepted the input), a coded QuantTrimError (allowed, tallied
 * by code), anything else a failure. Case i of target t under seed s is generated from its own
 * PRNG (`caseRng(s, t, i)`), so `--seed s --target t --case i` replays exactly that input.
 */
import { Worker } from 'node:worker_threads';
import type { FuzzFailure, WorkerJob, WorkerMessage } from './protocol.js';

export type { FuzzFailure } from './protocol.js';

export interface FuzzOptions {
  readonly seed: number;
  /** Cases per target. */
  readonly cases: number;
  /** First case index (default 0): `--case i` runs [i, i + cases). */
  readonly first?: number;
  /** Target names (default: all). */
  readonly targets?: readonly string[];
  /** Per-case wall-time limit before the case counts as a hang (default 5000 ms). */
  readonly timeLimitMs?: number;
  /** Array buffers one case may allocate (default 256 MB). */
  readonly allocLimitMb?: number;
  /** The worker's old-generation heap limit (default 1024 MB). */
  readonly heapLimitMb?: number;
  /** Called after each target. */
  readonly onTarget?: (result: TargetResult) => void;
}

export interface TargetResult {
  readonly target: string;
  readonly seed: number;
  readonly first: number;
  readonly cases: number;
  ok: number;
  coded: Record<string, number>;
  failures: FuzzFailure[];
  slowestMs: number;
  slowestCase: number;
  seconds: number;
}

export const TARGET_NAMES = ['onnx', 'config', 'idx', 'csv', 'report'] as const;

interface Running {
  readonly worker: Worker;
  readonly beat: Int32Array;
  /** Resolves once the worker has loaded the targets and checked their seeds. */
  ready: Promise<void>;
  listener?: (m: WorkerMessage) => void;
  onExit?: (error: Error | undefined) => void;
}

function startWorker(heapLimitMb: number): Running {
  // Heartbeat: [0] the case running (−1 between jobs), [1] a counter bumped per case, [2] 0 while generating the input, 1 while reading it.
  const heartbeat = new SharedArrayBuffer(12);
  const beat = new Int32Array(heartbeat);
  beat[0] = -1;
  const worker = new Worker(new URL('./worker.mjs', import.meta.url), {
    workerData: { heartbeat, entry: new URL('./worker.ts', import.meta.url).href },
    // The worker resolves workspace packages to their sources, as the bench and tests do.
    execArgv: ['--conditions=@quant-trim/source'],
    resourceLimits: { maxOldGenerationSizeMb: heapLimitMb },
  });
  const running: Running = { worker, beat, ready: Promise.resolve() };
  running.ready = new Promise<void>((resolve, reject) => {
    running.listener = (m) => {
      if (m.type === 'ready') resolve();
      else if (m.type === 'fatal') reject(new Error(`fuzz worker failed to start: ${m.message}`));
    };
    running.onExit = (error) => reject(new Error(`fuzz worker exited while starting${error ? `: ${error.message}` : ''}`));
  });
  worker.on('message', (m: WorkerMessage) => running.listener?.(m));
  worker.on('error', (e) => running.onExit?.(e));
  worker.on('exit', () => running.onExit?.(undefined));
  return running;
}

/** Runs `cases` cases of each target; never throws for a failing case (failures are in the results). */
export async function runFuzz(options: FuzzOptions): Promise<TargetResult[]> {
  const timeLimitMs = options.timeLimitMs ?? 5000;
  const allocLimitMb = options.allocLimitMb ?? 256;
  const heapLimitMb = options.heapLimitMb ?? 1024;
  const first = options.first ?? 0;
  const names = options.targets ?? TARGET_NAMES;
  const results: TargetResult[] = [];
  let running: Running | undefined;
  try {
    for (const target of names) {
      const result: TargetResult = {
        target,
        seed: options.seed,
        first,
        cases: options.cases,
        ok: 0,
        coded: {},
        failures: [],
        slowestMs: 0,
        slowestCase: -1,
        seconds: 0,
      };
      const t0 = performance.now();
      const skip: number[] = [];
      let from = first;
      const end = first + options.cases;
      while (from < end) {
        running ??= startWorker(heapLimitMb);
        await running.ready;
        const outcome = await runJob(running, { target, seed: options.seed, from, to: end, skip, allocLimitMb }, timeLimitMs, (batch) => {
          result.ok += batch.ok;
          for (const [code, n] of Object.entries(batch.coded)) result.coded[code] = (result.coded[code] ?? 0) + n;
          result.failures.push(...batch.failures);
          if (batch.slowestMs > result.slowestMs) [result.slowestMs, result.slowestCase] = [batch.slowestMs, batch.slowestCase];
          from = batch.to;
        });
        if (outcome.type === 'done') break;
        // The worker is gone or stuck in `outcome.index`: record it, start afresh after the last reported batch.
        await running.worker.terminate();
        running = undefined;
        if (outcome.index < 0) throw new Error(`fuzz worker for ${target} failed outside a case: ${outcome.message}`);
        result.failures.push({ index: outcome.index, kind: outcome.kind, name: outcome.kind, message: outcome.message, stack: '' });
        skip.push(outcome.index);
      }
      result.failures.sort((a, b) => a.index - b.index);
      result.seconds = (performance.now() - t0) / 1000;
      results.push(result);
      options.onTarget?.(result);
    }
  } finally {
    await running?.worker.terminate();
  }
  return results;
}

type JobOutcome = { type: 'done' } | { type: 'stopped'; kind: 'hang' | 'out-of-memory'; index: number; message: string };

function runJob(running: Running, job: WorkerJob, timeLimitMs: number, onBatch: (b: Extract<WorkerMessage, { type: 'batch' }>) => void): Promise<JobOutcome> {
  return new Promise((resolve, reject) => {
    let lastSeq = Atomics.load(running.beat, 1);
    let lastChange = performance.now();
    const finish = (outcome: JobOutcome | Error) => {
      clearInterval(timer);
      running.listener = undefined;
      running.onExit = undefined;
      if (outcome instanceof Error) reject(outcome);
      else resolve(outcome);
    };
    const timer = setInterval(
      () => {
        const seq = Atomics.load(running.beat, 1);
        const now = performance.now();
        if (seq !== lastSeq) [lastSeq, lastChange] = [seq, now];
        else if (Atomics.load(running.beat, 0) >= 0 && now - lastChange > timeLimitMs) {
          const index = Atomics.load(running.beat, 0);
          const where = Atomics.load(running.beat, 2) === 0 ? ' (still generating the input: a harness bug)' : '';
          finish({ type: 'stopped', kind: 'hang', index, message: `case ${index} still running after ${timeLimitMs} ms${where}: stopped` });
        }
      },
      Math.min(50, timeLimitMs / 4),
    );
    running.listener = (m) => {
      if (m.type === 'batch') onBatch(m);
      else if (m.type === 'done') finish({ type: 'done' });
      else if (m.type === 'fatal') finish(new Error(`fuzz worker failed: ${m.message}`));
    };
    running.onExit = (error) => {
      const index = Atomics.load(running.beat, 0);
      const oom = (error as { code?: string } | undefined)?.code === 'ERR_WORKER_OUT_OF_MEMORY';
      const where = Atomics.load(running.beat, 2) === 0 ? ' while generating the input (a harness bug)' : '';
      finish({
        type: 'stopped',
        kind: 'out-of-memory',
        index,
        message: oom ? `case ${index} exhausted the worker's heap${where}` : `the worker died in case ${index}${where}${error ? `: ${error.message}` : ''}`,
      });
    };
    running.worker.postMessage(job);
  });
}

/** The tally of a result as report lines: cases, ok, coded errors by code, failures with how to replay them. */
export function formatResult(r: TargetResult): string {
  const coded = Object.entries(r.coded).sort(([, a], [, b]) => b - a);
  const codedTotal = coded.reduce((n, [, c]) => n + c, 0);
  const lines = [
    `${r.target}: ${r.cases} cases in ${r.seconds.toFixed(1)} s — ok ${r.ok}, coded errors ${codedTotal}, failures ${r.failures.length}; slowest case ${r.slowestMs.toFixed(1)} ms (#${r.slowestCase})`,
    ...coded.map(([code, n]) => `  ${code}: ${n}`),
    ...r.failures
      .slice(0, 20)
      .map(
        (f) =>
          `  FAIL #${f.index} ${f.kind}${f.stage ? ` in ${f.stage}` : ''}: ${f.name}: ${f.message.split('\n')[0]} (replay: --seed ${r.seed} --target ${r.target} --case ${f.index})${f.stack ? `\n      ${f.stack.replace(/\n/g, '\n      ')}` : ''}`,
      ),
    ...(r.failures.length > 20 ? [`  … and ${r.failures.length - 20} more failures`] : []),
  ];
  return lines.join('\n');
}
