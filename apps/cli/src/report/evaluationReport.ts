import { basename } from 'node:path';
import type { EvaluationReport } from '@quant-trim/backend-eval';
import { seedResultOf } from './upgrade.js';
import { RUN_REPORT_SCHEMA_ID, type RunReport } from './types.js';

/**
 * An `eval` report (backend-eval's `EvaluationReport`: one model, no training) as the `RunReport`
 * the HTML sections read: the evaluated model is the one "method" (labelled by its file name), its
 * per-profile results feed the table, charts, drop sources, sensitivity, coverage, energy and
 * runtimes; there are no training runs, seeds, intervals or comparisons. Only what the JSON holds
 * is used, so `eval` and `quant-trim report eval-report.json` render the same page.
 */
export function runReportOfEvaluation(evaluation: EvaluationReport): RunReport {
  const models = evaluation.models.map((m) => ({ ...m, name: basename(m.name) || m.name }));
  const adapted: EvaluationReport = { ...evaluation, models };
  const first = evaluation.models[0];
  return {
    $schema: RUN_REPORT_SCHEMA_ID,
    schemaVersion: 2,
    createdAt: evaluation.createdAt,
    command: '',
    seed: Number.NaN,
    seeds: [],
    bootstrap: { resamples: 0, seed: Number.NaN, confidence: 0.95, method: 'percentile', resampled: [], seeds: 0, testImages: evaluation.data.samples },
    versions: { '@quant-trim/backend-eval': evaluation.tool.version },
    dataset: { name: '', source: '', trainSamples: Number.NaN, testSamples: evaluation.data.samples, classes: evaluation.data.classes, sampleShape: [] },
    model: { name: first?.name ?? '', parameters: first?.parameters ?? Number.NaN },
    scheme: { weights: '', activations: '' },
    budget: { epochs: Number.NaN, batchSize: Number.NaN, learningRate: Number.NaN },
    methods: [],
    evaluation: adapted,
    seedResults: [{ ...seedResultOf(0, adapted), seed: Number.NaN }],
    summary: [],
    comparisons: [],
    verdicts: [],
  };
}
