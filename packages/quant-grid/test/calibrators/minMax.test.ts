import { errorCode } from '@quant-trim/test-utils';
import { describe, expect, it } from 'vitest';
import { computeQParams, createScheme, defaultRegistry } from '../../src/index.js';

const f = (...v: number[]) => new Float32Array(v);
const u8 = createScheme({ bits: 8, signed: false, symmetric: false });

describe('min/max calibrators', () => {
  it('minmax keeps the running extremes and skips NaN', () => {
    const c = defaultRegistry.calibrator('minmax');
    c.observe(f(0.5, -1, Number.NaN));
    c.observe(f(3, 0));
    expect(c.batches).toBe(2);
    expect(c.compute(u8)).toEqual(computeQParams({ min: -1, max: 3 }, u8));
  });

  it('ema-minmax: first batch initialises, then v ← m·v + (1 − m)·v_batch', () => {
    const c = defaultRegistry.calibrator('ema-minmax', { momentum: 0.9 });
    c.observe(f(-1, 1));
    c.observe(f(-3, 11));
    // min: 0.9·-1 + 0.1·-3 = -1.2; max: 0.9·1 + 0.1·11 = 2
    expect(c.compute(u8)).toEqual(computeQParams({ min: -1.2, max: 2 }, u8));
    expect(() => defaultRegistry.calibrator('ema-minmax', { momentum: 1 })).toThrowError(/ema-minmax.momentum/);
  });

  it('mean-minmax averages per-batch extremes, or per-sample ones', () => {
    const c = defaultRegistry.calibrator('mean-minmax');
    c.observe(f(-1, 1));
    c.observe(f(-3, 5));
    expect(c.compute(u8)).toEqual(computeQParams({ min: -2, max: 3 }, u8));

    const s = defaultRegistry.calibrator('mean-minmax', { perSample: true });
    s.observe(f(-1, 1, -3, 5, 0, 3), [3, 2]); // samples [-1,1], [-3,5], [0,3]
    expect(s.compute(u8)).toEqual(computeQParams({ min: -4 / 3, max: 3 }, u8));
  });

  it('per-channel statistics give one parameter pair per channel', () => {
    const w = createScheme({ granularity: { kind: 'per-channel', axis: 1 } });
    const c = defaultRegistry.calibrator('minmax', { granularity: { kind: 'per-channel', axis: 1 } });
    c.observe(f(1, -2, 0.5, 4, -3, 0), [2, 3]);
    c.observe(f(0, 0, 8, 0, 0, 0), [2, 3]);
    const qp = c.compute(w);
    expect(qp.shape).toEqual([3]);
    expect(Array.from(qp.scale)).toEqual([4 / 127, 3 / 127, 8 / 127].map(Math.fround));
  });

  it('round-trips through JSON mid-calibration and continues identically', () => {
    for (const name of ['minmax', 'ema-minmax', 'mean-minmax'] as const) {
      const a = defaultRegistry.calibrator(name, { granularity: { kind: 'per-channel', axis: 0 } });
      const b = defaultRegistry.calibrator(name, { granularity: { kind: 'per-channel', axis: 0 } });
      const batches = [f(1, 2, -3, 4), f(-5, 0.5, 2, 2), f(0.1, -7, 3, 9)];
      a.observe(batches[0]!, [2, 2]);
      b.observe(batches[0]!, [2, 2]);
      const restored = defaultRegistry.restoreCalibrator(JSON.parse(JSON.stringify(b.toJSON())));
      for (const batch of batches.slice(1)) {
        a.observe(batch, [2, 2]);
        restored.observe(batch, [2, 2]);
      }
      const scheme = createScheme({ symmetric: false, granularity: { kind: 'per-channel', axis: 0 } });
      expect(restored.compute(scheme)).toEqual(a.compute(scheme));
      expect(restored.batches).toBe(3);
    }
  });

  it('coded errors: empty, wrong granularity, changing channel count', () => {
    const c = defaultRegistry.calibrator('minmax');
    expect(errorCode(() => c.compute(u8))).toBe('QT_CALIBRATOR_EMPTY');
    c.observe(f(Number.NaN));
    expect(errorCode(() => c.compute(u8))).toBe('QT_CALIBRATOR_EMPTY');
    c.observe(f(1));
    expect(errorCode(() => c.compute(createScheme({ granularity: { kind: 'per-channel', axis: 0 } })))).toBe('QT_INVALID_GRANULARITY');
    const pc = defaultRegistry.calibrator('minmax', { granularity: { kind: 'per-channel', axis: 0 } });
    pc.observe(f(1, 2), [2, 1]);
    expect(errorCode(() => pc.observe(f(1, 2, 3), [3, 1]))).toBe('QT_SHAPE_MISMATCH');
    expect(errorCode(() => pc.observe(new Float64Array(2) as never, [2, 1]))).toBe('QT_INVALID_ARGUMENT');
    expect(errorCode(() => defaultRegistry.calibrator('mean-minmax', { perSample: true, granularity: { kind: 'per-channel', axis: 1 } }))).toBe(
      'QT_INVALID_CALIBRATOR',
    );
    c.reset();
    expect(c.batches).toBe(0);
    expect(errorCode(() => c.compute(u8))).toBe('QT_CALIBRATOR_EMPTY');
  });
});
