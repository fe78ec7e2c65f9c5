import type { EvaluationReport } from '@quant-trim/backend-eval';
import { dropSourceOf } from './dropSources.js';
import { RUN_REPORT_SCHEMA_ID, type Interval, type Method, type MethodSummary, type RunReport, type RunReportV1, type SeedResult } from './types.js';

/** A value without an interval (schemaVersion 1 reports hold no per-image data): the bounds are NaN and render as –. */
const bare = (mean: number): Interval => ({ mean, low: Number.NaN, high: Number.NaN });

/** The per-seed view of one backend-eval report. */
export function seedResultOf(seed: number, evaluation: EvaluationReport): SeedResult {
  return {
    seed,
    methods: evaluation.models.map((m) => ({
      method: m.name as Method,
      floatAccuracy: m.float.accuracy ?? Number.NaN,
      profiles: m.profiles.map((p) => {
        const source = dropSourceOf(p);
        return {
          profile: p.profile,
          status: p.status,
          ...(p.metrics?.accuracy !== undefined ? { accuracy: p.metrics.accuracy } : {}),
          ...(p.metrics?.drop !== undefined ? { drop: p.metrics.drop } : {}),
          ...(p.error !== undefined ? { error: p.error } : {}),
          ...(source !== undefined ? { dropSource: source } : {}),
        };
      }),
    })),
  };
}

/**
 * A schemaVersion 1 report (one seed, no intervals) as a `RunReport` the HTML renderer reads:
 * one seed, summaries whose intervals are unknown (NaN bounds, shown as –), no comparisons, and
 * the verdicts the old report recorded.
 */
export function upgradeRunReport(v1: RunReportV1): RunReport {
  const seedResult = seedResultOf(v1.seed, v1.evaluation);
  const summary: MethodSummary[] = v1.summary.map((s) => {
    const model = v1.evaluation.models.find((m) => m.name === s.method);
    return {
      method: s.method,
      floatAccuracy: s.floatAccuracy,
      meanDrop: bare(s.meanDrop),
      worstDrop: bare(s.worstDrop),
      worstProfile: s.worstProfile,
      spread: bare(s.spread),
      perSeed: [
        { seed: v1.seed, floatAccuracy: s.floatAccuracy, meanDrop: s.meanDrop, worstDrop: s.worstDrop, worstProfile: s.worstProfile, spread: s.spread },
      ],
      profiles: (model?.profiles ?? []).flatMap((p) =>
        p.metrics?.accuracy !== undefined && p.metrics.drop !== undefined
          ? [{ profile: p.profile, accuracy: p.metrics.accuracy, drop: bare(p.metrics.drop), seeds: 1 }]
          : [],
      ),
    };
  });
  const { $schema: _schema, schemaVersion: _version, summary: _summary, ...rest } = v1;
  return {
    ...rest,
    $schema: RUN_REPORT_SCHEMA_ID,
    schemaVersion: 2,
    seeds: [v1.seed],
    bootstrap: { resamples: 0, seed: v1.seed, confidence: 0.95, method: 'percentile', resampled: [], seeds: 1, testImages: v1.evaluation.data.samples },
    methods: v1.methods.map((m) => ({ ...m, seed: v1.seed })),
    seedResults: [seedResult],
    summary,
    comparisons: [],
  };
}
