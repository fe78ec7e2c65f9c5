import { errorCode, mulberry32 } from '@quant-trim/test-utils';
import { describe, expect, it } from 'vitest';
import { magnitudeMask, prunedCount } from '../../src/magnitude/magnitudeMask.js';

/** Reference: sort indices by (|v|, index), NaN last, prune the first ⌊s·n⌋. */
function reference(values: Float32Array, count: number): Uint8Array {
  const key = (i: number) => (Number.isNaN(values[i]!) ? Infinity : Math.abs(values[i]!));
  const order = [...values.keys()].sort((a, b) => key(a) - key(b) || a - b);
  const mask = new Uint8Array(values.length).fill(1);
  for (const i of order.slice(0, count)) mask[i] = 0;
  return mask;
}

const zeros = (mask: Uint8Array) => mask.reduce((a, m) => a + (1 - m), 0);

describe('magnitudeMask', () => {
  it('prunes exactly ⌊s·n⌋ of the smallest magnitudes, ties to the lowest index', () => {
    const random = mulberry32(7);
    for (const n of [1, 2, 7, 64, 1000]) {
      // Values on a coarse grid, so most magnitudes are tied (± signs tie too).
      const values = Float32Array.from({ length: n }, () => Math.round((random() - 0.5) * 8) / 4);
      for (const s of [0, 0.1, 0.25, 0.37, 0.5, 0.9, 1]) {
        const mask = magnitudeMask(values, s);
        expect(zeros(mask)).toBe(Math.floor(s * n + 1e-9));
        expect(mask).toEqual(reference(values, Math.floor(s * n + 1e-9)));
      }
    }
  });

  it('follows the documented examples', () => {
    expect([...magnitudeMask(new Float32Array([0.5, -0.1, 0.1, 2, -0.3]), 0.4)]).toEqual([1, 0, 0, 1, 1]);
    expect([...magnitudeMask(new Float32Array([0.1, 0.1, 0.1]), 0.5)]).toEqual([0, 1, 1]);
    expect([...magnitudeMask(new Float32Array([-0.2, 0.1, -0.2, 0.3]), 0.5)]).toEqual([0, 0, 1, 1]);
  });

  it('prunes NaN last and handles empty input', () => {
    expect([...magnitudeMask(new Float32Array([NaN, 5, 1, 3]), 0.75)]).toEqual([1, 0, 0, 0]);
    expect(magnitudeMask(new Float32Array(0), 0.5)).toEqual(new Uint8Array(0));
  });

  it('takes s·n within floating-point noise of an integer as that integer', () => {
    expect(0.29 * 100).toBeLessThan(29);
    expect(prunedCount(100, 0.29)).toBe(29);
    expect(prunedCount(10, 0.35)).toBe(3);
    expect(prunedCount(3, 0.5)).toBe(1);
    expect(zeros(magnitudeMask(new Float32Array(100).fill(1), 0.29))).toBe(29);
  });

  it('rejects bad arguments with QT_INVALID_ARGUMENT', () => {
    expect(errorCode(() => magnitudeMask(new Float32Array(3), 1.5))).toBe('QT_INVALID_ARGUMENT');
    expect(errorCode(() => magnitudeMask(new Float32Array(3), NaN))).toBe('QT_INVALID_ARGUMENT');
    expect(errorCode(() => magnitudeMask([1, 2] as unknown as Float32Array, 0.5))).toBe('QT_INVALID_ARGUMENT');
  });
});
