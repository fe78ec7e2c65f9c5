import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { isQuantTrimError } from '@quant-trim/errors';
import { runDataParallel } from '../../src/node.js';
import type { WorkerJob } from './fixtures/dataParallelWorker.js';

const WORKER = fileURLToPath(new URL('./fixtures/dataParallelWorker.mjs', import.meta.url));
// The replica is TypeScript importing workspace sources (loaded by the .mjs entry through tsx).
const EXEC_ARGV = ['--conditions=@quant-trim/source'];

interface Result {
  readonly losses: number[];
  readonly weights: Record<string, number[]>;
}

const run = (workers: number, job: WorkerJob, onMessage?: (rank: number, message: unknown) => void) =>
  runDataParallel<Result>(WORKER, { workers, data: job, execArgv: EXEC_ARGV, ...(onMessage ? { onMessage } : {}) });

/** Largest |a − b| / max(1, |b|) over every weight. */
function largestDifference(a: Result, b: Result): { name: string; diff: number } {
  let worst = { name: '', diff: 0 };
  for (const [name, values] of Object.entries(b.weights)) {
    const other = a.weights[name]!;
    expect(other, name).toHaveLength(values.length);
    for (let i = 0; i < values.length; i++) {
      const d = Math.abs(other[i]! - values[i]!) / Math.max(1, Math.abs(values[i]!));
      if (d > worst.diff) worst = { name: `${name}[${i}]`, diff: d };
    }
  }
  return worst;
}

describe('data-parallel training (worker threads over shared memory)', () => {
  // QAT at λ = 1 (a blended λ lets summation-order differences flip rounding decisions of the
  // float branch's neighbours and grow by orders of magnitude more in a few Adam steps).
  const job: WorkerJob = {
    steps: 6,
    batch: 10,
    lambda: 1,
    observer: { tailTrim: { pMax: 0.02, refreshEvery: 2 }, randomCalibration: { seed: 3, observeEvery: 2, refreshEvery: 3, bins: 256 } },
  };

  it('two replicas train a BatchNorm QAT model as one does, up to float summation order, and all replicas end identical', async () => {
    const [one] = await run(1, job);
    const messages: unknown[] = [];
    const two = await run(2, job, (rank, message) => messages.push({ rank, message }));
    expect(two).toHaveLength(2);
    // What rank 0 sent arrived in order, before the result.
    expect(messages).toEqual(two[0]!.losses.map((loss, step) => ({ rank: 0, message: { step, loss } })));
    // Replicas hold bit-identical weights (moving statistics, observer ranges and clamps included).
    expect(two[1]!.weights).toEqual(two[0]!.weights);
    expect(two[1]!.losses).toEqual(two[0]!.losses);
    const names = Object.keys(one!.weights);
    expect(names.some((n) => n.endsWith('moving_mean'))).toBe(true);
    expect(names.some((n) => n.endsWith('/tail_clamp'))).toBe(true);
    const worst = largestDifference(two[0]!, one!);
    expect(worst.diff, worst.name).toBeLessThan(5e-5);
    two[0]!.losses.forEach((l, i) => expect(l).toBeCloseTo(one!.losses[i]!, 4));
  }, 300_000);

  it('is deterministic for a given number of replicas, with an uneven split (batch 7 over 3)', async () => {
    const uneven = { ...job, batch: 7 };
    const a = await run(3, uneven);
    const b = await run(3, uneven);
    expect(a[0]!.weights).toEqual(b[0]!.weights);
    expect(a[2]!.weights).toEqual(a[0]!.weights);
    const [one] = await run(1, uneven);
    const worst = largestDifference(a[0]!, one!);
    expect(worst.diff, worst.name).toBeLessThan(5e-5);
  }, 300_000);

  it('a final batch with fewer rows than replicas pads the rest with rows that count for nothing (batch 2 over 3)', async () => {
    const tiny = { ...job, batch: 2 };
    const three = await run(3, tiny);
    expect(three[2]!.weights).toEqual(three[0]!.weights);
    const [one] = await run(1, tiny);
    const worst = largestDifference(three[0]!, one!);
    expect(worst.diff, worst.name).toBeLessThan(5e-5);
  }, 300_000);

  it('a failing worker stops the run with its rank and message; the others do not hang', async () => {
    const error = await run(2, { ...job, failAt: { rank: 1, step: 2 } }).catch((e: unknown) => e);
    expect(isQuantTrimError(error, 'QT_WORKER_FAILED')).toBe(true);
    expect((error as Error).message).toMatch(/worker 1: planned failure at step 2/);
  }, 300_000);
});
