import { mulberry32 } from '@quant-trim/test-utils';
import { describe, expect, it } from 'vitest';
import { createScheme } from '../../src/scheme.js';
import { EntropyCalibrator } from '../../src/calibrators/entropy.js';

/** scipy.stats.entropy(pk, qk): both normalised, Σ rel_entr(p, q). */
function scipyEntropy(pk: number[], qk: number[]): number {
  const sp = pk.reduce((a, b) => a + b, 0);
  const sq = qk.reduce((a, b) => a + b, 0);
  let s = 0;
  for (let k = 0; k < pk.length; k++) {
    const p = pk[k]! / sp;
    const q = qk[k]! / sq;
    if (p > 0 && q > 0) s += p * Math.log(p / q);
    else if (p > 0) return Infinity;
  }
  return s;
}

/**
 * A line-by-line transcription of TensorRT pytorch-quantization `_compute_amax_entropy`
 * (calib/histogram.py): np.linspace / np.digitize / Counter, written independently of entropy.ts.
 * Returns the chosen bin count i (amax = calib_bin_edges[i]).
 */
function trtEntropyReference(hist: readonly number[], numBits: number, unsigned: boolean, stride = 1, startBin = 128): number {
  const bins = [...hist];
  bins[0] = bins[1]!;
  const nbins = 1 << (numBits - 1 + (unsigned ? 1 : 0));
  const divergences: number[] = [];
  for (let i = startBin; i <= bins.length; i += stride) {
    const space = Array.from({ length: nbins + 1 }, (_, k) => k * (i / nbins));
    // np.digitize(range(i), space) - 1: the k with space[k] <= j < space[k + 1]
    const digitized = Array.from({ length: i }, (_, j) => space.findIndex((edge) => edge > j) - 1);
    for (let j = 0; j < i; j++) if (bins[j] === 0) digitized[j] = -1;
    const newDensityCounts = new Array<number>(nbins).fill(0);
    digitized.forEach((d, j) => {
      if (d !== -1) newDensityCounts[d] = newDensityCounts[d]! + bins[j]!;
    });
    const counter = new Map<number, number>();
    for (const d of digitized) counter.set(d, (counter.get(d) ?? 0) + 1);
    for (const [key, val] of counter) if (key !== -1) newDensityCounts[key] = newDensityCounts[key]! / val;
    const newDensity = digitized.map((d) => (d === -1 ? 0 : newDensityCounts[d]!));
    const reference = bins.slice(0, i);
    reference[i - 1] = reference[i - 1]! + bins.slice(i).reduce((a, b) => a + b, 0);
    divergences.push(scipyEntropy(reference, newDensity));
  }
  // last_argmin = len − 1 − argmin(divergences[::-1])
  const reversed = [...divergences].reverse();
  const lastArgmin = divergences.length - 1 - reversed.indexOf(Math.min(...reversed));
  return lastArgmin * stride + startBin;
}

/** A random |x| histogram: a noisy decaying bulk with 10 % holes (the top bin gets the max later). */
function randomHistogram(bins: number, seed: number): number[] {
  const r = mulberry32(seed);
  const tau = 20 + 40 * r();
  return Array.from({ length: bins }, (_, j) => (r() < 0.1 ? 0 : Math.round(400 * Math.exp(-j / tau) * (0.5 + r()))));
}

/** Data whose histogram with `bins` bins per side is exactly `counts` (+1 in the top bin): M = bins, w = 1. */
function dataFor(counts: readonly number[], seed: number): { data: Float32Array; hist: number[] } {
  const r = mulberry32(seed);
  const values: number[] = [counts.length];
  counts.forEach((c, j) => {
    for (let k = 0; k < c; k++) values.push((r() < 0.5 ? -1 : 1) * (j + 0.5));
  });
  const hist = [...counts];
  hist[hist.length - 1]!++;
  return { data: Float32Array.from(values), hist };
}

describe('EntropyCalibrator against a transcription of TensorRT _compute_amax_entropy', () => {
  const cases = [
    { seed: 1, bits: 8, signed: true, options: {}, zeros: 0 },
    { seed: 6, bits: 8, signed: false, options: {}, zeros: 40_000 },
    { seed: 7, bits: 8, signed: true, options: {}, zeros: 20_000 },
    { seed: 2, bits: 8, signed: true, options: {}, zeros: 0 },
    { seed: 3, bits: 8, signed: false, options: {}, zeros: 0 },
    { seed: 4, bits: 4, signed: true, options: { stride: 3 }, zeros: 0 },
    { seed: 5, bits: 8, signed: true, options: { start: 200, stride: 2 }, zeros: 0 },
  ];
  for (const { seed, bits, signed, options, zeros } of cases) {
    it(`random histogram #${seed}: ${bits}-bit ${signed ? 'signed' : 'unsigned'} ${JSON.stringify(options)}${zeros > 0 ? `, ${zeros} exact zeros (H[0] = H[1] matters)` : ''}`, () => {
      const counts = randomHistogram(384, seed);
      counts[0]! += zeros;
      const { data, hist } = dataFor(counts, seed + 100);
      const c = new EntropyCalibrator({ bins: 384, ...options });
      c.observe(data);
      const h = c.histograms[0]!;
      expect(h.width).toBe(1);
      expect(Array.from(h.abs().counts)).toEqual(hist);
      const scheme = createScheme({ bits, signed });
      const expected = trtEntropyReference(hist, bits, !signed, options.stride ?? 1, options.start ?? 128);
      expect(c.threshold(h, scheme)).toBe(expected);
      // and the chosen threshold is not trivially the last candidate
      expect(expected).toBeLessThan(hist.length);
    });
  }

  it('thresholdAt center adds half a bin; the range follows the scheme', () => {
    const { data, hist } = dataFor(randomHistogram(256, 9), 9);
    const edge = new EntropyCalibrator({ bins: 256 });
    const center = new EntropyCalibrator({ bins: 256, thresholdAt: 'center' });
    edge.observe(data);
    center.observe(data);
    const sym = createScheme({ bits: 8 });
    const i = trtEntropyReference(hist, 8, false);
    expect(edge.ranges(sym).max[0]).toBe(i);
    expect(center.ranges(sym).max[0]).toBe(i + 0.5);
    expect(edge.ranges(sym).min[0]).toBe(-i);
    const uSym = createScheme({ bits: 8, signed: false });
    expect(edge.ranges(uSym).min[0]).toBe(0);
    const asym = createScheme({ bits: 8, symmetric: false, signed: false });
    const r = edge.ranges(asym);
    const h = edge.histograms[0]!;
    const t = trtEntropyReference(hist, 8, true);
    expect([r.min[0], r.max[0]]).toEqual([Math.max(h.min, -t), Math.min(h.max, t)]);
  });
});
