import { errorCode } from '@quant-trim/test-utils';
import { describe, expect, it } from 'vitest';
import { computeQParams, computeRanges, createScheme, fakeQuantize, pow2Ceil } from '../../src/index.js';

describe('computeQParams (hand-computed)', () => {
  it('uint8 asymmetric [-1, 3]: s = 4/255, z = round(0 + 1/s) = 64', () => {
    const s = createScheme({ bits: 8, signed: false, symmetric: false });
    const qp = computeQParams({ min: -1, max: 3 }, s);
    expect(qp.scale[0]).toBe(Math.fround(4 / 255));
    expect(qp.zeroPoint[0]).toBe(64); // 255/4 = 63.75 → 64
    expect(qp.shape).toEqual([]);
  });

  it('int8 asymmetric [-1, 3]: z = -128 + 63.75 → -64', () => {
    const qp = computeQParams({ min: -1, max: 3 }, createScheme({ symmetric: false }));
    expect(qp.zeroPoint[0]).toBe(-64);
  });

  it('symmetric uses max|x| / qmax, for full and narrow ranges alike', () => {
    expect(computeQParams({ min: -2, max: 1 }, createScheme()).scale[0]).toBe(Math.fround(2 / 127));
    expect(computeQParams({ min: -2, max: 1 }, createScheme({ narrowRange: true })).scale[0]).toBe(Math.fround(2 / 127));
    expect(computeQParams({ min: -2, max: 1 }, createScheme({ bits: 4 })).scale[0]).toBe(Math.fround(2 / 7));
  });

  it('unsigned symmetric uses hi / qmax and zero point 0', () => {
    const qp = computeQParams({ min: 0, max: 6 }, createScheme({ signed: false }));
    expect(qp.scale[0]).toBe(Math.fround(6 / 255));
    expect(qp.zeroPoint[0]).toBe(0);
  });

  it('widens ranges to include zero, so 0 is exactly representable', () => {
    const s = createScheme({ bits: 8, signed: false, symmetric: false });
    for (const [lo, hi] of [
      [0.3, 0.9],
      [-5, -2],
      [-0.123, 7.77],
      [1e-3, 1e3],
    ] as const) {
      const qp = computeQParams({ min: lo, max: hi }, s);
      const y = fakeQuantize(new Float32Array([0]), [1], qp, s);
      expect(y[0]).toBe(0);
    }
    const pos = computeQParams({ min: 0.3, max: 0.9 }, s);
    expect(pos.zeroPoint[0]).toBe(0);
    expect(pos.scale[0]).toBe(Math.fround(0.9 / 255));
  });

  it('constant and all-zero tensors never divide by zero', () => {
    const s = createScheme({ symmetric: false });
    const zero = computeQParams({ min: 0, max: 0 }, s);
    expect(zero.scale[0]).toBeGreaterThan(0);
    const x = new Float32Array(8).fill(0);
    expect(Array.from(fakeQuantize(x, [8], zero, s))).toEqual(Array(8).fill(0));
    const c = new Float32Array(8).fill(2.5);
    const constant = computeQParams(computeRanges(c, [8]), s);
    const y = fakeQuantize(c, [8], constant, s);
    expect(Math.abs(y[0]! - 2.5)).toBeLessThanOrEqual(constant.scale[0]! / 2);
  });

  it('pow2 scales are exact powers of two, rounded up', () => {
    expect(pow2Ceil(0.3)).toBe(0.5);
    expect(pow2Ceil(0.25)).toBe(0.25);
    expect(pow2Ceil(2 ** -20 * 1.0001)).toBe(2 ** -19);
    const s = createScheme({ scaleConstraint: 'pow2' });
    for (const amax of [0.01, 0.7, 1, 3.3, 100]) {
      const scale = computeQParams({ min: -amax, max: amax / 2 }, s).scale[0]!;
      expect(Number.isInteger(Math.log2(scale))).toBe(true);
      expect(scale * 127).toBeGreaterThanOrEqual(amax); // nothing that fitted clips
      expect((scale / 2) * 127).toBeLessThan(amax);
    }
  });

  it('per-channel arrays and explicit parameter shapes', () => {
    const s = createScheme({ granularity: { kind: 'per-channel', axis: 0 } });
    const qp = computeQParams({ min: [-1, -2, 0], max: [1, 1, 4] }, s);
    expect(Array.from(qp.scale)).toEqual([1 / 127, 2 / 127, 4 / 127].map(Math.fround));
    expect(qp.shape).toEqual([3]);
  });

  it('rejects inverted, NaN and mismatched ranges', () => {
    const s = createScheme();
    expect(errorCode(() => computeQParams({ min: 2, max: 1 }, s))).toBe('QT_INVALID_QPARAMS');
    expect(errorCode(() => computeQParams({ min: Number.NaN, max: 1 }, s))).toBe('QT_INVALID_QPARAMS');
    expect(errorCode(() => computeQParams({ min: [0, 1], max: [1] }, s))).toBe('QT_SHAPE_MISMATCH');
    expect(errorCode(() => computeQParams({ min: [0, 1], max: [1, 2], shape: [3] }, s))).toBe('QT_SHAPE_MISMATCH');
    expect(errorCode(() => computeQParams({ min: -Infinity, max: 1 }, s))).toBe('QT_INVALID_QPARAMS');
  });
});
