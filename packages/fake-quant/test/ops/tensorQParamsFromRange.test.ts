import * as tf from '@tensorflow/tfjs';
import {
  computeQParams,
  computeRanges,
  createRegistry,
  createScheme,
  defineScheme,
  fakeQuantize as gridFakeQuantize,
  roundHalfEven,
} from '@quant-trim/quant-grid';
import type { Granularity, QuantScheme, SchemeOptions } from '@quant-trim/quant-grid';
import { errorCode, mulberry32 } from '@quant-trim/test-utils';
import { beforeAll, describe, expect, it } from 'vitest';
import { fakeQuantize } from '../../src/ops/fakeQuantize.js';
import { tensorQParamsFromRange } from '../../src/ops/tensorQParamsFromRange.js';
import { tensorRanges } from '../../src/ops/tensorRanges.js';
import { useBackend } from './opsTestKit.testkit.js';

const f32 = new Float32Array(1);
const i32 = new Int32Array(f32.buffer);
/** Signed distance in float32 steps (both values positive). */
function ulps(a: number, b: number): number {
  f32[0] = a;
  const ia = i32[0]!;
  f32[0] = b;
  return ia - i32[0]!;
}
function isPowerOfTwo(v: number): boolean {
  f32[0] = v;
  return (i32[0]! & 0x7fffff) === 0 && v > 0;
}

const GRIDS: SchemeOptions[] = [
  { signed: true, symmetric: true },
  { signed: true, symmetric: true, narrowRange: true },
  { signed: false, symmetric: true },
  { signed: true, symmetric: false },
  { signed: true, symmetric: false, narrowRange: true },
  { signed: false, symmetric: false },
];

/** Random ranges over 12 decades, some not containing 0, some empty, some tiny. */
function randomRanges(n: number, seed: number): { min: Float32Array; max: Float32Array } {
  const rand = mulberry32(seed);
  const min = new Float32Array(n);
  const max = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    const a = (rand() - 0.7) * 10 ** (rand() * 12 - 8);
    const b = (rand() - 0.3) * 10 ** (rand() * 12 - 8);
    min[i] = Math.min(a, b);
    max[i] = Math.max(a, b);
    if (i % 97 === 0) max[i] = min[i]!; // constant tensor
  }
  return { min, max };
}

function device(
  min: Float32Array,
  max: Float32Array,
  scheme: QuantScheme,
  shape = [min.length],
): { scale: Float32Array; zeroPoint: Float32Array; shapes: number[][] } {
  return tf.tidy(() => {
    const qp = tensorQParamsFromRange(tf.tensor(min, shape), tf.tensor(max, shape), scheme);
    return { scale: qp.scale.dataSync() as Float32Array, zeroPoint: qp.zeroPoint.dataSync() as Float32Array, shapes: [qp.scale.shape, qp.zeroPoint.shape] };
  });
}

for (const backend of ['cpu', 'wasm'] as const) {
  describe(`tensorQParamsFromRange on ${backend}`, () => {
    beforeAll(() => useBackend(backend));

    it("matches quant-grid's computeQParams on random ranges (scales within 1 ulp, exact when symmetric or pow2)", () => {
      let asymmetricOff = 0;
      let asymmetric = 0;
      let zeroOff = 0;
      let seed = 100;
      for (const bits of [2, 4, 8, 12, 16]) {
        for (const grid of GRIDS) {
          for (const scaleConstraint of ['float', 'pow2'] as const) {
            const scheme = createScheme({ ...grid, bits, scaleConstraint });
            const { min, max } = randomRanges(400, seed++);
            const ref = computeQParams({ min, max }, scheme);
            const got = device(min, max, scheme);
            for (let i = 0; i < min.length; i++) {
              const label = `${JSON.stringify(grid)} bits ${bits} ${scaleConstraint}: range [${min[i]}, ${max[i]}]`;
              const s = got.scale[i]!;
              const d = ulps(s, ref.scale[i]!);
              if (scheme.symmetric || scaleConstraint === 'pow2') expect(d, label).toBe(0);
              else expect(Math.abs(d), label).toBeLessThanOrEqual(1);
              if (scaleConstraint === 'pow2') expect(isPowerOfTwo(s), label).toBe(true);
              if (!scheme.symmetric && scaleConstraint === 'float') {
                asymmetric++;
                if (d !== 0) asymmetricOff++;
              }
              // The zero point is quant-grid's rule evaluated in float32 on the device's scale ...
              const lo = Math.min(min[i]!, 0);
              const z32 = scheme.symmetric ? 0 : Math.min(scheme.qmax, Math.max(scheme.qmin, roundHalfEven(Math.fround(scheme.qmin - Math.fround(lo / s)))));
              expect(got.zeroPoint[i], label).toBe(z32);
              // ... so it equals quant-grid's, except within float32 rounding of a .5 tie or after a 1-ulp scale.
              if (got.zeroPoint[i] !== ref.zeroPoint[i]) {
                zeroOff++;
                const t = scheme.qmin - lo / ref.scale[i]!;
                expect(d !== 0 || Math.abs(t - Math.floor(t) - 0.5) < 2 ** -22 * Math.max(1, Math.abs(t)) * 4, label).toBe(true);
                expect(bits, label).toBeGreaterThan(8);
              }
            }
          }
        }
      }
      expect(asymmetricOff).toBeLessThan(asymmetric * 0.35); // hi − lo rounded in float32
      expect(zeroOff).toBeLessThan(20);
    });

    it('rounds pow2 scales up exactly at and around powers of two', () => {
      const min: number[] = [];
      const max: number[] = [];
      let justAbove = 0;
      for (let e = -20; e <= 10; e += 3) {
        for (const j of [-2, -1, 0, 1, 2, 3, 4, 5]) {
          // Symmetric: max |x| = 127·2^e·(1 + j·2^-23) lands on or next to a power-of-two scale.
          max.push(Math.fround(127 * 2 ** e * (1 + j * 2 ** -23)));
          min.push(-Math.fround(2 ** e));
          // Asymmetric: hi − lo within a rounding step of 255·2^e (not representable in float32).
          // About half of these lie just above it: the float32 scale is exactly 2^e but the exact
          // one is larger, so the pow2 scale must be 2^(e+1).
          const lo = -Math.fround(2 ** e * (0.3 + j * 2 ** -19));
          const hi = Math.fround(255 * 2 ** e + lo);
          min.push(lo);
          max.push(hi);
          if (hi - lo > 255 * 2 ** e && Math.fround((hi - lo) / 255) === 2 ** e) justAbove++;
        }
      }
      expect(justAbove).toBeGreaterThan(5);
      for (const grid of GRIDS) {
        const scheme = createScheme({ ...grid, bits: 8, scaleConstraint: 'pow2' });
        const lo = Float32Array.from(min);
        const hi = Float32Array.from(max);
        const ref = computeQParams({ min: lo, max: hi }, scheme);
        const got = device(lo, hi, scheme);
        expect(Array.from(got.scale), JSON.stringify(grid)).toEqual(Array.from(ref.scale));
        if (scheme.symmetric) expect(Array.from(got.zeroPoint)).toEqual(Array.from(ref.zeroPoint));
      }
    });

    it('guards the scale with minScale (NaN ranges too) and keeps the ranges’ shape', () => {
      for (const grid of GRIDS) {
        for (const scaleConstraint of ['float', 'pow2'] as const) {
          const scheme = createScheme({ ...grid, bits: 4, scaleConstraint, minScale: 1e-3 });
          const got = device(new Float32Array([0, 1e-6, NaN]), new Float32Array([0, 2e-6, NaN]), scheme, [1, 3, 1]);
          expect(got.shapes).toEqual([
            [1, 3, 1],
            [1, 3, 1],
          ]);
          const guard = computeQParams({ min: 0, max: 0 }, scheme).scale[0]!;
          expect(Array.from(got.scale)).toEqual([guard, guard, guard]);
          expect(got.zeroPoint[2]).toBe(scheme.symmetric ? 0 : scheme.qmin);
          expect(Array.from(got.zeroPoint.slice(0, 2))).toEqual(Array.from(computeQParams({ min: [0, 1e-6], max: [0, 2e-6] }, scheme).zeroPoint));
        }
      }
    });

    it('with tensorRanges and fakeQuantize, reproduces quant-grid end to end (symmetric and pow2 grids, bit for bit)', () => {
      const shape = [6, 10];
      const rand = mulberry32(8);
      const data = Float32Array.from({ length: 60 }, () => (rand() - 0.4) * 3);
      const granularities: Granularity[] = [{ kind: 'per-tensor' }, { kind: 'per-channel', axis: 1 }, { kind: 'per-group', axis: 1, groupSize: 4 }];
      for (const granularity of granularities) {
        for (const options of [{ bits: 4 }, { bits: 8, signed: false }, { bits: 8, symmetric: false, scaleConstraint: 'pow2' }] as SchemeOptions[]) {
          const scheme = createScheme({ ...options, granularity, rounding: 'half-away' });
          const expected = gridFakeQuantize(data, shape, computeQParams(computeRanges(data, shape, granularity), scheme), scheme);
          const got = tf.tidy(() => {
            const x = tf.tensor(data, shape);
            const { min, max } = tensorRanges(x, granularity);
            return fakeQuantize(x, tensorQParamsFromRange(min, max, scheme), scheme).dataSync();
          });
          expect(Array.from(got), `${JSON.stringify(granularity)} ${JSON.stringify(options)}`).toEqual(Array.from(expected));
        }
      }
    });
  });
}

describe('tensorQParamsFromRange validation', () => {
  beforeAll(() => useBackend('cpu'));
  it('names the argument', () => {
    const scheme = createScheme({ bits: 8 });
    expect(errorCode(() => tensorQParamsFromRange(tf.zeros([2]), tf.zeros([3]), scheme))).toBe('QT_SHAPE_MISMATCH');
    expect(errorCode(() => tensorQParamsFromRange(tf.zeros([2], 'int32'), tf.zeros([2]), scheme))).toBe('QT_INVALID_ARGUMENT');
    expect(errorCode(() => tensorQParamsFromRange(tf.zeros([2]), tf.zeros([2]), {} as never))).toBe('QT_INVALID_ARGUMENT');
    const registry = createRegistry();
    registry.registerScheme(defineScheme({ name: 'custom-rule', create: () => ({ bits: 8 }), qparams: () => ({ scale: 1, zeroPoint: 0 }) }));
    const plugin = registry.scheme('custom-rule' as never, {} as never);
    expect(() => tensorQParamsFromRange(tf.zeros([2]), tf.ones([2]), plugin)).toThrowError(
      /^argument `scheme` of `tensorQParamsFromRange`: scheme "custom-rule" has a plugin qparamsRule/,
    );
  });
});
