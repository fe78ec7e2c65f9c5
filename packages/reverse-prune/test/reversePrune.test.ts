import * as tf from '@tensorflow/tfjs';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { constant } from '@quant-trim/schedulers';
import { errorCode } from '@quant-trim/test-utils';
import { plantedOutliers } from './plantedOutliers.js';
import { createReversePrune, type ReversePrune } from '../src/reversePrune.js';
import { trimTypedArray } from '../src/trim/trimTypedArray.js';
import type { TrimStepContext } from '../src/trim/types.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

const shape = [3, 3, 16, 8]; // per output channel: n = 144
const ctx = { layer: 'conv', weight: 'kernel', channelAxis: 3, training: true };
let transforms: ReversePrune[] = [];
let variables: tf.Variable[] = [];
afterEach(() => {
  transforms.forEach((t) => t.dispose());
  tf.dispose(variables);
  transforms = [];
  variables = [];
});

function setup(options: Parameters<typeof createReversePrune>[0], seed = 1) {
  const trim = createReversePrune(options);
  const variable = tf.variable(tf.tensor(plantedOutliers(shape, { seed, rate: 0.01 }).values, shape));
  transforms.push(trim);
  variables.push(variable);
  const step = (s: number, strength: number): TrimStepContext => ({
    step: s,
    strength,
    weights: [{ ...ctx, variable: { read: () => variable }, view: shape }],
  });
  const applied = (strength = 1, s = 0) => tf.tidy(() => trim.apply(variable, { ...ctx, strength, step: s })).dataSync() as Float32Array;
  return { trim, variable, step, applied };
}

describe('createReversePrune', () => {
  it('trims ⌈pMax·s·(n − 1)⌉ weights per group (interpolated quantile), matching trimTypedArray', () => {
    const { trim, variable, step, applied } = setup({ pMax: 0.05 });
    trim.beginStep(step(0, 0.5)); // p = 0.025 → ⌈0.025·143⌉ = 4 of 144 per channel
    const stats = trim.stats();
    expect(stats.weights[0]!.trimmed).toBe(8 * 4);
    expect(stats.share).toBeCloseTo(32 / variable.size, 12);
    const host = trimTypedArray(variable.dataSync() as Float32Array, shape, {
      criterion: { kind: 'quantile', p: 0.025 },
      granularity: { kind: 'per-channel', axis: 3 },
    });
    expect(Array.from(applied())).toEqual(Array.from(host.values));
    expect(stats.weights[0]!.thresholds!.max).toBeCloseTo(Math.max(...host.thresholds.thresholds), 6);
  });

  it('masks regrow when the strength drops, and cameBack counts them', () => {
    const { trim, variable, step, applied } = setup({ pMax: 0.05, refreshEvery: 100 });
    trim.beginStep(step(0, 1));
    const trimmed = trim.stats().trimmed;
    expect(trimmed).toBe(8 * 8); // ⌈0.05·143⌉ per channel
    trim.beginStep(step(1, 0)); // before the refresh period: the strength change forces it
    const s = trim.stats();
    expect(s.trimmed).toBe(0);
    expect(s.cameBack).toBe(trimmed);
    expect(s.weights[0]!.refreshedAt).toBe(1);
    expect(Array.from(applied(0, 1))).toEqual(Array.from(variable.dataSync()));
    trim.beginStep(step(2, 1));
    expect(trim.stats().trimmed).toBe(trimmed);
    expect(trim.stats().cameBack).toBe(0);
  });

  it('keeps the mask between refreshes while weights move, recomputes it at the refresh', () => {
    const { trim, variable, step, applied } = setup({ pMax: 0.05, refreshEvery: 5 });
    trim.beginStep(step(0, 1));
    const mask0 = applied().map((v, i) => (v !== variable.dataSync()[i] ? 1 : 0));
    const next = plantedOutliers(shape, { seed: 99, rate: 0.01 }).values;
    variable.assign(tf.tensor(next, shape));
    for (let s = 1; s < 5; s++) trim.beginStep(step(s, 1));
    expect(trim.stats().weights[0]!.refreshedAt).toBe(0);
    const out = applied();
    for (let i = 0; i < next.length; i++) if (mask0[i] === 0) expect(out[i]).toBe(next[i]);
    trim.beginStep(step(5, 1));
    expect(trim.stats().weights[0]!.refreshedAt).toBe(5);
    const host = trimTypedArray(next, shape, { criterion: { kind: 'quantile', p: 0.05 }, granularity: { kind: 'per-channel', axis: 3 } });
    expect(Array.from(applied())).toEqual(Array.from(host.values));
    expect(trim.stats().cameBack).toBe(host.mask.reduce((a, m, i) => a + (m === 0 && mask0[i] === 1 ? 1 : 0), 0));
  });

  it('trims on the fly without beginStep, caching nothing', () => {
    const { trim, variable, applied } = setup({ pMax: 0.05 });
    const host = trimTypedArray(variable.dataSync() as Float32Array, shape, {
      criterion: { kind: 'quantile', p: 0.05 },
      granularity: { kind: 'per-channel', axis: 3 },
    });
    expect(Array.from(applied(1))).toEqual(Array.from(host.values));
    expect(Array.from(applied(0))).toEqual(Array.from(variable.dataSync()));
    expect(trim.stats().weights).toEqual([]);
  });

  it('a strength schedule overrides the controller strength', () => {
    const { trim, step } = setup({ pMax: 0.05, strength: constant({ value: 0 }) });
    trim.beginStep(step(0, 1));
    expect(trim.stats().trimmed).toBe(0);
  });

  it('sigma and median-ratio apply as given for any strength > 0, nothing at 0', () => {
    for (const [options, criterion] of [
      [
        { criterion: 'sigma', k: 3 },
        { kind: 'sigma', k: 3 },
      ],
      [
        { criterion: 'median-ratio', ratio: 4 },
        { kind: 'median-ratio', ratio: 4 },
      ],
    ] as const) {
      const { trim, variable, step, applied } = setup({ ...options, operation: 'zero', granularity: 'per-tensor' });
      trim.beginStep(step(0, 0));
      expect(trim.stats().trimmed).toBe(0);
      trim.beginStep(step(1, 0.01));
      const host = trimTypedArray(variable.dataSync() as Float32Array, shape, { criterion, operation: 'zero' });
      expect(host.trimmed).toBeGreaterThan(0);
      expect(trim.stats().trimmed).toBe(host.trimmed);
      expect(Array.from(applied())).toEqual(Array.from(host.values));
    }
  });

  it('per-group blocks along the input axis by default; a viewed (depthwise) mask applies to the raw shape', () => {
    const { trim, variable, step } = setup({ pMax: 0.3, granularity: { groupSize: 4 } });
    trim.beginStep(step(0, 1)); // blocks of 4 along axis 2: ⌈0.3·3⌉ = 1 per block
    expect(trim.stats().trimmed).toBe(variable.size / 4);
    const view = [3, 3, 128];
    const dw = createReversePrune({ pMax: 0.3 });
    transforms.push(dw);
    dw.beginStep({ step: 0, strength: 1, weights: [{ ...ctx, channelAxis: 2, variable: { read: () => variable }, view }] });
    const raw = tf.tidy(() => dw.apply(variable, { ...ctx, channelAxis: 3, strength: 1, step: 0 })).dataSync();
    const host = trimTypedArray(variable.dataSync() as Float32Array, view, {
      criterion: { kind: 'quantile', p: 0.3 },
      granularity: { kind: 'per-channel', axis: 2 },
    });
    expect(dw.stats().trimmed).toBe(128 * 3); // ⌈0.3·8⌉ per channel of 9
    expect(Array.from(raw)).toEqual(Array.from(host.values));
  });

  it('masked gradient through the cached mask; no leaks; dispose frees everything', () => {
    const { trim, variable, step } = setup({ pMax: 0.05, gradient: 'masked' });
    const before = tf.memory().numTensors;
    trim.beginStep(step(0, 1));
    const g = tf.grad((v: tf.Tensor) => tf.sum(trim.apply(v, { ...ctx, strength: 1, step: 0 })))(variable);
    const zeros = Array.from(g.dataSync()).filter((v) => v === 0).length;
    expect(zeros).toBe(trim.stats().trimmed);
    g.dispose();
    trim.beginStep(step(100, 1));
    trim.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });

  it('rejects bad options with codes naming the field', () => {
    expect(() => createReversePrune({ pMax: 0 })).toThrow(/options\.pMax/);
    expect(errorCode(() => createReversePrune({ pMax: 1.5 }))).toBe('QT_INVALID_ARGUMENT');
    expect(() => createReversePrune({ refreshEvery: 0 })).toThrow(/options\.refreshEvery/);
    expect(() => createReversePrune({ criterion: 'top' as never })).toThrow(/options\.criterion/);
    expect(() => createReversePrune({ criterion: 'sigma', k: -2 })).toThrow(/options\.k/);
    expect(() => createReversePrune({ criterion: 'median-ratio', ratio: Number.NaN })).toThrow(/options\.ratio/);
    expect(() => createReversePrune({ operation: 'x' as never })).toThrow(/options\.operation/);
    expect(() => createReversePrune({ gradient: 'x' as never })).toThrow(/options\.gradient/);
    expect(() => createReversePrune({ strength: 3 as never })).toThrow(/options\.strength/);
    expect(errorCode(() => createReversePrune({ granularity: { groupSize: 0 } }))).toBe('QT_INVALID_GRANULARITY');
  });
});
