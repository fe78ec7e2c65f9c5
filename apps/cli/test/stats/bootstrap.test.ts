import { mulberry32 } from '@quant-trim/test-utils';
import { describe, expect, it } from 'vitest';
import { comparisonPairs, directionOf, imagesText, verdicts, verdictWord } from '../../src/pipeline/summarize.js';
import type { Comparison, MethodSummary } from '../../src/report/types.js';
import { bootstrapDrops, correctness, percentileInterval, quantile, type MethodOutcome, type SeedOutcome } from '../../src/stats/bootstrap.js';

const N = 2000;

/** Per-image correctness: all images correct except those in `wrong`. */
function outcome(wrong: Iterable<number>): Uint8Array {
  const out = new Uint8Array(N).fill(1);
  for (const i of wrong) out[i] = 0;
  return out;
}

/** `count` distinct image indices drawn with a seeded PRNG (never Math.random). */
function randomImages(count: number, seed: number): number[] {
  const r = mulberry32(seed);
  const chosen = new Set<number>();
  while (chosen.size < count) chosen.add(Math.floor(r() * N));
  return [...chosen];
}

const range = (from: number, count: number) => Array.from({ length: count }, (_, i) => from + i);

/** A method whose float model is always right and which loses `drops[p] × N` random images on each profile. */
function method(drops: Record<string, number>, seed: number): MethodOutcome {
  return { float: outcome([]), profiles: new Map(Object.entries(drops).map(([p, d], i) => [p, outcome(randomImages(Math.round(d * N), seed * 100 + i))])) };
}

function seeds(make: (seed: number) => Record<string, MethodOutcome>, count = 3): SeedOutcome[] {
  return Array.from({ length: count }, (_, s) => ({ seed: s, methods: new Map(Object.entries(make(s))) }));
}

describe('bootstrapDrops', () => {
  it('finds a known large difference: the worst-case drop and spread are narrower, the interval excludes 0 and holds the true value', () => {
    const data = seeds((s) => ({ fp: method({ a: 0.1, b: 0.01 }, 10 + s), 'quant-trim': method({ a: 0.01, b: 0.01 }, 20 + s) }));
    const r = bootstrapDrops(data, { resamples: 500, seed: 1, pairs: [['quant-trim', 'fp']] });
    expect(r).toMatchObject({ seeds: 3, images: N, resamples: 500, confidence: 0.95 });
    const fp = r.methods.get('fp')!;
    expect(fp.worstDrop.mean).toBeCloseTo(0.1, 10);
    expect(fp.spread.mean).toBeCloseTo(0.09, 10);
    expect(fp.meanDrop.mean).toBeCloseTo(0.055, 10);
    expect(fp.profiles.get('a')!.mean).toBeCloseTo(0.1, 10);
    const d = r.pairs[0]!.difference;
    expect(d.worstDrop.mean).toBeCloseTo(-0.09, 10);
    expect(d.worstDrop.high).toBeLessThan(0);
    expect(d.worstDrop.low).toBeLessThan(-0.09);
    expect(d.worstDrop.high).toBeGreaterThan(-0.09);
    expect(directionOf(d.worstDrop)).toBe('lower');
    expect(verdictWord('worstDrop', directionOf(d.worstDrop), r.seeds)).toBe('narrower');
    expect(verdictWord('spread', directionOf(d.spread), r.seeds)).toBe('narrower');
    expect(verdictWord('meanDrop', directionOf(d.meanDrop), r.seeds)).toBe('smaller');
    // and the other way round it is wider
    const back = bootstrapDrops(data, { resamples: 500, seed: 1, pairs: [['fp', 'quant-trim']] }).pairs[0]!.difference.worstDrop;
    expect(back.low).toBeGreaterThan(0);
    expect(verdictWord('worstDrop', directionOf(back), 3)).toBe('wider');
  });

  it('a zero difference (same drop rates, different images) gives an interval containing 0: no difference measurable at N seeds', () => {
    const data = seeds((s) => ({ fp: method({ a: 0.05, b: 0.02 }, 30 + s), 'quant-trim': method({ a: 0.05, b: 0.02 }, 40 + s) }));
    const r = bootstrapDrops(data, { resamples: 500, seed: 2, pairs: [['quant-trim', 'fp']] });
    for (const st of ['meanDrop', 'worstDrop', 'spread'] as const) {
      const d = r.pairs[0]!.difference[st];
      expect(d.mean, st).toBeCloseTo(0, 10);
      expect(d.low, st).toBeLessThan(0);
      expect(d.high, st).toBeGreaterThan(0);
      expect(directionOf(d)).toBe('inconclusive');
    }
    expect(verdictWord('worstDrop', 'inconclusive', 3)).toBe('no difference measurable at 3 seeds');
    expect(verdictWord('spread', 'inconclusive', 1)).toBe('no difference measurable over test images at 1 seed');
  });

  it('pairs methods by test image: a 10-image gap on the same images is resolved, the same gap on other images is not', () => {
    // QT loses exactly FP's 100 images plus 10 more: the paired difference is ≥ 0 in (nearly) every replicate.
    const paired = seeds(
      () => ({
        fp: { float: outcome([]), profiles: new Map([['a', outcome(range(0, 100))]]) },
        'quant-trim': { float: outcome([]), profiles: new Map([['a', outcome(range(0, 110))]]) },
      }),
      1,
    );
    const d = bootstrapDrops(paired, { resamples: 1000, seed: 3, pairs: [['quant-trim', 'fp']] }).pairs[0]!.difference.worstDrop;
    expect(d.mean).toBeCloseTo(10 / N, 12);
    expect(d.low).toBeGreaterThan(0);
    expect(verdictWord('worstDrop', directionOf(d), 1)).toBe('wider');
    // the same 10-image gap on unrelated images is within the noise of 1 seed
    const unpaired = seeds(
      () => ({
        fp: { float: outcome([]), profiles: new Map([['a', outcome(range(0, 100))]]) },
        'quant-trim': { float: outcome([]), profiles: new Map([['a', outcome(range(1000, 110))]]) },
      }),
      1,
    );
    const u = bootstrapDrops(unpaired, { resamples: 1000, seed: 3, pairs: [['quant-trim', 'fp']] }).pairs[0]!.difference.worstDrop;
    expect(u.mean).toBeCloseTo(10 / N, 12);
    expect(u.low).toBeLessThan(0);
    expect(verdictWord('worstDrop', directionOf(u), 1)).toBe('no difference measurable over test images at 1 seed');
  });

  it('over test images alone, the interval of one drop matches the binomial standard error', () => {
    const data = seeds(() => ({ fp: method({ a: 0.1 }, 7) }), 1);
    const a = bootstrapDrops(data, { resamples: 2000, seed: 4 }).methods.get('fp')!.profiles.get('a')!;
    const se = Math.sqrt((0.1 * 0.9) / N);
    expect((a.high - a.low) / (2 * 1.96 * se)).toBeGreaterThan(0.85);
    expect((a.high - a.low) / (2 * 1.96 * se)).toBeLessThan(1.15);
  });

  it('resamples seeds: a drop that differs between seeds gets a wide interval even with many images', () => {
    const data = seeds((s) => ({ fp: method({ a: [0.001, 0.11, 0.075][s]!, b: 0.001 }, 50 + s) }));
    const w = bootstrapDrops(data, { resamples: 1000, seed: 5 }).methods.get('fp')!.worstDrop;
    expect(w.mean).toBeCloseTo((0.001 + 0.11 + 0.075) / 3, 10);
    expect(w.low).toBeLessThan(0.03);
    expect(w.high).toBeGreaterThan(0.09);
  });

  it('is deterministic for a bootstrap seed, and the seed matters', () => {
    const data = seeds((s) => ({ fp: method({ a: 0.04, b: 0.02 }, 60 + s), 'quant-trim': method({ a: 0.03, b: 0.02 }, 70 + s) }));
    const run = (seed: number) => bootstrapDrops(data, { resamples: 300, seed, pairs: [['quant-trim', 'fp']] });
    expect(run(9)).toEqual(run(9));
    expect(run(9).pairs[0]!.difference.worstDrop).not.toEqual(run(10).pairs[0]!.difference.worstDrop);
    expect(run(9).pairs[0]!.difference.worstDrop.mean).toBe(run(10).pairs[0]!.difference.worstDrop.mean);
  });

  it('leaves out a profile that failed in some seed, and rejects inconsistent input with a coded error', () => {
    const data = seeds((s) => ({
      fp: s === 1 ? { float: outcome([]), profiles: new Map([['a', outcome(range(0, 20))]]) } : method({ a: 0.01, b: 0.5 }, 80 + s),
    }));
    const fp = bootstrapDrops(data, { resamples: 100 }).methods.get('fp')!;
    expect([...fp.profiles.keys()]).toEqual(['a']);
    expect(() => bootstrapDrops([])).toThrow(expect.objectContaining({ code: 'QT_INVALID_ARGUMENT' }));
    const short: SeedOutcome[] = [{ seed: 0, methods: new Map([['fp', { float: new Uint8Array(5), profiles: new Map([['a', new Uint8Array(4)]]) }]]) }];
    expect(() => bootstrapDrops(short)).toThrow(/fp on a: 4 outcomes, expected 5/);
    expect(() => correctness([1, 2], [1])).toThrow(expect.objectContaining({ code: 'QT_INVALID_ARGUMENT' }));
    expect([...correctness([1, 2, 3], [1, 0, 3])]).toEqual([1, 0, 1]);
  });

  it('percentile intervals interpolate between order statistics', () => {
    expect(quantile([0, 10], 0.25)).toBe(2.5);
    const i = percentileInterval(
      5,
      Float64Array.from({ length: 101 }, (_, k) => 100 - k),
      0.9,
    );
    expect(i.mean).toBe(5);
    expect(i.low).toBeCloseTo(5, 9);
    expect(i.high).toBeCloseTo(95, 9);
  });
});

describe('verdict wording', () => {
  const interval = (mean: number, low: number, high: number) => ({ mean, low, high });
  const summary = (method: MethodSummary['method'], worst: number): MethodSummary => ({
    method,
    floatAccuracy: 0.9,
    meanDrop: interval(0.01, 0.005, 0.02),
    worstDrop: interval(worst, worst - 0.03, worst + 0.04),
    worstProfile: 'trt-int8-entropy',
    spread: interval(worst, worst - 0.03, worst + 0.04),
    perSeed: [],
    profiles: [],
  });

  it('says narrower only when the paired interval excludes 0, and how many test images the gap is', () => {
    const summaries = [summary('fp', 0.0753), summary('quant-trim', 0.0746)];
    const tie: Comparison = {
      method: 'quant-trim',
      against: 'fp',
      statistic: 'worstDrop',
      difference: interval(-0.0007, -0.089, 0.092),
      direction: 'inconclusive',
      verdict: verdictWord('worstDrop', 'inconclusive', 3),
    };
    const [line] = verdicts([tie], summaries, 1429);
    expect(line).toBe(
      'Quant-Trim worst-case drop 7.46 pp [4.46, 11.46] vs FP 7.53 pp [4.53, 11.53]: difference −0.07 pp [−8.90, 9.20] (≈ 1 of 1,429 test images): no difference measurable at 3 seeds.',
    );
    const wider: Comparison = { ...tie, statistic: 'spread', difference: interval(0.05, 0.01, 0.09), direction: 'higher', verdict: 'wider' };
    expect(verdicts([wider], summaries, 10_000)[0]).toMatch(/: wider — Quant-Trim does not improve on this here\.$/);
    expect(verdicts([], [summary('fp', 0.01)], 100)).toEqual(['Quant-Trim was not part of this run: no verdict.']);
    expect(imagesText(-0.0007, 10_000)).toBe('≈ 7 of 10,000 test images');
    expect(imagesText(0.00125, 200)).toBe('≈ 0.3 of 200 test images');
  });

  it('compares Quant-Trim with every other method, and Quant-Trim (paper) with the non-Quant-Trim ones', () => {
    expect(comparisonPairs(['fp', 'qat', 'quant-trim'])).toEqual([
      ['quant-trim', 'fp'],
      ['quant-trim', 'qat'],
    ]);
    expect(comparisonPairs(['fp', 'quant-trim', 'quant-trim-paper'])).toEqual([
      ['quant-trim', 'fp'],
      ['quant-trim', 'quant-trim-paper'],
      ['quant-trim-paper', 'fp'],
    ]);
    expect(comparisonPairs(['fp', 'qat'])).toEqual([]);
  });
});
