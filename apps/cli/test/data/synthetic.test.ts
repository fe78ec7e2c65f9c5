import { describe, expect, it } from 'vitest';
import { describeDataset, loadDataset, SYNTHETIC_TEST_SIZE, SYNTHETIC_TRAIN_SIZE } from '../../src/data/index.js';
import { classCounts, sameBytes } from './helpers.js';

describe('synthetic', () => {
  it('generates 6,000 / 1,000 balanced 28×28 digits in [0, 1]', async () => {
    const d = await loadDataset({ dataset: 'synthetic', seed: 0 });
    expect(describeDataset(d)).toBe('synthetic: 6,000 train / 1,000 test, 28×28×1, 10 classes (generated (quant-trim stroke digits))');
    expect([d.train.count, d.test.count]).toEqual([SYNTHETIC_TRAIN_SIZE, SYNTHETIC_TEST_SIZE]);
    expect(d.train.x.length).toBe(6000 * 784);
    expect(classCounts(d.train.y, 10)).toEqual(new Array(10).fill(600));
    expect(classCounts(d.test.y, 10)).toEqual(new Array(10).fill(100));
    let min = Infinity,
      max = -Infinity;
    for (let i = 0; i < d.test.x.length; i++) {
      const v = d.test.x[i]!;
      if (v < min) min = v;
      if (v > max) max = v;
    }
    expect(min).toBe(0);
    expect(max).toBe(1);
  });

  it('is deterministic per seed and limit-stable', async () => {
    const a = await loadDataset({ dataset: 'synthetic', seed: 7, trainLimit: 300, testLimit: 50 });
    const b = await loadDataset({ dataset: 'synthetic', seed: 7, trainLimit: 100, testLimit: 50 });
    const c = await loadDataset({ dataset: 'synthetic', seed: 8, trainLimit: 300, testLimit: 50 });
    expect(a.train.count).toBe(300);
    expect(sameBytes(b.train.x, a.train.x.subarray(0, 100 * 784))).toBe(true);
    expect(sameBytes(b.test.x, a.test.x)).toBe(true);
    expect(sameBytes(c.train.x, a.train.x)).toBe(false);
  });

  it('is learnable: a nearest-class-mean classifier beats 80% on test', async () => {
    const d = await loadDataset({ dataset: 'synthetic', seed: 0, trainLimit: 2000, testLimit: 500 });
    const means = Array.from({ length: 10 }, () => new Float64Array(784));
    const counts = classCounts(d.train.y, 10);
    for (let k = 0; k < d.train.count; k++) {
      const m = means[d.train.y[k]!]!;
      for (let p = 0; p < 784; p++) m[p]! += d.train.x[k * 784 + p]! / counts[d.train.y[k]!]!;
    }
    let correct = 0;
    for (let k = 0; k < d.test.count; k++) {
      let best = -1,
        bestDist = Infinity;
      means.forEach((m, c) => {
        let dist = 0;
        for (let p = 0; p < 784; p++) dist += (d.test.x[k * 784 + p]! - m[p]!) ** 2;
        if (dist < bestDist) [best, bestDist] = [c, dist];
      });
      if (best === d.test.y[k]) correct++;
    }
    expect(correct / d.test.count).toBeGreaterThan(0.8);
  });
});
