import { seededPermutation, seededRng, shuffleInPlace } from './random.js';
import type { Split } from './types.js';

/**
 * Samples as they come from a source, before ordering and limiting: raw `pixels` (uint8 bytes or
 * floats) that become `pixels[i] * scale` in the final split. Keeping the raw buffer means a
 * `trainLimit` of 1,000 on Fashion-MNIST converts 1,000 images, not 60,000.
 */
export interface SamplePool {
  readonly pixels: Uint8Array | Float32Array;
  readonly labels: Uint8Array;
  readonly count: number;
  /** Values per sample (height × width × channels). */
  readonly sampleSize: number;
  /** Multiplier that maps `pixels` into [0, 1] (1/255 for bytes). */
  readonly scale: number;
}

/** Copies the samples `indices` of `pool` (in that order) into a split, scaled into [0, 1]. */
export function gatherSplit(pool: SamplePool, indices: ArrayLike<number>): Split {
  const { pixels, labels, sampleSize, scale } = pool;
  const count = indices.length;
  const x = new Float32Array(count * sampleSize);
  const y = new Uint8Array(count);
  for (let k = 0; k < count; k++) {
    const i = indices[k] as number;
    y[k] = labels[i] as number;
    const from = i * sampleSize;
    const to = k * sampleSize;
    if (scale === 1 && pixels instanceof Float32Array) {
      x.set(pixels.subarray(from, from + sampleSize), to);
    } else {
      for (let p = 0; p < sampleSize; p++) x[to + p] = (pixels[from + p] as number) * scale;
    }
  }
  return { x, y, count };
}

/** `count` samples of a loaded split in a seeded order (e.g. the calibration slice of the training split). */
export function seededSubset(split: Split, sampleSize: number, seed: number, stream: string, count: number): Split {
  return orderedSplit({ pixels: split.x, labels: split.y, count: split.count, sampleSize, scale: 1 }, seed, stream, count);
}

/**
 * The whole pool in a seeded order, cut to the first `limit` samples. `stream` names the random
 * stream so train and test orders are independent.
 */
export function orderedSplit(pool: SamplePool, seed: number, stream: string, limit: number | undefined): Split {
  return gatherSplit(pool, orderedIndices(pool.count, seed, stream, limit));
}

/**
 * Stratified seeded split of one pool: for each class, a seeded shuffle of its samples, then the
 * first `round(n_c × testFraction)` go to test and the rest to train. Each side is then shuffled
 * again (seeded) so classes are interleaved and any prefix (`trainLimit`) stays roughly balanced.
 */
export function stratifiedSplit(
  pool: SamplePool,
  options: { seed: number; stream: string; testFraction: number; trainLimit?: number | undefined; testLimit?: number | undefined },
): { train: Split; test: Split } {
  const { train, test } = stratifiedIndices(pool.labels, pool.count, options);
  return {
    train: gatherSplit(pool, limitTo(train, options.trainLimit)),
    test: gatherSplit(pool, limitTo(test, options.testLimit)),
  };
}

/**
 * The sample indices of {@link stratifiedSplit}, cut to the limits: for sources that decode only the
 * samples they keep (image folders).
 */
export function stratifiedIndices(
  labels: ArrayLike<number>,
  count: number,
  options: { seed: number; stream: string; testFraction: number; trainLimit?: number | undefined; testLimit?: number | undefined },
): { train: number[]; test: number[] } {
  const { seed, stream, testFraction } = options;
  const byClass = new Map<number, number[]>();
  for (let i = 0; i < count; i++) {
    const label = labels[i] as number;
    let bucket = byClass.get(label);
    if (!bucket) byClass.set(label, (bucket = []));
    bucket.push(i);
  }
  const train: number[] = [];
  const test: number[] = [];
  for (const label of [...byClass.keys()].sort((a, b) => a - b)) {
    const members = shuffleInPlace(byClass.get(label) as number[], seededRng(seed, `${stream}/class/${label}`));
    const nTest = Math.round(members.length * testFraction);
    for (let k = 0; k < members.length; k++) (k < nTest ? test : train).push(members[k] as number);
  }
  shuffleInPlace(train, seededRng(seed, `${stream}/train`));
  shuffleInPlace(test, seededRng(seed, `${stream}/test`));
  return { train: limitTo(train, options.trainLimit), test: limitTo(test, options.testLimit) };
}

/** The sample indices of {@link orderedSplit}: `0 … count-1` in the seeded order of `stream`, cut to `limit`. */
export function orderedIndices(count: number, seed: number, stream: string, limit: number | undefined): Uint32Array {
  const order = seededPermutation(count, seededRng(seed, stream));
  return limit === undefined ? order : order.subarray(0, Math.min(limit, order.length));
}

function limitTo(indices: number[], limit: number | undefined): number[] {
  return limit === undefined || limit >= indices.length ? indices : indices.slice(0, limit);
}

/** `max label + 1` over the given label arrays (0 when all are empty). */
export function classCount(...labelSets: Uint8Array[]): number {
  let max = -1;
  for (const labels of labelSets) for (let i = 0; i < labels.length; i++) if ((labels[i] as number) > max) max = labels[i] as number;
  return max + 1;
}
