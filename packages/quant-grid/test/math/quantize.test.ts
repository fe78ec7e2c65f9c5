import { describe, expect, it } from 'vitest';
import {
  type QParams,
  computeQParams,
  computeRanges,
  createScheme,
  dequantize,
  fakeQuantize,
  groupLayout,
  isQuantTrimError,
  quantize,
  roundWith,
} from '../../src/index.js';

const qp1 = (scale: number, zeroPoint = 0): QParams => ({ scale: new Float32Array([scale]), zeroPoint: new Int32Array([zeroPoint]), shape: [] });

describe('rounding rules (hand-computed)', () => {
  const ties = [-2.5, -1.5, -0.5, 0.5, 1.5, 2.5];
  it.each([
    ['half-even', [-2, -2, -0, 0, 2, 2]],
    ['half-away', [-3, -2, -1, 1, 2, 3]],
    ['half-up', [-2, -1, -0, 1, 2, 3]],
    ['floor', [-3, -2, -1, 0, 1, 2]],
  ] as const)('%s', (mode, expected) => {
    expect(ties.map((v) => roundWith(mode, v))).toEqual(expected.map((v) => v + 0));
    expect(roundWith(mode, 2.4)).toBe(mode === 'floor' ? 2 : 2);
    expect(roundWith(mode, -2.6)).toBe(-3);
  });

  it('quantize applies the scheme rounding to exact ties', () => {
    const x = new Float32Array([0.5, 1.5, -0.5, -1.5, 2.5]);
    const codes = (rounding: 'half-even' | 'half-away' | 'half-up' | 'floor') => Array.from(quantize(x, [5], qp1(1), createScheme({ rounding })));
    expect(codes('half-even')).toEqual([0, 2, 0, -2, 2]);
    expect(codes('half-away')).toEqual([1, 2, -1, -2, 3]);
    expect(codes('half-up')).toEqual([1, 2, 0, -1, 3]);
    expect(codes('floor')).toEqual([0, 1, -1, -2, 2]);
  });
});

describe('quantize / dequantize / fakeQuantize', () => {
  it('clamps to the integer range and adds the zero point', () => {
    const s = createScheme({ bits: 8, signed: false, symmetric: false });
    const q = quantize(new Float32Array([-100, 0, 0.26, 100]), [4], qp1(0.1, 10), s);
    expect(q).toBeInstanceOf(Uint8Array);
    expect(Array.from(q)).toEqual([0, 10, 13, 255]);
    expect(Array.from(dequantize(q, [4], qp1(0.1, 10), s))).toEqual([-1, 0, 0.3, 24.5].map(Math.fround));
  });

  it('picks the narrowest storage type', () => {
    expect(quantize(new Float32Array(2), [2], qp1(1), createScheme({ bits: 4 }))).toBeInstanceOf(Int8Array);
    expect(quantize(new Float32Array(2), [2], qp1(1), createScheme({ bits: 12, signed: false }))).toBeInstanceOf(Uint16Array);
    expect(quantize(new Float32Array(2), [2], qp1(1), createScheme({ bits: 16 }))).toBeInstanceOf(Int16Array);
  });

  it('fakeQuantize equals dequantize(quantize(x)) for every rounding rule, granularity and width', () => {
    const shape = [6, 5, 7];
    const x = new Float32Array(210).map((_, i) => Math.sin(i * 12.9898) * 3 + (i % 17 === 0 ? 0.5 : 0));
    for (const rounding of ['half-even', 'half-away', 'half-up', 'floor'] as const) {
      for (const granularity of [
        { kind: 'per-tensor' },
        { kind: 'per-channel', axis: 1 },
        { kind: 'per-group', axis: 2, groupSize: 3 },
        { kind: 'per-channel', axis: -1 },
      ] as const) {
        for (const bits of [2, 4, 8, 16]) {
          for (const symmetric of [true, false]) {
            const s = createScheme({ bits, rounding, granularity, symmetric });
            const qp = computeQParams(computeRanges(x, shape, granularity), s);
            const fq = fakeQuantize(x, shape, qp, s);
            const viaCodes = dequantize(quantize(x, shape, qp, s), shape, qp, s);
            expect(Array.from(fq)).toEqual(Array.from(viaCodes));
          }
        }
      }
    }
  });

  it('per-group parameters follow the ONNX blocked layout', () => {
    // x: [2, 5], groups of 2 along axis 1 → parameter shape [2, 3]; element (r, c) uses param (r, floor(c/2)).
    const layout = groupLayout([2, 5], { kind: 'per-group', axis: 1, groupSize: 2 });
    expect(layout.paramShape).toEqual([2, 3]);
    const x = new Float32Array([1, -2, 3, 4, 10, -1, 0.5, 0.25, -8, 6]);
    const s = createScheme({ granularity: { kind: 'per-group', axis: 1, groupSize: 2 } });
    const r = computeRanges(x, [2, 5], s.granularity);
    // rows [1, -2 | 3, 4 | 10] and [-1, 0.5 | 0.25, -8 | 6]
    expect(Array.from(r.max)).toEqual([1, 4, 10, 0.5, 0.25, 6]);
    expect(Array.from(r.min)).toEqual([-2, 3, 10, -1, -8, 6]);
    // Along axis 0 with inner dims: x [4, 3], groups of 3 along axis 0 → [2, 3], last group short.
    const r0 = computeRanges(new Float32Array([1, 2, 3, 4, 5, 6, 7, 8, 9, -1, -2, -3]), [4, 3], { kind: 'per-group', axis: 0, groupSize: 3 });
    expect(r0.shape).toEqual([2, 3]);
    expect(Array.from(r0.max)).toEqual([7, 8, 9, -1, -2, -3]);
    expect(Array.from(r0.min)).toEqual([1, 2, 3, -1, -2, -3]);
  });

  it('zero stays exact on every grid', () => {
    const x = new Float32Array([0, -0, 0.7, -1.3]);
    for (const symmetric of [true, false])
      for (const signed of [true, false])
        for (const bits of [2, 3, 8, 13]) {
          const s = createScheme({ bits, signed, symmetric });
          const y = fakeQuantize(x, [4], computeQParams(computeRanges(x, [4]), s), s);
          expect(y[0]).toBe(0);
        }
  });

  it('validates arguments with coded errors naming them', () => {
    const s = createScheme();
    const code = (f: () => unknown) => {
      try {
        f();
      } catch (e) {
        return isQuantTrimError(e) ? `${e.code}: ${e.message}` : 'other';
      }
      return 'none';
    };
    // @ts-expect-error: a Float64Array is refused at run time
    expect(code(() => fakeQuantize(new Float64Array(2), [2], qp1(1), s))).toMatch(
      /^QT_INVALID_ARGUMENT: argument `x` of `fakeQuantize`: expected a Float32Array, got Float64Array/,
    );
    expect(code(() => fakeQuantize(new Float32Array(6), [2, 2], qp1(1), s))).toMatch(/^QT_SHAPE_MISMATCH/);
    expect(code(() => fakeQuantize(new Float32Array(4), [2, 2], qp1(0), s))).toMatch(/^QT_INVALID_QPARAMS: argument `qparams.scale\[0\]`/);
    expect(code(() => fakeQuantize(new Float32Array(4), [2, 2], qp1(1, 500), s))).toMatch(/^QT_INVALID_QPARAMS: argument `qparams.zeroPoint\[0\]`/);
    const perChannel = createScheme({ granularity: { kind: 'per-channel', axis: 2 } });
    expect(code(() => fakeQuantize(new Float32Array(4), [2, 2], qp1(1), perChannel))).toMatch(/^QT_INVALID_GRANULARITY/);
    const c0 = createScheme({ granularity: { kind: 'per-channel', axis: 0 } });
    expect(code(() => fakeQuantize(new Float32Array(4), [2, 2], qp1(1), c0))).toMatch(/needs 2 scale\/zero-point pairs, got 1\/1/);
    expect(code(() => dequantize(new Int32Array([200]), [1], qp1(1), s))).toMatch(/^QT_VALUE_OUT_OF_RANGE/);
  });

  it('writes in place when out is x', () => {
    const s = createScheme();
    const x = new Float32Array([0.26, -0.74]);
    const y = fakeQuantize(x, [2], qp1(0.5), s, x);
    expect(y).toBe(x);
    expect(Array.from(x)).toEqual([0.5, -0.5]);
  });
});
