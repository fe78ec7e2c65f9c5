import { QuantTrimError } from '@quant-trim/errors';
import { seededRng } from '../data/random.js';

/**
 * Paired bootstrap of the comparison statistics (mean drop, worst-case drop, spread; apps/cli/README.md) over seeds and test images (pure: no tfjs).
 *
 * Input: for every seed and method, which test images the float checkpoint and each compiled
 * (profile) model classify correctly. The drop on a profile is `acc(float) − acc(profile)` on the
 * same images, so only the images where the two disagree move it: they are kept as a sparse list.
 *
 * One bootstrap replicate draws `S` seeds with replacement from the `S` seeds run and `N` test-image
 * indices with replacement from the `N` test images (the same draw for every seed, method and
 * profile, so every comparison is paired), recomputes every statistic per drawn seed on the drawn
 * images and averages it over the drawn seeds. The interval is the percentile interval of the
 * replicates (95 %: the 2.5th and 97.5th percentiles); the point estimate is the statistic on the
 * data as measured (all seeds, all images), not the bootstrap mean.
 */

/** Which test images one (seed, method) run classifies correctly: 1 = correct. */
export interface MethodOutcome {
  /** The float checkpoint. */
  readonly float: Uint8Array;
  /** Per profile id; a profile that failed for this run is left out. */
  readonly profiles: ReadonlyMap<string, Uint8Array>;
}

export interface SeedOutcome {
  readonly seed: number;
  /** Per method id. */
  readonly methods: ReadonlyMap<string, MethodOutcome>;
}

/** A point estimate with its bootstrap percentile interval. */
export interface Interval {
  readonly mean: number;
  readonly low: number;
  readonly high: number;
}

/** The across-profile statistics of a comparison, as shares (0.01 = 1 pp). */
export const STATISTICS = ['meanDrop', 'worstDrop', 'spread'] as const;
export type Statistic = (typeof STATISTICS)[number];

export interface BootstrapOptions {
  /** Replicates; default 1000. */
  readonly resamples?: number;
  /** Seed of the bootstrap's own random stream (`seededRng(seed, 'bootstrap')`); default 0. */
  readonly seed?: number;
  /** Coverage of the percentile intervals; default 0.95. */
  readonly confidence?: number;
  /** Method pairs `[a, b]` whose paired difference `a − b` is wanted for every statistic. */
  readonly pairs?: readonly (readonly [string, string])[];
}

export interface MethodStatistics {
  readonly meanDrop: Interval;
  readonly worstDrop: Interval;
  readonly spread: Interval;
  /** Drop per profile, averaged over seeds. */
  readonly profiles: ReadonlyMap<string, Interval>;
}

export interface PairStatistics {
  readonly a: string;
  readonly b: string;
  /** `statistic(a) − statistic(b)` per replicate, paired by seed and test image. */
  readonly difference: Readonly<Record<Statistic, Interval>>;
}

export interface BootstrapResult {
  readonly seeds: number;
  readonly images: number;
  readonly resamples: number;
  readonly confidence: number;
  readonly methods: ReadonlyMap<string, MethodStatistics>;
  readonly pairs: readonly PairStatistics[];
}

/** Images where float and profile disagree, with `float − profile` (±1) at each. */
interface Sparse {
  readonly index: Int32Array;
  readonly sign: Int8Array;
}

function sparseDifference(float: Uint8Array, profile: Uint8Array): Sparse {
  const index: number[] = [];
  const sign: number[] = [];
  for (let i = 0; i < float.length; i++) {
    const d = float[i]! - profile[i]!;
    if (d !== 0) {
      index.push(i);
      sign.push(d > 0 ? 1 : -1);
    }
  }
  return { index: Int32Array.from(index), sign: Int8Array.from(sign) };
}

function invalid(message: string): QuantTrimError {
  return new QuantTrimError({ code: 'QT_INVALID_ARGUMENT', message: `bootstrap: ${message}` });
}

/** Linear-interpolation quantile of sorted values (type 7). */
export function quantile(sorted: ArrayLike<number>, q: number): number {
  const n = sorted.length;
  if (n === 0) return Number.NaN;
  const h = (n - 1) * q;
  const lo = Math.floor(h);
  const hi = Math.min(n - 1, lo + 1);
  return sorted[lo]! + (h - lo) * (sorted[hi]! - sorted[lo]!);
}

/** The percentile interval of `replicates` around the point estimate `mean`. */
export function percentileInterval(mean: number, replicates: Float64Array, confidence: number): Interval {
  const sorted = Float64Array.from(replicates).sort();
  const tail = (1 - confidence) / 2;
  return { mean, low: quantile(sorted, tail), high: quantile(sorted, 1 - tail) };
}

interface PerSeed {
  /** Per method: profile ids (in order) and their sparse differences. */
  readonly methods: ReadonlyMap<string, { readonly profiles: readonly string[]; readonly diffs: readonly Sparse[] }>;
}

/** Statistics of one seed's method on images weighted by `weights` (Σ = images), or all images once when absent. */
function seedStatistics(
  entry: { profiles: readonly string[]; diffs: readonly Sparse[] },
  weights: Int32Array | undefined,
  images: number,
  drops: Float64Array,
): Record<Statistic, number> {
  let sum = 0;
  let max = -Infinity;
  let min = Infinity;
  entry.diffs.forEach((d, p) => {
    let acc = 0;
    if (weights === undefined) for (let k = 0; k < d.index.length; k++) acc += d.sign[k]!;
    else for (let k = 0; k < d.index.length; k++) acc += d.sign[k]! * weights[d.index[k]!]!;
    const drop = acc / images;
    drops[p] = drop;
    sum += drop;
    if (drop > max) max = drop;
    if (drop < min) min = drop;
  });
  const n = entry.diffs.length;
  return n === 0 ? { meanDrop: Number.NaN, worstDrop: Number.NaN, spread: Number.NaN } : { meanDrop: sum / n, worstDrop: max, spread: max - min };
}

/**
 * The paired bootstrap described at the top of this module. Methods are those present in every
 * seed; a profile counts for a method when it ran in every seed (a profile that failed in one seed
 * is left out of that method's statistics, so seeds stay comparable).
 *
 * @example
 * const r = bootstrapDrops(outcomes, { resamples: 1000, seed: 0, pairs: [['quant-trim', 'fp']] });
 * r.pairs[0].difference.worstDrop; // { mean, low, high } of QT − FP, in shares
 */
export function bootstrapDrops(outcomes: readonly SeedOutcome[], options: BootstrapOptions = {}): BootstrapResult {
  const resamples = options.resamples ?? 1000;
  const confidence = options.confidence ?? 0.95;
  if (outcomes.length === 0) throw invalid('no seed to resample');
  if (!Number.isInteger(resamples) || resamples < 1) throw invalid(`resamples: expected an integer ≥ 1, got ${resamples}`);
  if (!(confidence > 0 && confidence < 1)) throw invalid(`confidence: expected a number in (0, 1), got ${confidence}`);
  const first = outcomes[0]!;
  const methodIds = [...first.methods.keys()].filter((m) => outcomes.every((o) => o.methods.has(m)));
  const images = first.methods.get(methodIds[0] ?? '')?.float.length ?? 0;
  if (methodIds.length === 0 || images === 0) throw invalid('no method with test images in every seed');

  const profilesOf = new Map<string, string[]>();
  for (const m of methodIds) {
    const ids = [...first.methods.get(m)!.profiles.keys()].filter((p) => outcomes.every((o) => o.methods.get(m)!.profiles.has(p)));
    profilesOf.set(m, ids);
  }
  const perSeed: PerSeed[] = outcomes.map((o) => ({
    methods: new Map(
      methodIds.map((m) => {
        const run = o.methods.get(m)!;
        if (run.float.length !== images) throw invalid(`seed ${o.seed}, ${m}: ${run.float.length} float outcomes, expected ${images}`);
        const profiles = profilesOf.get(m)!;
        const diffs = profiles.map((p) => {
          const q = run.profiles.get(p)!;
          if (q.length !== images) throw invalid(`seed ${o.seed}, ${m} on ${p}: ${q.length} outcomes, expected ${images}`);
          return sparseDifference(run.float, q);
        });
        return [m, { profiles, diffs }];
      }),
    ),
  }));

  const pairs = (options.pairs ?? []).filter(([a, b]) => methodIds.includes(a) && methodIds.includes(b));
  const S = outcomes.length;
  const scratch = new Map(methodIds.map((m) => [m, new Float64Array(profilesOf.get(m)!.length)]));

  /** Statistics averaged over the given seed indices (with multiplicity), on weighted images. */
  const evaluateDraw = (seedIdx: ArrayLike<number>, weights: Int32Array | undefined) => {
    const stats = new Map<string, { s: Record<Statistic, number>; drops: Float64Array }>();
    for (const m of methodIds) {
      const acc = { meanDrop: 0, worstDrop: 0, spread: 0 };
      const drops = new Float64Array(profilesOf.get(m)!.length);
      const buf = scratch.get(m)!;
      for (let k = 0; k < seedIdx.length; k++) {
        const s = seedStatistics(perSeed[seedIdx[k]!]!.methods.get(m)!, weights, images, buf);
        for (const st of STATISTICS) acc[st] += s[st];
        for (let p = 0; p < drops.length; p++) drops[p]! += buf[p]!;
      }
      for (const st of STATISTICS) acc[st] /= seedIdx.length;
      for (let p = 0; p < drops.length; p++) drops[p]! /= seedIdx.length;
      stats.set(m, { s: acc, drops });
    }
    return stats;
  };

  const observed = evaluateDraw(
    Array.from({ length: S }, (_, i) => i),
    undefined,
  );
  const reps = new Map(
    methodIds.map((m) => [
      m,
      {
        stats: Object.fromEntries(STATISTICS.map((s) => [s, new Float64Array(resamples)])) as Record<Statistic, Float64Array>,
        drops: profilesOf.get(m)!.map(() => new Float64Array(resamples)),
      },
    ]),
  );
  const pairReps = pairs.map(() => Object.fromEntries(STATISTICS.map((s) => [s, new Float64Array(resamples)])) as Record<Statistic, Float64Array>);

  const rng = seededRng(options.seed ?? 0, 'bootstrap');
  const weights = new Int32Array(images);
  const seedIdx = new Int32Array(S);
  for (let b = 0; b < resamples; b++) {
    for (let k = 0; k < S; k++) seedIdx[k] = Math.floor(rng() * S);
    weights.fill(0);
    for (let i = 0; i < images; i++) weights[Math.floor(rng() * images)]!++;
    const draw = evaluateDraw(seedIdx, weights);
    for (const m of methodIds) {
      const r = reps.get(m)!;
      const d = draw.get(m)!;
      for (const st of STATISTICS) r.stats[st][b] = d.s[st];
      d.drops.forEach((v, p) => {
        r.drops[p]![b] = v;
      });
    }
    pairs.forEach(([a, c], i) => {
      for (const st of STATISTICS) pairReps[i]![st][b] = draw.get(a)!.s[st] - draw.get(c)!.s[st];
    });
  }

  const methods = new Map<string, MethodStatistics>();
  for (const m of methodIds) {
    const o = observed.get(m)!;
    const r = reps.get(m)!;
    methods.set(m, {
      meanDrop: percentileInterval(o.s.meanDrop, r.stats.meanDrop, confidence),
      worstDrop: percentileInterval(o.s.worstDrop, r.stats.worstDrop, confidence),
      spread: percentileInterval(o.s.spread, r.stats.spread, confidence),
      profiles: new Map(profilesOf.get(m)!.map((p, i) => [p, percentileInterval(o.drops[i]!, r.drops[i]!, confidence)])),
    });
  }
  const pairStats = pairs.map(
    ([a, c], i): PairStatistics => ({
      a,
      b: c,
      difference: Object.fromEntries(
        STATISTICS.map((st) => [st, percentileInterval(observed.get(a)!.s[st] - observed.get(c)!.s[st], pairReps[i]![st], confidence)]),
      ) as Record<Statistic, Interval>,
    }),
  );
  return { seeds: S, images, resamples, confidence, methods, pairs: pairStats };
}

/** Per-image correctness: 1 where `predicted[i] === labels[i]`. */
export function correctness(predicted: ArrayLike<number>, labels: ArrayLike<number>): Uint8Array {
  if (predicted.length !== labels.length) throw invalid(`${predicted.length} predictions for ${labels.length} labels`);
  const out = new Uint8Array(labels.length);
  for (let i = 0; i < labels.length; i++) out[i] = predicted[i] === labels[i] ? 1 : 0;
  return out;
}
