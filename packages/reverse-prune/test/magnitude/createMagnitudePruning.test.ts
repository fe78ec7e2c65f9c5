import * as tf from '@tensorflow/tfjs';
import { piecewise } from '@quant-trim/schedulers';
import { errorCode, mulberry32 } from '@quant-trim/test-utils';
import { beforeAll, describe, expect, it } from 'vitest';
import { createMagnitudePruning } from '../../src/magnitude/createMagnitudePruning.js';
import { magnitudeMask } from '../../src/magnitude/magnitudeMask.js';
import { polynomialSparsity } from '../../src/magnitude/polynomialSparsity.js';
import type { MagnitudeStepContext, MagnitudeTransformContext } from '../../src/magnitude/types.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

/** Two dense layers whose kernels hold `scale`-sized values on a coarse grid (many ties). */
function model(seed: number, scales = [1, 1]) {
  const m = tf.sequential({ layers: [tf.layers.dense({ inputShape: [6], units: 5, name: 'a' }), tf.layers.dense({ units: 4, name: 'b' })] });
  setKernels(m, seed, scales);
  return m;
}

function setKernels(m: tf.Sequential, seed: number, scales: number[], override?: (layer: number, i: number, v: number) => number) {
  const random = mulberry32(seed);
  m.layers.forEach((layer, l) => {
    // getWeights returns the variables themselves: never dispose them here.
    const [kernel, bias] = layer.getWeights() as [tf.Tensor, tf.Tensor];
    const values = Float32Array.from({ length: kernel.size }, (_, i) => {
      const v = (Math.round((random() - 0.5) * 10) / 5) * scales[l]!;
      return override ? override(l, i, v) : v;
    });
    const next = tf.tensor(values, kernel.shape);
    layer.setWeights([next, bias]);
    next.dispose();
  });
}

const context = (m: tf.Sequential, step: number): MagnitudeStepContext => ({
  step,
  strength: 1,
  weights: m.layers.map((l) => ({ layer: l.name, weight: 'kernel', variable: l.weights[0]!, channelAxis: 1, view: l.weights[0]!.shape as number[] })),
});
const kernel = (m: tf.Sequential, l: number) => m.layers[l]!.weights[0]!.read().dataSync() as Float32Array;
const zeros = (mask: Uint8Array) => mask.reduce((a, x) => a + (1 - x), 0);
const applyCtx = (layer: string): MagnitudeTransformContext => ({ strength: 1, step: 0, layer, weight: 'kernel', channelAxis: 1, training: true });

describe('createMagnitudePruning', () => {
  it('local scope: ⌊s·n⌋ pruned per tensor, the same masks as magnitudeMask (ties included)', () => {
    const m = model(1);
    for (const s of [0.37, 0.5]) {
      const pruning = createMagnitudePruning({ sparsity: s });
      pruning.beginStep(context(m, 0));
      const masks = pruning.masks();
      expect(masks.get('a/kernel')).toEqual(magnitudeMask(kernel(m, 0), s));
      expect(zeros(masks.get('a/kernel')!)).toBe(Math.floor(s * 30));
      expect(zeros(masks.get('b/kernel')!)).toBe(Math.floor(s * 20));
      const stats = pruning.stats();
      expect(JSON.parse(JSON.stringify(stats))).toEqual(stats);
      expect(stats).toMatchObject({ scope: 'local', size: 50, pruned: Math.floor(s * 30) + Math.floor(s * 20), targetSparsity: s, lastRefreshStep: 0 });
      pruning.dispose();
    }
    m.dispose();
  });

  it('global scope: one threshold, ⌊s·N⌋ pruned overall, more of the layer with smaller weights', () => {
    const m = model(2, [0.1, 1]);
    const local = createMagnitudePruning({ sparsity: 0.5 });
    const global = createMagnitudePruning({ sparsity: { type: 'constant', value: 0.5 }, scope: 'global' });
    local.beginStep(context(m, 0));
    global.beginStep(context(m, 0));
    const [a, b] = [global.masks().get('a/kernel')!, global.masks().get('b/kernel')!];
    expect(zeros(a) + zeros(b)).toBe(25);
    expect(zeros(a)).toBeGreaterThan(zeros(local.masks().get('a/kernel')!));
    expect(zeros(b)).toBeLessThan(zeros(local.masks().get('b/kernel')!));
    const concatenated = Float32Array.from([...kernel(m, 0), ...kernel(m, 1)]);
    expect(Uint8Array.from([...a, ...b])).toEqual(magnitudeMask(concatenated, 0.5));
    expect(global.stats().weights.map((w) => w.targetSparsity)).toEqual([0.5, 0.5]);
    local.dispose();
    global.dispose();
    m.dispose();
  });

  it('masks grow with the schedule, refresh only every refreshEvery steps, and never shrink', () => {
    const m = model(3);
    const pruning = createMagnitudePruning({
      sparsity: polynomialSparsity({ initial: 0.1, final: 0.8, beginStep: 0, endStep: 12, power: 1 }),
      refreshEvery: 4,
      scope: 'global',
    });
    let previous = new Uint8Array(50).fill(1);
    const refreshes: number[] = [];
    for (let step = 0; step <= 20; step += 1) {
      // Pruned weights grow large and kept ones shrink: a fresh ranking would revive the pruned.
      const before = pruning.masks();
      setKernels(m, 100 + step, [1, 1], (l, i, v) => ((before.get(l === 0 ? 'a/kernel' : 'b/kernel')?.[i] ?? 1) === 0 ? 50 : v * 0.01));
      pruning.beginStep(context(m, step));
      const mask = Uint8Array.from([...pruning.masks().get('a/kernel')!, ...pruning.masks().get('b/kernel')!]);
      previous.forEach((kept, i) => kept === 0 && expect(mask[i]).toBe(0));
      expect(zeros(mask)).toBe(Math.floor(50 * pruning.stats().targetSparsity + 1e-9));
      if (pruning.stats().lastRefreshStep === step) refreshes.push(step);
      previous = mask;
    }
    expect(refreshes).toEqual([0, 4, 8, 12, 16, 20]);
    expect(pruning.stats().sparsity).toBe(0.8);

    // A falling schedule keeps the pruned; endStep stops new pruning.
    const falling = createMagnitudePruning({
      sparsity: piecewise({
        points: [
          [0, 0.6],
          [10, 0.2],
          [20, 0.9],
        ],
      }),
      refreshEvery: 5,
      endStep: 10,
    });
    falling.beginStep(context(m, 0));
    const first = falling.masks();
    for (const step of [5, 10, 15, 20]) falling.beginStep(context(m, step));
    expect(falling.masks()).toEqual(first);
    expect(falling.stats()).toMatchObject({ lastRefreshStep: 10, targetSparsity: 0.2, pruned: 18 + 12 });
    pruning.dispose();
    falling.dispose();
    m.dispose();
  });

  it('does nothing before startStep, then refreshes at the first call (e.g. on resume)', () => {
    const m = model(4);
    const pruning = createMagnitudePruning({ sparsity: 0.5, startStep: 10, refreshEvery: 100 });
    pruning.beginStep(context(m, 9));
    expect(pruning.masks().size).toBe(0);
    const w = tf.ones([6, 5]);
    expect(pruning.apply(w, applyCtx('a'))).toBe(w);
    pruning.beginStep(context(m, 57));
    expect(pruning.stats().lastRefreshStep).toBe(57);
    pruning.beginStep(context(m, 109));
    expect(pruning.stats().lastRefreshStep).toBe(57);
    pruning.beginStep(context(m, 110));
    expect(pruning.stats().lastRefreshStep).toBe(110);
    pruning.dispose();
    w.dispose();
    m.dispose();
  });

  it('apply: exact zeros at pruned positions, gradient dy·mask, any shape of the same size', () => {
    const m = model(5);
    const pruning = createMagnitudePruning({ sparsity: 0.4 });
    pruning.beginStep(context(m, 0));
    const mask = pruning.masks().get('a/kernel')!;
    const w = m.layers[0]!.weights[0]!.read();
    const out = tf.tidy(() => pruning.apply(w, applyCtx('a')));
    const grad = tf.grad((x: tf.Tensor) => pruning.apply(x, applyCtx('a')).square().sum())(w);
    const values = w.dataSync();
    const [o, g] = [out.dataSync(), grad.dataSync()];
    mask.forEach((kept, i) => {
      expect(o[i]).toBe(kept === 1 ? values[i] : 0);
      expect(g[i]).toBeCloseTo(kept === 1 ? 2 * values[i]! : 0, 6);
      if (kept === 0) expect(g[i] === 0).toBe(true);
    });
    // A flattened view (as for depthwise kernels) gets the same mask in element order.
    const flat = tf.tidy(() => pruning.apply(w.reshape([30]), applyCtx('a')));
    expect(flat.dataSync()).toEqual(o);
    expect(errorCode(() => pruning.apply(tf.ones([7]), applyCtx('a')))).toBe('QT_SHAPE_MISMATCH');
    tf.dispose([out, grad, flat]);
    pruning.dispose();
    m.dispose();
  });

  it('keeps one tensor per mask, disposes replaced ones, and frees everything on dispose', () => {
    const m = model(6);
    const baseline = tf.memory().numTensors;
    const pruning = createMagnitudePruning({
      sparsity: piecewise({
        points: [
          [0, 0.1],
          [10, 0.9],
        ],
      }),
      refreshEvery: 1,
    });
    for (let step = 0; step < 10; step += 1) pruning.beginStep(context(m, step));
    expect(tf.memory().numTensors).toBe(baseline + 2);
    pruning.dispose();
    expect(tf.memory().numTensors).toBe(baseline);
    expect(pruning.stats()).toMatchObject({ size: 0, lastRefreshStep: null, weights: [] });
    m.dispose();
  });

  it('validates options and schedule values', () => {
    const m = model(7);
    expect(errorCode(() => createMagnitudePruning({ sparsity: 1.5 }))).toBe('QT_INVALID_ARGUMENT');
    expect(errorCode(() => createMagnitudePruning({ sparsity: 0.5, scope: 'layer' as 'local' }))).toBe('QT_INVALID_ARGUMENT');
    expect(errorCode(() => createMagnitudePruning({ sparsity: 0.5, refreshEvery: 0 }))).toBe('QT_INVALID_ARGUMENT');
    expect(errorCode(() => createMagnitudePruning({ sparsity: 0.5, startStep: 5, endStep: 4 }))).toBe('QT_INVALID_ARGUMENT');
    expect(errorCode(() => createMagnitudePruning({ sparsity: 0.5, endstep: 4 } as never))).toBe('QT_INVALID_ARGUMENT');
    expect(errorCode(() => createMagnitudePruning({ sparsity: 'half' as never }))).toBe('QT_INVALID_ARGUMENT');
    expect(errorCode(() => createMagnitudePruning({ sparsity: { type: 'constant' } as never }))).toBe('QT_INVALID_SCHEDULE');
    const tooMuch = createMagnitudePruning({ sparsity: { type: 'linear', start: 0.5, end: 2, steps: 10 } });
    expect(errorCode(() => tooMuch.beginStep(context(m, 0)))).toBe('none');
    tooMuch.beginStep(context(m, 5));
    expect(errorCode(() => tooMuch.beginStep(context(m, 100)))).toBe('QT_INVALID_SCHEDULE');
    tooMuch.dispose();
    m.dispose();
  });
});
