import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { errorCode, randomNormal } from '@quant-trim/test-utils';
import { plantedOutliers } from '../plantedOutliers.js';
import { createReversePrune } from '../../src/reversePrune.js';
import { diagnoseModel } from '../../src/diagnostics/diagnoseModel.js';
import { diagnoseWeights } from '../../src/diagnostics/diagnoseWeights.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe('diagnoseWeights', () => {
  it('kurtosis is Pearson (≈ 3 for a Gaussian); scale inflation is max|w| / q99', () => {
    const w = randomNormal(100_000, 0.1, 4);
    const d = diagnoseWeights(w, [1000, 100]);
    expect(d.kurtosis!).toBeGreaterThan(2.9);
    expect(d.kurtosis!).toBeLessThan(3.1);
    expect(
      diagnoseWeights(
        Float32Array.from({ length: 100 }, (_, i) => i + 1),
        [100],
      ).scaleInflation,
    ).toBeCloseTo(100 / 99, 12);
    expect(d.shareTrimmed).toBeUndefined();
    expect(d.mse.int4.before).toBeGreaterThan(d.mse.int8.before);
    expect(errorCode(() => diagnoseWeights(w, [1000, 100], { channelAxis: 2 }))).toBe('QT_INVALID_GRANULARITY');
    expect(errorCode(() => diagnoseWeights(w, [1000, 100], { trimmed: new Float32Array(3) }))).toBe('QT_SHAPE_MISMATCH');
  });

  it('diagnoseModel trims through a transform and returns JSON-safe rows', () => {
    const shape = [3, 3, 32, 16];
    const { values } = plantedOutliers(shape, { seed: 2, rate: 0.005 });
    const rows = diagnoseModel([{ layer: 'conv', weight: 'kernel', values, shape, channelAxis: -1 }], { transform: createReversePrune({ pMax: 0.01 }) });
    const row = rows[0]!;
    expect(row.shareTrimmed).toBeCloseTo((16 * 3) / values.length, 12); // ⌈0.01·287⌉ per channel
    expect(row.after!.scaleInflation!).toBeLessThan(row.scaleInflation!);
    expect(row.mse.int8.bulkAfter!).toBeLessThan(row.mse.int8.bulkBefore!);
    expect(JSON.parse(JSON.stringify(rows))).toEqual(rows);
  });
});
