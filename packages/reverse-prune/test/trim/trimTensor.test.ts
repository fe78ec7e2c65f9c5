import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { errorCode, randomNormal } from '@quant-trim/test-utils';
import { plantedOutliers } from '../plantedOutliers.js';
import { trimTensor } from '../../src/trim/trimTensor.js';
import { trimTypedArray } from '../../src/trim/trimTypedArray.js';
import type { TrimCriterion, TrimGranularity } from '../../src/trim/types.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

const shape = [4, 3, 6, 8];
const { values: w } = plantedOutliers(shape, { seed: 11, rate: 0.02 });

const criteria: TrimCriterion[] = [
  { kind: 'quantile', p: 0.05 },
  { kind: 'quantile', p: 0.34 },
  { kind: 'quantile', p: 0 },
  { kind: 'sigma', k: 2.5 },
  { kind: 'median-ratio', ratio: 3 },
];
const granularities: TrimGranularity[] = [
  { kind: 'per-tensor' },
  { kind: 'per-channel', axis: 0 },
  { kind: 'per-channel', axis: -1 },
  { kind: 'per-channel', axis: 2 },
  { kind: 'per-group', axis: 2, groupSize: 3 },
  { kind: 'per-group', axis: -1, groupSize: 4 },
];

describe('trimTensor agrees with trimTypedArray', () => {
  for (const criterion of criteria) {
    for (const granularity of granularities) {
      it(`${JSON.stringify(criterion)} ${JSON.stringify(granularity)}`, () => {
        const host = trimTypedArray(w, shape, { criterion, granularity });
        const dev = trimTensor(tf.tensor(w, shape), { criterion, granularity });
        expect(dev.thresholds.shape).toEqual(host.thresholds.shape);
        const tau = dev.thresholds.dataSync();
        const mask = dev.mask.dataSync();
        const values = dev.values.dataSync();
        const exact = criterion.kind !== 'sigma';
        host.thresholds.thresholds.forEach((t, g) => (exact ? expect(tau[g]).toBe(Math.fround(t)) : expect(tau[g]).toBeCloseTo(t, 5)));
        let differing = 0;
        for (let i = 0; i < w.length; i++) if (mask[i] !== host.mask[i]) differing++;
        expect(differing).toBe(0);
        for (let i = 0; i < w.length; i++) {
          if (exact) expect(values[i]).toBe(host.values[i]);
          else expect(values[i]).toBeCloseTo(host.values[i]!, 5);
        }
        if (criterion.kind === 'quantile' && criterion.p === 0) expect(host.trimmed).toBe(0);
        else expect(host.trimmed).toBeGreaterThan(0);
        tf.dispose([dev.values, dev.mask, dev.thresholds]);
      });
    }
  }
});

describe('trimTensor gradients and operations', () => {
  const x = tf.tensor(w, shape);
  const dy = tf.tensor(randomNormal(w.length, 1, 3), shape);
  const criterion = { kind: 'quantile', p: 0.05 } as const;
  const granularity = { kind: 'per-channel', axis: -1 } as const;

  it('straight-through: dw = dy exactly', () => {
    const g = tf.grad((v: tf.Tensor) => tf.sum(tf.mul(trimTensor(v, { criterion, granularity }).values, dy)))(x);
    expect(Array.from(g.dataSync())).toEqual(Array.from(dy.dataSync()));
  });

  it('masked: no gradient at trimmed weights, dy elsewhere', () => {
    const { mask } = trimTypedArray(w, shape, { criterion, granularity });
    for (const operation of ['clamp', 'zero'] as const) {
      const g = tf
        .grad((v: tf.Tensor) => tf.sum(tf.mul(trimTensor(v, { criterion, granularity, operation, gradient: 'masked' }).values, dy)))(x)
        .dataSync();
      const d = dy.dataSync();
      expect(mask.some((m) => m === 1)).toBe(true);
      for (let i = 0; i < w.length; i++) expect(g[i]! + 0).toBe(mask[i] === 1 ? 0 : d[i]);
    }
  });

  it('zero sets trimmed weights to 0 and leaves the rest', () => {
    const host = trimTypedArray(w, shape, { criterion, granularity, operation: 'zero' });
    const dev = trimTensor(x, { criterion, granularity, operation: 'zero' });
    expect(Array.from(dev.values.dataSync())).toEqual(Array.from(host.values));
  });

  it('leaks no tensors', () => {
    const before = tf.memory().numTensors;
    const r = trimTensor(x, { criterion: { kind: 'median-ratio', ratio: 2 }, granularity: { kind: 'per-group', axis: 2, groupSize: 2 } });
    tf.dispose([r.values, r.mask, r.thresholds]);
    tf.grad((v: tf.Tensor) => tf.sum(trimTensor(v, { criterion, granularity, gradient: 'masked' }).values))(x).dispose();
    expect(tf.memory().numTensors).toBe(before);
  });

  it('rejects bad arguments with codes', () => {
    expect(errorCode(() => trimTensor(tf.tensor([1, 2], [2], 'int32'), { criterion }))).toBe('QT_INVALID_ARGUMENT');
    expect(errorCode(() => trimTensor(x, { criterion, granularity: { kind: 'per-group', axis: 2, groupSize: 4 } }))).toBe('QT_INVALID_GRANULARITY');
    expect(errorCode(() => trimTensor(x, { criterion, granularity: { kind: 'per-channel', axis: 4 } }))).toBe('QT_INVALID_GRANULARITY');
    expect(() => trimTensor(x, { criterion, gradient: 'none' as never })).toThrow(/options\.gradient/);
  });
});
