import type { EvaluationReport } from '@quant-trim/backend-eval';
import { QuantTrimError } from '@quant-trim/errors';
import { seedResultOf } from '../report/upgrade.js';
import type { BootstrapInfo, Comparison, Interval, Method, MethodSummary, SeedResult, StatisticName } from '../report/types.js';
import { bootstrapDrops, correctness, STATISTICS, type BootstrapResult, type MethodOutcome, type SeedOutcome } from '../stats/bootstrap.js';

export const METHOD_LABELS: Readonly<Record<Method, string>> = { fp: 'FP', qat: 'QAT', 'quant-trim': 'Quant-Trim', 'quant-trim-paper': 'Quant-Trim (paper)' };

/** Display label of a method id (the id itself for an unknown one). */
export const methodLabel = (id: string): string => METHOD_LABELS[id as Method] ?? id;

/** One seed's evaluation, run with `predictions: true`. */
export interface SeedEvaluation {
  readonly seed: number;
  readonly evaluation: EvaluationReport;
}

export interface RunStatistics {
  readonly seedResults: SeedResult[];
  readonly summary: MethodSummary[];
  readonly comparisons: Comparison[];
  readonly verdicts: string[];
  readonly bootstrap: BootstrapInfo;
}

/**
 * The pairs the verdicts are about: Quant-Trim against every other method that ran, and Quant-Trim
 * (paper) against every method other than the two Quant-Trim variants.
 */
export function comparisonPairs(methods: readonly string[]): [Method, Method][] {
  const out: [Method, Method][] = [];
  for (const subject of ['quant-trim', 'quant-trim-paper'] as const) {
    if (!methods.includes(subject)) continue;
    for (const other of methods) {
      if (other === subject || (subject === 'quant-trim-paper' && other === 'quant-trim')) continue;
      out.push([subject, other as Method]);
    }
  }
  return out;
}

/** `lower` when the interval of the difference lies entirely below 0, `higher` entirely above, else inconclusive. */
export function directionOf(difference: Interval): Comparison['direction'] {
  if (difference.high < 0) return 'lower';
  if (difference.low > 0) return 'higher';
  return 'inconclusive';
}

/** The verdict word: narrower / wider (worst-case drop, spread), smaller / larger (mean drop), or what cannot be said at this many seeds. */
export function verdictWord(statistic: StatisticName, direction: Comparison['direction'], seeds: number): string {
  if (direction === 'inconclusive') return seeds === 1 ? 'no difference measurable over test images at 1 seed' : `no difference measurable at ${seeds} seeds`;
  if (statistic === 'meanDrop') return direction === 'lower' ? 'smaller' : 'larger';
  return direction === 'lower' ? 'narrower' : 'wider';
}

const STAT_TEXT: Readonly<Record<StatisticName, string>> = { meanDrop: 'mean drop', worstDrop: 'worst-case drop', spread: 'spread' };

/** `0.0746` → `7.46`, with a real minus sign. */
const pp = (v: number) =>
  (v * 100)
    .toFixed(2)
    .replace(/^-/, '−')
    .replace(/^−0\.00$/, '0.00');
/** `7.46 pp [2.10, 11.71]`. */
export const ppInterval = (i: Interval) => `${pp(i.mean)} pp [${pp(i.low)}, ${pp(i.high)}]`;
const thousands = (n: number) => String(n).replace(/\B(?=(\d{3})+(?!\d))/g, ',');

/** A test-image count for a difference in shares: `≈ 7 of 10,000 test images` (one decimal when the mean over seeds is a fraction of an image). */
export function imagesText(share: number, images: number): string {
  const exact = Math.abs(share) * images;
  // Means over several seeds can be fractions of an image.
  const n = Math.abs(exact - Math.round(exact)) < 0.05 ? String(Math.round(exact)) : exact.toFixed(1);
  return `≈ ${n} of ${thousands(images)} test image${images === 1 ? '' : 's'}`;
}

/**
 * One sentence per comparison: both methods' values with their intervals, the paired difference
 * with its interval and its size in test images, and the verdict.
 */
export function verdicts(comparisons: readonly Comparison[], summary: readonly MethodSummary[], images: number): string[] {
  if (!summary.some((s) => s.method === 'quant-trim' || s.method === 'quant-trim-paper')) return ['Quant-Trim was not part of this run: no verdict.'];
  if (comparisons.length === 0) return ['Only one method ran: nothing to compare.'];
  return comparisons.map((c) => {
    const a = summary.find((s) => s.method === c.method)!;
    const b = summary.find((s) => s.method === c.against)!;
    const tail = c.direction === 'higher' && c.statistic !== 'meanDrop' ? ` — ${methodLabel(c.method)} does not improve on this here` : '';
    return `${methodLabel(c.method)} ${STAT_TEXT[c.statistic]} ${ppInterval(a[c.statistic])} vs ${methodLabel(c.against)} ${ppInterval(b[c.statistic])}: difference ${ppInterval(c.difference)} (${imagesText(c.difference.mean, images)}): ${c.verdict}${tail}.`;
  });
}

/** Per-image correctness of every method's float model and profiles in one seed's evaluation. */
function outcomesOf(e: SeedEvaluation, labels: ArrayLike<number>): SeedOutcome {
  const methods = new Map<string, MethodOutcome>();
  for (const m of e.evaluation.models) {
    const float = m.float.predictions;
    if (float === undefined)
      throw new QuantTrimError({ code: 'QT_INVALID_ARGUMENT', message: `seed ${e.seed}: the evaluation of ${m.name} has no per-sample predictions` });
    const profiles = new Map<string, Uint8Array>();
    for (const p of m.profiles) if (p.status === 'ok' && p.predictions !== undefined) profiles.set(p.profile, correctness(p.predictions, labels));
    methods.set(m.name, { float: correctness(float, labels), profiles });
  }
  return { seed: e.seed, methods };
}

const mean = (v: readonly number[]) => v.reduce((a, b) => a + b, 0) / v.length;

/**
 * Everything `report.json` says across seeds, from the per-seed evaluations (run with
 * `predictions: true`) and the test labels: the per-seed results, the summaries with intervals,
 * the paired comparisons with their verdicts (bootstrap in `stats/bootstrap.ts`).
 */
export function summarizeSeeds(
  evaluations: readonly SeedEvaluation[],
  labels: ArrayLike<number>,
  options: { resamples: number; seed: number; confidence?: number },
): RunStatistics {
  const methodIds = evaluations[0]?.evaluation.models.map((m) => m.name) ?? [];
  const confidence = options.confidence ?? 0.95;
  const result: BootstrapResult = bootstrapDrops(
    evaluations.map((e) => outcomesOf(e, labels)),
    { resamples: options.resamples, seed: options.seed, confidence, pairs: comparisonPairs(methodIds) },
  );

  const seedResults: SeedResult[] = evaluations.map((e) => seedResultOf(e.seed, e.evaluation));

  const summary: MethodSummary[] = [];
  for (const id of methodIds) {
    const stats = result.methods.get(id);
    if (stats === undefined) continue;
    const runs = evaluations.map((e) => ({ seed: e.seed, model: e.evaluation.models.find((m) => m.name === id)! }));
    const profiles = [...stats.profiles.entries()].map(([profile, drop]) => {
      const accs = runs.map((r) => r.model.profiles.find((p) => p.profile === profile)?.metrics?.accuracy).filter((a): a is number => a !== undefined);
      return { profile, accuracy: mean(accs), drop, seeds: accs.length };
    });
    if (profiles.length === 0) continue;
    const worst = profiles.reduce((a, b) => (b.drop.mean > a.drop.mean ? b : a));
    summary.push({
      method: id as Method,
      floatAccuracy: mean(runs.map((r) => r.model.float.accuracy ?? Number.NaN)),
      meanDrop: stats.meanDrop,
      worstDrop: stats.worstDrop,
      worstProfile: worst.profile,
      spread: stats.spread,
      perSeed: runs.flatMap(({ seed, model }) => {
        const a = model.acrossProfiles;
        return a === undefined
          ? []
          : [
              {
                seed,
                floatAccuracy: model.float.accuracy ?? Number.NaN,
                meanDrop: a.meanDrop,
                worstDrop: a.worstDrop,
                worstProfile: a.worstProfile,
                spread: a.spread,
              },
            ];
      }),
      profiles,
    });
  }

  const comparisons: Comparison[] = result.pairs.flatMap((pair) =>
    STATISTICS.map((statistic): Comparison => {
      const difference = pair.difference[statistic];
      const direction = directionOf(difference);
      return {
        method: pair.a as Method,
        against: pair.b as Method,
        statistic,
        difference,
        direction,
        verdict: verdictWord(statistic, direction, result.seeds),
      };
    }),
  );
  const bootstrap: BootstrapInfo = {
    resamples: result.resamples,
    seed: options.seed,
    confidence,
    method: 'percentile',
    resampled: ['seeds', 'test images'],
    seeds: result.seeds,
    testImages: result.images,
  };
  return { seedResults, summary, comparisons, verdicts: verdicts(comparisons, summary, result.images), bootstrap };
}
