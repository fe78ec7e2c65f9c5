import { isQuantTrimError } from '@quant-trim/errors';
import { mulberry32 } from '@quant-trim/test-utils';
import { describe, expect, it } from 'vitest';
import { Histogram, MAX_GROWTH } from '../../src/calibrators/Histogram.js';

/** Seeded PRNG (mulberry32). */
function uniform(n: number, lo: number, hi: number, seed: number): Float32Array {
  const r = mulberry32(seed);
  return Float32Array.from({ length: n }, () => lo + (hi - lo) * r());
}

/** Independent binning: signed bin t = floor(x·(1/w)) (the documented rule), folded to |x| bin t or −t − 1, the top edge inclusive. */
function bruteAbs(values: Iterable<number>, width: number, bins: number): number[] {
  const counts = new Array<number>(bins).fill(0);
  for (const v of values) {
    if (!Number.isFinite(v)) continue;
    const t = Math.floor(v * (1 / width));
    counts[Math.min(bins - 1, t >= 0 ? t : -t - 1)]!++;
  }
  return counts;
}

describe('Histogram', () => {
  it('the first batch fixes 2·B bins of width max|x|/B, folded into TensorRT’s |x| bins', () => {
    const x = uniform(20_000, -3, 2, 1);
    const h = new Histogram(256);
    h.observe(x);
    let amax = 0;
    for (const v of x) amax = Math.max(amax, Math.abs(v));
    expect(h.width).toBe(amax / 256);
    expect(h.binsPerSide).toBe(256);
    expect(Array.from(h.abs().counts)).toEqual(bruteAbs(x, amax / 256, 256));
    expect(h.total).toBe(20_000);
    expect(h.min).toBe(Math.min(...x));
    expect(h.max).toBe(Math.max(...x));
  });

  it('signed bins run from −K·w to K·w with negatives on the left', () => {
    const h = new Histogram(4);
    h.observe(new Float32Array([-1, -0.3, 0, 0.1, 0.6, 2]));
    const s = h.signed();
    expect(s.width).toBe(0.5);
    expect(s.lo).toBe(-2);
    // bins [t·w, (t+1)·w): [-2,-1.5) [-1.5,-1) [-1,-0.5) [-0.5,0) [0,0.5) [0.5,1) [1,1.5) [1.5,2]
    expect(Array.from(s.counts)).toEqual([0, 0, 1, 1, 2, 1, 0, 1]);
    // |x| bins: negatives fold as (k·w, (k+1)·w]
    expect(Array.from(h.abs().counts)).toEqual([3, 2, 0, 1]);
  });

  it('zeros before the first nonzero batch land in bin [0, w)', () => {
    const h = new Histogram(8);
    h.observe(new Float32Array([0, 0, 0]));
    expect(h.width).toBe(0);
    expect(h.total).toBe(3);
    expect(h.abs().counts.length).toBe(0);
    h.observe(new Float32Array([0, 4, -2]));
    expect(h.width).toBe(0.5);
    expect(Array.from(h.abs().counts)).toEqual([4, 0, 0, 1, 0, 0, 0, 1]);
    expect(h.total).toBe(6);
    expect([h.min, h.max]).toEqual([-2, 4]);
  });

  it('a larger later max appends bins of the same width on both sides; counts do not move', () => {
    const h = new Histogram(4);
    h.observe(new Float32Array([1, -0.6]));
    expect(h.width).toBe(0.25);
    h.observe(new Float32Array([2.1, -1.3]));
    expect(h.width).toBe(0.25);
    expect(h.binsPerSide).toBe(9); // ceil(2.1 / 0.25)
    expect(Array.from(h.abs().counts)).toEqual([0, 0, 1, 1, 0, 1, 0, 0, 1]);
    expect(h.signed().lo).toBe(-9 * 0.25);
  });

  it(`merges bin pairs (width doubles) when a side would exceed ${MAX_GROWTH}·B bins`, () => {
    const h = new Histogram(4);
    h.observe(new Float32Array([1]));
    h.observe(new Float32Array([100, -0.3]));
    // need 400 bins of 0.25 > 64: 0.5 → 200, 1 → 100, 2 → 50 (fits)
    expect(h.width).toBe(2);
    expect(h.binsPerSide).toBe(50);
    const counts = Array.from(h.abs().counts);
    expect(counts[0]).toBe(2);
    expect(counts[49]).toBe(1);
    expect(counts.reduce((a, b) => a + b, 0)).toBe(3);
  });

  it('after any growth and merging, counts equal a direct binning of all data at the final width', () => {
    const h = new Histogram(64);
    const all: number[] = [];
    let w0 = 0;
    let firstMax = -1;
    for (const [k, scale] of [1, 0.5, 3, 40, 41, 900, 2].entries()) {
      const x = uniform(3000, -scale, scale * 0.7, 10 + k);
      h.observe(x);
      if (k === 0) {
        w0 = h.width;
        firstMax = x.reduce((best, v, i) => (Math.abs(v) > Math.abs(x[best]!) ? i : best), 0);
        all.push(...x.filter((_, i) => i !== firstMax));
      } else {
        all.push(...x);
      }
    }
    expect(h.binsPerSide).toBeLessThanOrEqual(MAX_GROWTH * 64);
    expect(h.binsPerSide).toBeGreaterThan(64);
    const expected = bruteAbs(all, h.width, h.binsPerSide);
    // The first batch's max|x| sits on the then-top edge, which is inclusive: bin 63 of width w0.
    expected[Math.floor((63 * w0) / h.width)]!++;
    expect(Array.from(h.abs().counts)).toEqual(expected);
    expect(h.total).toBe(all.length + 1);
  });

  it('skips NaN and ±Infinity, in counts and in min/max', () => {
    const h = new Histogram(4);
    h.observe(new Float32Array([NaN, Infinity, -Infinity, 1, -0.5, NaN]));
    expect(h.total).toBe(2);
    expect([h.min, h.max]).toEqual([-0.5, 1]);
    expect(h.width).toBe(0.25);
    h.observe(new Float32Array([Infinity, 0.9]));
    expect(h.total).toBe(3);
    expect(h.binsPerSide).toBe(4);
  });

  it('toJSON is JSON-safe and restores exactly; observing on continues identically', () => {
    const a = new Histogram(32);
    a.observe(new Float32Array([0, 0]));
    const empty = JSON.parse(JSON.stringify(a.toJSON()));
    expect(new Histogram(32).load(empty).toJSON()).toEqual(a.toJSON());
    a.observe(uniform(500, -1, 0.2, 3));
    const b = new Histogram(32).load(JSON.parse(JSON.stringify(a.toJSON())));
    expect(b.toJSON()).toEqual(a.toJSON());
    for (const [k, s] of [2, 70, 0.5].entries()) {
      const x = uniform(400, -s, s, 20 + k);
      a.observe(x);
      b.observe(x);
    }
    expect(b.toJSON()).toEqual(a.toJSON());
    expect(Array.from(b.signed().counts)).toEqual(Array.from(a.signed().counts));
  });

  it('rejects bad bins and bad states with QT_INVALID_CALIBRATOR', () => {
    for (const bins of [0, -1, 1.5]) {
      expect(() => new Histogram(bins)).toThrow(expect.objectContaining({ code: 'QT_INVALID_CALIBRATOR' }));
    }
    let caught: unknown;
    try {
      new Histogram(4).load({ binsPerSide: 2, width: 1, pos: [1, 2, 3], neg: [], zeros: 0, total: 6, min: 0, max: 3 });
    } catch (e) {
      caught = e;
    }
    expect(isQuantTrimError(caught, 'QT_INVALID_CALIBRATOR')).toBe(true);
  });
});
