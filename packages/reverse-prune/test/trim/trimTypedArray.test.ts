import { describe, expect, it } from 'vitest';
import { computeQParams, computeRanges, createScheme } from '@quant-trim/quant-grid';
import { errorCode } from '@quant-trim/test-utils';
import { diagnoseWeights } from '../../src/diagnostics/diagnoseWeights.js';
import { plantedOutliers } from '../plantedOutliers.js';
import { trimThresholds } from '../../src/trim/trimThresholds.js';
import { trimTypedArray } from '../../src/trim/trimTypedArray.js';

const f32 = (a: number[]) => Float32Array.from(a);

describe('trimThresholds definitions', () => {
  it('quantile: τ is the (1 − p) quantile of |w|, linearly interpolated; p = 0 keeps everything', () => {
    const w = f32([1, -5, 3, 2, -4]); // |w| ascending: 1 2 3 4 5
    const tau = (p: number) => trimThresholds(w, [5], { criterion: { kind: 'quantile', p } }).thresholds[0];
    expect(tau(0.5)).toBe(3); // position 2
    expect(tau(0.25)).toBe(4); // position 3
    expect(tau(0.4)).toBe(Math.fround(3.4)); // position 2.4
    expect(tau(0.01)).toBe(Math.fround(4 + Math.fround(Math.fround(0.96) * 1))); // position 3.96: the max is clamped gently
    expect(tau(0)).toBe(5);
    const r = trimTypedArray(w, [5], { criterion: { kind: 'quantile', p: 0.5 } });
    expect(Array.from(r.values)).toEqual([1, -3, 3, 2, -3]);
    expect(Array.from(r.mask)).toEqual([0, 1, 0, 0, 1]);
    expect(r.trimmed).toBe(2);
  });

  it('median-ratio uses the lower median; sigma the population σ', () => {
    expect(trimThresholds(f32([1, -2, 3, 4]), [4], { criterion: { kind: 'median-ratio', ratio: 1.5 } }).thresholds[0]).toBe(3);
    const w = f32([-1, 1, -1, 1]);
    expect(trimThresholds(w, [4], { criterion: { kind: 'sigma', k: 2 } }).thresholds[0]).toBeCloseTo(2, 12);
  });

  it('groups follow quant-grid granularity: per-channel on any axis, per-group (ragged blocks too)', () => {
    const w = f32([1, 2, 3, 4, 5, 6]); // [2, 3]
    const q = { kind: 'quantile', p: 0.5 } as const;
    expect(Array.from(trimThresholds(w, [2, 3], { criterion: q, granularity: { kind: 'per-channel', axis: 0 } }).thresholds)).toEqual([2, 5]);
    expect(Array.from(trimThresholds(w, [2, 3], { criterion: q, granularity: { kind: 'per-channel', axis: -1 } }).thresholds)).toEqual([2.5, 3.5, 4.5]);
    const g = trimThresholds(w, [2, 3], { criterion: q, granularity: { kind: 'per-group', axis: 1, groupSize: 2 } });
    expect(g.shape).toEqual([2, 2]);
    expect(Array.from(g.thresholds)).toEqual([1.5, 3, 4.5, 6]);
  });

  it('clamp preserves the sign and bounds |w| by τ; zero zeroes exactly the trimmed weights', () => {
    const shape = [64, 3, 3, 32];
    const { values: w } = plantedOutliers(shape);
    const granularity = { kind: 'per-channel', axis: -1 } as const;
    const c = trimTypedArray(w, shape, { criterion: { kind: 'quantile', p: 0.005 }, granularity });
    const z = trimTypedArray(w, shape, { criterion: { kind: 'quantile', p: 0.005 }, granularity, operation: 'zero' });
    expect(c.trimmed).toBe(32 * Math.ceil(0.005 * 575));
    for (let i = 0; i < w.length; i++) {
      const tau = c.thresholds.thresholds[i % 32]!;
      expect(Math.sign(c.values[i]!)).toBe(Math.sign(w[i]!));
      expect(Math.abs(c.values[i]!)).toBeLessThanOrEqual(tau);
      expect(z.values[i]).toBe(c.mask[i] === 1 ? 0 : w[i]);
      if (c.mask[i] === 0) expect(c.values[i]).toBe(w[i]);
    }
  });

  it('on planted outliers, trimming lowers the per-channel scales and the bulk quantization MSE', () => {
    const shape = [64, 3, 3, 32];
    const { values: w, outliers } = plantedOutliers(shape);
    const p = 0.01; // ⌈0.01·575⌉ = 6 per channel
    const { values: t } = trimTypedArray(w, shape, { criterion: { kind: 'quantile', p }, granularity: { kind: 'per-channel', axis: -1 } });
    const scheme = createScheme({ bits: 8, granularity: { kind: 'per-channel', axis: -1 } });
    const sBefore = computeQParams(computeRanges(w, shape, scheme.granularity), scheme).scale;
    const sAfter = computeQParams(computeRanges(t, shape, scheme.granularity), scheme).scale;
    const perChannel = new Array<number>(32).fill(0);
    outliers.forEach((o, i) => (perChannel[i % 32]! += o));
    let checked = 0;
    for (let c = 0; c < 32; c++) {
      expect(sAfter[c]!).toBeLessThanOrEqual(sBefore[c]!);
      if (perChannel[c]! > 0 && perChannel[c]! <= 5) {
        expect(sAfter[c]!).toBeLessThan(0.3 * sBefore[c]!);
        checked++;
      }
    }
    expect(checked).toBeGreaterThan(20);
    const d = diagnoseWeights(w, shape, { channelAxis: -1, trimmed: t });
    expect(d.mse.int8.bulkAfter!).toBeLessThan(0.3 * d.mse.int8.bulkBefore!);
    expect(d.mse.int4.bulkAfter!).toBeLessThan(0.3 * d.mse.int4.bulkBefore!);
    expect(d.after!.scaleInflation!).toBeLessThan(d.scaleInflation!);
    expect(d.shareTrimmed).toBeCloseTo((32 * 6) / w.length, 12);
  });

  it('rejects bad arguments with codes naming the field', () => {
    const w = f32([1, 2, 3, 4]);
    expect(errorCode(() => trimThresholds(w, [4], { criterion: { kind: 'quantile', p: 1 } }))).toBe('QT_INVALID_ARGUMENT');
    expect(() => trimThresholds(w, [4], { criterion: { kind: 'quantile', p: 1 } })).toThrow(/options\.criterion\.p/);
    expect(() => trimThresholds(w, [4], { criterion: { kind: 'sigma', k: -1 } })).toThrow(/options\.criterion\.k/);
    expect(() => trimThresholds(w, [4], { criterion: { kind: 'median-ratio', ratio: 0 } })).toThrow(/options\.criterion\.ratio/);
    expect(() => trimThresholds(w, [4], { criterion: { kind: 'nope' } as never })).toThrow(/options\.criterion\.kind/);
    expect(errorCode(() => trimThresholds(w, [5], { criterion: { kind: 'quantile', p: 0 } }))).toBe('QT_SHAPE_MISMATCH');
    expect(errorCode(() => trimThresholds(new Float64Array(4) as never, [4], { criterion: { kind: 'quantile', p: 0 } }))).toBe('QT_INVALID_ARGUMENT');
    expect(errorCode(() => trimThresholds(w, [4], { criterion: { kind: 'quantile', p: 0 }, granularity: { kind: 'per-channel', axis: 3 } }))).toBe(
      'QT_INVALID_GRANULARITY',
    );
    expect(errorCode(() => trimThresholds(w, [4], { criterion: { kind: 'quantile', p: 0 }, granularity: { kind: 'per-group', axis: 0, groupSize: 0 } }))).toBe(
      'QT_INVALID_GRANULARITY',
    );
    expect(() => trimTypedArray(w, [4], { criterion: { kind: 'quantile', p: 0 }, operation: 'cut' as never })).toThrow(/options\.operation/);
  });
});
