import { errorCode } from '@quant-trim/test-utils';
import { describe, expect, it } from 'vitest';
import { acrossProfiles, compareLogits, expectedCalibrationError } from '../../src/metrics/classificationMetrics.js';

const L = (rows: number[][]) => ({ data: Float32Array.from(rows.flat()), classes: rows[0]!.length });

describe('compareLogits (hand-computed)', () => {
  it('identical logits: full agreement, zero KL, cosine 1, zero drop', () => {
    const x = L([
      [2, 0, -1],
      [0, 3, 1],
    ]);
    const m = compareLogits(x, x, [0, 2]);
    expect(m).toMatchObject({ samples: 2, top1Agreement: 1, accuracy: 0.5, floatAccuracy: 0.5, drop: 0 });
    expect(m.kl).toBeCloseTo(0, 12);
    expect(m.logitCosine).toBeCloseTo(1, 12);
  });

  it('KL, cosine, agreement and accuracy on a two-class example', () => {
    // float: softmax([0, 0]) = [½, ½]; quantized: softmax([ln 3, 0]) = [¾, ¼]
    const m = compareLogits(L([[0, 0]]), L([[Math.log(3), 0]]), [1]);
    expect(m.kl).toBeCloseTo(0.5 * Math.log(0.5 / 0.75) + 0.5 * Math.log(0.5 / 0.25), 6);
    expect(m.logitCosine).toBe(0); // the float logit vector is zero, the quantized one is not
    expect(m.top1Agreement).toBe(1); // argmax ties take the first class on both sides
    expect(m).toMatchObject({ accuracy: 0, floatAccuracy: 0 });
    const flipped = compareLogits(L([[1, 2]]), L([[2, 1]]));
    expect(flipped.top1Agreement).toBe(0);
    expect(flipped.logitCosine).toBeCloseTo(4 / 5, 6);
  });

  it('ECE over 15 equal-width bins', () => {
    // confidences 0.95 (correct) and 0.95 (wrong) share bin 14: |0.5 − 0.95| · 2/4; 0.5 (correct) bin 7: |1 − 0.5| · 1/4; 0.1 (wrong) bin 1: |0 − 0.1| · 1/4
    const ece = expectedCalibrationError(Float64Array.from([0.95, 0.95, 0.5, 0.1]), Uint8Array.from([1, 0, 1, 0]));
    expect(ece).toBeCloseTo((0.45 * 2 + 0.5 + 0.1) / 4, 12);
    expect(expectedCalibrationError(Float64Array.from([1]), Uint8Array.from([1]))).toBe(0); // confidence 1 falls in the last bin
  });

  it('across profiles: mean drop, worst-case drop, spread', () => {
    expect(acrossProfiles([0.9, 0.8, 0.85], 0.92)).toEqual({
      meanDrop: expect.closeTo(0.07, 12),
      worstDrop: expect.closeTo(0.12, 12),
      spread: expect.closeTo(0.1, 12),
    });
  });

  it('rejects mismatched inputs with coded errors', () => {
    expect(errorCode(() => compareLogits(L([[1, 2]]), L([[1, 2, 3]])))).toBe('QT_SHAPE_MISMATCH');
    expect(errorCode(() => compareLogits(L([[1, 2]]), L([[1, 2]]), [0, 1]))).toBe('QT_SHAPE_MISMATCH');
    expect(errorCode(() => compareLogits({ data: new Float32Array(3), classes: 2 }, L([[1, 2]])))).toBe('QT_INVALID_ARGUMENT');
    expect(errorCode(() => acrossProfiles([], 1))).toBe('QT_INVALID_ARGUMENT');
  });
});
