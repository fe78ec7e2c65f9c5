import { isQuantTrimError } from '@quant-trim/errors';
import { describe, expect, it } from 'vitest';
import { compareRuntimeOutputs } from '../../src/runtime/disagreement.js';

describe('compareRuntimeOutputs', () => {
  it('computes agreement and differences on a hand-made example', () => {
    // Rows: same winner; winner flips (0 → 1); tie in b resolves to the first maximum (same winner).
    const a = { data: Float32Array.from([1, 0, 0, 0.5, 0.4, 0, 2, 1, 0]), classes: 3 };
    const b = { data: Float32Array.from([1, 0.25, 0, 0.5, 0.75, 0, 2, 2, 0]), classes: 3 };
    const r = compareRuntimeOutputs(a, b);
    expect(r.samples).toBe(3);
    expect(r.top1Agreement).toBeCloseTo(2 / 3, 12);
    expect(r.maxAbsDiff).toBe(1);
    expect(r.meanAbsDiff).toBeCloseTo((0.25 + Math.fround(0.75) - Math.fround(0.4) + 1) / 9, 7);
  });

  it('is 1 / 0 / 0 for identical logits', () => {
    const a = { data: Float32Array.from([3, 1, 2, 5]), classes: 2 };
    expect(compareRuntimeOutputs(a, a)).toEqual({ top1Agreement: 1, maxAbsDiff: 0, meanAbsDiff: 0, samples: 2 });
  });

  it('throws QT_SHAPE_MISMATCH when rows or classes differ', () => {
    const a = { data: new Float32Array(6), classes: 3 };
    expect(() => compareRuntimeOutputs(a, { data: new Float32Array(9), classes: 3 })).toThrow(expect.objectContaining({ code: 'QT_SHAPE_MISMATCH' }));
    expect(() => compareRuntimeOutputs(a, { data: new Float32Array(6), classes: 2 })).toThrow(expect.objectContaining({ code: 'QT_SHAPE_MISMATCH' }));
    let error: unknown;
    try {
      compareRuntimeOutputs(a, { data: new Float32Array(5), classes: 3 });
    } catch (e) {
      error = e;
    }
    expect(isQuantTrimError(error, 'QT_INVALID_ARGUMENT')).toBe(true);
  });
});
