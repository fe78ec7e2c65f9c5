import * as tf from '@tensorflow/tfjs';
import { createScheme, groupLayout, roundWith } from '@quant-trim/quant-grid';
import type { Granularity, QuantScheme, SchemeOptions } from '@quant-trim/quant-grid';
import { mulberry32 } from '@quant-trim/test-utils';
import { beforeAll, describe, expect, it } from 'vitest';
import type { GradientMode } from '../../src/types.js';
import { fakeQuantize } from '../../src/ops/fakeQuantize.js';
import { tensorQParamsFromRange } from '../../src/ops/tensorQParamsFromRange.js';
import { tensorRanges } from '../../src/ops/tensorRanges.js';
import { paramIndex, useBackend } from './opsTestKit.testkit.js';

interface Problem {
  scheme: QuantScheme;
  shape: number[];
  /** Shape the scale and zero point tensors are given in. */
  paramShape: number[];
  idx: Int32Array;
  x: Float32Array;
  dy: Float32Array;
  scale: Float32Array;
  zeroPoint: Float32Array;
}

/**
 * Random data, a quarter of it clipping. With `awayFromBounds`, no rounded code equals qmin or
 * qmax (where the surrogate below has a kink); otherwise boundary codes, ±Infinity and NaN are
 * mixed in.
 */
function problem(options: SchemeOptions, shape: number[], paramShape: number[], seed: number, awayFromBounds: boolean): Problem {
  const scheme = createScheme(options);
  const rand = mulberry32(seed);
  const layout = groupLayout(shape, scheme.granularity);
  const idx = paramIndex(shape, scheme.granularity);
  const scale = Float32Array.from({ length: layout.count }, () => 0.02 + rand() * 0.2);
  const zeroPoint = Float32Array.from({ length: layout.count }, () =>
    scheme.symmetric ? 0 : scheme.qmin + Math.floor(rand() * (scheme.qmax - scheme.qmin + 1)),
  );
  const x = new Float32Array(idx.length);
  const dy = Float32Array.from({ length: idx.length }, () => rand() * 2 - 1);
  for (let i = 0; i < x.length; i++) {
    const s = scale[idx[i]!]!;
    const lo = scheme.qmin - zeroPoint[idx[i]!]!;
    const hi = scheme.qmax - zeroPoint[idx[i]!]!;
    let code: number;
    do {
      const out = rand() < 0.25; // a quarter of the codes clip, up to 4 steps beyond either end
      const k = out ? (rand() < 0.5 ? lo - 1 - Math.floor(rand() * 4) : hi + 1 + Math.floor(rand() * 4)) : lo + Math.floor(rand() * (hi - lo + 1));
      x[i] = (k + (rand() * 0.7 - 0.35)) * s;
      code = roundWith(scheme.rounding, Math.fround(x[i]! / s));
    } while (awayFromBounds && (code === lo || code === hi));
    if (!awayFromBounds && rand() < 0.05) x[i] = [Infinity, -Infinity, NaN][Math.floor(rand() * 3)]!;
  }
  return { scheme, shape, paramShape, idx, x, dy, scale, zeroPoint };
}

/** The rounded, unclamped code of each element (as the op computes it, in float32). */
function codes(p: Problem): { r: Float64Array; q: Float64Array; inside: boolean[] } {
  const r = new Float64Array(p.x.length);
  const q = new Float64Array(p.x.length);
  const inside: boolean[] = [];
  for (let i = 0; i < p.x.length; i++) {
    r[i] = roundWith(p.scheme.rounding, Math.fround(p.x[i]! / p.scale[p.idx[i]!]!));
    q[i] = r[i]! + p.zeroPoint[p.idx[i]!]!;
    inside.push(q[i]! >= p.scheme.qmin && q[i]! <= p.scheme.qmax);
  }
  return { r, q, inside };
}

/** Gradients of Σ dy · fakeQuantize(x; s, z) with respect to x, s and z, from tfjs. */
function tfGrads(p: Problem, gradient: GradientMode, gradScale?: number): { dx: Float32Array; ds: Float32Array; dz: Float32Array; shapes: number[][] } {
  return tf.tidy(() => {
    const f = (x: tf.Tensor, s: tf.Tensor, z: tf.Tensor) =>
      fakeQuantize(x, { scale: s, zeroPoint: z }, p.scheme, gradScale === undefined ? { gradient } : { gradient, gradScale });
    const [dx, ds, dz] = tf.grads(f)(
      [tf.tensor(p.x, p.shape), tf.tensor(p.scale, p.paramShape), tf.tensor(p.zeroPoint, p.paramShape)],
      tf.tensor(p.dy, p.shape),
    );
    return {
      dx: dx!.dataSync() as Float32Array,
      ds: ds!.dataSync() as Float32Array,
      dz: dz!.dataSync() as Float32Array,
      shapes: [dx!.shape, ds!.shape, dz!.shape],
    };
  });
}

/**
 * The LSQ surrogate in plain double arithmetic: x̂ = s · (clamp(R̃(x/s) + z, qmin, qmax) − z)
 * with R̃(u) = R(u₀) + (u − u₀), i.e. rounding replaced by its straight-through identity around
 * the base point u₀ = x/s₀. L = Σ dy · x̂.
 */
function surrogateLoss(p: Problem, base: Float64Array, x: ArrayLike<number>, scale: ArrayLike<number>, zeroPoint: ArrayLike<number>): number {
  let loss = 0;
  for (let i = 0; i < p.x.length; i++) {
    const s = scale[p.idx[i]!]!;
    const z = zeroPoint[p.idx[i]!]!;
    const u0 = p.x[i]! / p.scale[p.idx[i]!]!;
    const code = Math.min(p.scheme.qmax, Math.max(p.scheme.qmin, base[i]! + (x[i]! / s - u0) + z));
    loss += p.dy[i]! * s * (code - z);
  }
  return loss;
}

function centralDifference(f: (v: Float64Array) => number, at: Float64Array, i: number, h: number): number {
  const plus = Float64Array.from(at);
  const minus = Float64Array.from(at);
  plus[i]! += h;
  minus[i]! -= h;
  return (f(plus) - f(minus)) / (2 * h);
}

const CASES: { name: string; options: SchemeOptions; shape: number[]; paramShape: number[] }[] = [
  { name: 'per-tensor symmetric int8', options: { bits: 8 }, shape: [5, 8], paramShape: [] },
  { name: 'per-tensor asymmetric uint4', options: { bits: 4, signed: false, symmetric: false }, shape: [40], paramShape: [1] },
  {
    name: 'per-channel axis 0 asymmetric int4, [C] params',
    options: { bits: 4, symmetric: false, granularity: { kind: 'per-channel', axis: 0 } },
    shape: [3, 4, 5],
    paramShape: [3],
  },
  {
    name: 'per-channel axis −1 int8 half-away, broadcast params',
    options: { bits: 8, rounding: 'half-away', granularity: { kind: 'per-channel', axis: -1 } },
    shape: [6, 2, 4],
    paramShape: [1, 1, 4],
  },
  {
    name: 'per-group ragged asymmetric int2 floor',
    options: { bits: 2, symmetric: false, rounding: 'floor', granularity: { kind: 'per-group', axis: 1, groupSize: 3 } },
    shape: [2, 7, 3],
    paramShape: [2, 3, 3],
  },
  {
    name: 'per-group asymmetric uint8 half-up',
    options: { bits: 8, signed: false, symmetric: false, rounding: 'half-up', granularity: { kind: 'per-group', axis: 0, groupSize: 4 } },
    shape: [8, 5],
    paramShape: [2, 5],
  },
];

for (const backend of ['cpu', 'wasm'] as const) {
  describe(`fakeQuantize gradients on ${backend}`, () => {
    beforeAll(() => useBackend(backend));

    it("'ste' passes dy through unchanged and gives the scale and zero point nothing", () => {
      for (const c of CASES) {
        const p = problem(c.options, c.shape, c.paramShape, 7, false);
        for (const gradient of ['ste', undefined] as const) {
          const g = tf.tidy(() => {
            const f = (x: tf.Tensor, s: tf.Tensor, z: tf.Tensor) =>
              fakeQuantize(x, { scale: s, zeroPoint: z }, p.scheme, gradient === undefined ? {} : { gradient });
            const grads = tf.grads(f)(
              [tf.tensor(p.x, p.shape), tf.tensor(p.scale, p.paramShape), tf.tensor(p.zeroPoint, p.paramShape)],
              tf.tensor(p.dy, p.shape),
            );
            return grads.map((t) => ({ shape: t.shape, data: t.dataSync() as Float32Array }));
          });
          expect(new Uint32Array(g[0]!.data.buffer), c.name).toEqual(new Uint32Array(p.dy.buffer));
          expect(g[1]!.shape).toEqual(c.paramShape);
          expect(g[2]!.shape).toEqual(c.paramShape);
          expect(Array.from(g[1]!.data).every((v) => v === 0) && Array.from(g[2]!.data).every((v) => v === 0)).toBe(true);
        }
      }
    });

    it("'clipped-ste' passes dy exactly where qmin ≤ R(x/s) + z ≤ qmax (inclusive, NaN outside)", () => {
      for (const c of CASES) {
        const p = problem(c.options, c.shape, c.paramShape, 11, false);
        const { inside } = codes(p);
        const { dx, ds, dz } = tfGrads(p, 'clipped-ste');
        expect(Array.from(dx), c.name).toEqual(Array.from(p.dy, (d, i) => (inside[i] ? d : 0)));
        expect(inside.some((v) => v) && inside.some((v) => !v)).toBe(true);
        expect(Array.from(ds).every((v) => v === 0) && Array.from(dz).every((v) => v === 0)).toBe(true);
      }
    });

    it("'lsq' matches its formulas on every element, boundary codes, ±Infinity and NaN included", () => {
      for (const c of CASES) {
        const p = problem(c.options, c.shape, c.paramShape, 13, false);
        const { r, q, inside } = codes(p);
        const { dx, ds, dz, shapes } = tfGrads(p, 'lsq', 0.5);
        expect(shapes).toEqual([c.shape, c.paramShape, c.paramShape]);
        const expDs = new Float64Array(p.scale.length);
        const expDz = new Float64Array(p.scale.length);
        for (let i = 0; i < p.x.length; i++) {
          const k = p.idx[i]!;
          const z = p.zeroPoint[k]!;
          const s = p.scale[k]!;
          const v = Math.fround(p.x[i]! / s);
          const clippedHigh = q[i]! > p.scheme.qmax;
          expDs[k]! += p.dy[i]! * (inside[i] ? r[i]! - v : clippedHigh ? p.scheme.qmax - z : p.scheme.qmin - z);
          expDz[k]! += inside[i] ? 0 : -s * p.dy[i]!;
        }
        expect(Array.from(dx)).toEqual(Array.from(p.dy, (d, i) => (inside[i] ? d : 0)));
        for (let k = 0; k < expDs.length; k++) {
          expect(ds[k]!, `${c.name}: ds[${k}]`).toBeCloseTo(0.5 * expDs[k]!, 3);
          expect(dz[k]!, `${c.name}: dz[${k}]`).toBeCloseTo(p.scheme.symmetric ? 0 : 0.5 * expDz[k]!, 3);
        }
      }
    });

    it("'lsq' equals central differences of the straight-through surrogate loss, for x, s and z", () => {
      for (const c of CASES) {
        const p = problem(c.options, c.shape, c.paramShape, 17, true);
        const { r } = codes(p);
        const count = p.scale.length;
        const g = 1 / Math.sqrt((p.x.length / count) * p.scheme.qmax); // LSQ's default gradient scale
        const { dx, ds, dz } = tfGrads(p, 'lsq');
        const x64 = Float64Array.from(p.x);
        const s64 = Float64Array.from(p.scale);
        const z64 = Float64Array.from(p.zeroPoint);
        for (let k = 0; k < count; k++) {
          const numDs = centralDifference((s) => surrogateLoss(p, r, x64, s, z64), s64, k, 1e-6 * s64[k]!);
          expect(Math.abs(ds[k]! - g * numDs), `${c.name}: ds[${k}] = ${ds[k]}, numerical ${g * numDs}`).toBeLessThan(1e-4 * (1 + Math.abs(g * numDs)));
          const numDz = p.scheme.symmetric ? 0 : centralDifference((z) => surrogateLoss(p, r, x64, s64, z), z64, k, 1e-3);
          expect(Math.abs(dz[k]! - g * numDz), `${c.name}: dz[${k}] = ${dz[k]}, numerical ${g * numDz}`).toBeLessThan(1e-4 * (1 + Math.abs(g * numDz)));
        }
        let clipped = 0;
        for (let i = 0; i < p.x.length; i++) {
          const numDx = centralDifference((x) => surrogateLoss(p, r, x, s64, z64), x64, i, 1e-4 * p.scale[p.idx[i]!]!);
          expect(Math.abs(dx[i]! - numDx), `${c.name}: dx[${i}]`).toBeLessThan(1e-6);
          if (dx[i] === 0) clipped++;
        }
        expect(clipped).toBeGreaterThan(0);
        expect(clipped).toBeLessThan(p.x.length);
      }
    });

    it('trains a scale variable with LSQ inside optimizer.minimize (scale created in the loss, no leak)', () => {
      const scheme = createScheme({ bits: 4, symmetric: false, signed: false });
      const x = tf.tensor1d(Array.from({ length: 256 }, (_, i) => Math.sin(i) * 2 + 0.5));
      const logScale = tf.variable(tf.scalar(Math.log(0.02)));
      const zeroPoint = tf.variable(tf.scalar(8));
      const optimizer = tf.train.adam(0.05);
      const loss = () =>
        tf.tidy(() => {
          // Scale and zero point are fresh tensors computed in the traced function: they are disposed
          // when the forward pass ends, so the backward pass only works because they were saved.
          const scale = tf.exp(logScale);
          const xq = fakeQuantize(x, { scale, zeroPoint: tf.mul(zeroPoint, 1) }, scheme, { gradient: 'lsq' });
          return tf.mean(tf.square(tf.sub(xq, x))) as tf.Scalar;
        });
      const first = loss().dataSync()[0]!;
      optimizer.minimize(loss, false, [logScale, zeroPoint]);
      const count = tf.memory().numTensors;
      for (let step = 0; step < 60; step++) optimizer.minimize(loss, false, [logScale, zeroPoint]);
      expect(tf.memory().numTensors).toBe(count);
      const last = loss().dataSync()[0]!;
      expect(last).toBeLessThan(first / 10);
      expect(Math.exp(logScale.dataSync()[0]!)).toBeGreaterThan(0.1); // from 0.02 towards range/15 ≈ 0.27
      tf.dispose([x, logScale, zeroPoint]);
      optimizer.dispose();
    });

    it('weights through tensorRanges → tensorQParamsFromRange → fakeQuantize get exactly dy with STE', () => {
      for (const granularity of [{ kind: 'per-tensor' }, { kind: 'per-channel', axis: -1 }, { kind: 'per-group', axis: 0, groupSize: 4 }] as Granularity[]) {
        const scheme = createScheme({ bits: 4, symmetric: false, granularity });
        const rand = mulberry32(3);
        const w = Float32Array.from({ length: 30 }, () => rand() - 0.5);
        const dy = Float32Array.from({ length: 30 }, () => rand() + 0.5);
        const dw = tf.tidy(() =>
          tf
            .grad((t: tf.Tensor) => {
              const { min, max } = tensorRanges(t, granularity);
              return fakeQuantize(t, tensorQParamsFromRange(min, max, scheme), scheme);
            })(tf.tensor(w, [10, 3]), tf.tensor(dy, [10, 3]))
            .dataSync(),
        );
        expect(Array.from(dw)).toEqual(Array.from(dy));
      }
    });

    it('keeps the tensor count flat over forward and backward passes', () => {
      const scheme = createScheme({ bits: 4, symmetric: false, granularity: { kind: 'per-group', axis: 1, groupSize: 3 } });
      const x = tf.randomNormal([4, 7]);
      const scale = tf.fill([4, 3], 0.2);
      const zeroPoint = tf.fill([4, 3], 1);
      const before = tf.memory().numTensors;
      for (const gradient of ['ste', 'clipped-ste', 'lsq'] as const) {
        for (let i = 0; i < 10; i++) {
          tf.tidy(() => {
            tf.grads((a: tf.Tensor, s: tf.Tensor, z: tf.Tensor) => fakeQuantize(a, { scale: s, zeroPoint: z }, scheme, { gradient }))([x, scale, zeroPoint]);
          });
        }
      }
      expect(tf.memory().numTensors).toBe(before);
      tf.dispose([x, scale, zeroPoint]);
    });
  });
}
