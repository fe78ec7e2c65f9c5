import type { EvaluationReport } from '@quant-trim/backend-eval';

export const RUN_REPORT_SCHEMA_ID = 'https://quant-trim.github.io/schemas/cli/run-report-1.json';

/** The three checkpoints METHOD.md §6 compares. */
export type Method = 'fp' | 'qat' | 'quant-trim';

export interface HistoryEntry {
  readonly epoch: number;
  /** Optimizer steps done at the end of this epoch. */
  readonly step: number;
  readonly loss: number;
  /** Float accuracy of the current weights on the test split. */
  readonly testAccuracy: number;
  readonly seconds: number;
}

/** λ (fake-quant blend) and trimming share p over training, sampled at steps. */
export interface ScheduleSample {
  readonly step: number;
  readonly lambda: number;
  /** Share of weights trimmed by reverse pruning at this step (0 when off). */
  readonly trim: number;
}

/** Histogram of one layer's weights before and after trimming, with the scale-inflation factor. */
export interface WeightHistogram {
  readonly layer: string;
  /** `bins + 1` edges shared by both histograms. */
  readonly edges: readonly number[];
  /** Counts of the method's master weights (before reverse pruning's trim) ... */
  readonly before: readonly number[];
  /** ... and of the weights the checkpoint deploys (after the trim; equal for FP and QAT). */
  readonly after: readonly number[];
  /** max|w| / (robust scale) per reverse-prune's diagnostics, before and after. */
  readonly scaleInflationBefore: number;
  readonly scaleInflationAfter: number;
}

export interface MethodRun {
  readonly method: Method;
  readonly label: string;
  /** Accuracy of the final float checkpoint (fake quantization stripped) on the test split. */
  readonly floatAccuracy: number;
  readonly history: readonly HistoryEntry[];
  readonly schedule: readonly ScheduleSample[];
  readonly weights: readonly WeightHistogram[];
  readonly trainSeconds: number;
  /** Checkpoint directory, when kept. */
  readonly checkpoint?: string;
}

/** One row of the METHOD.md §6 summary: a method across all profiles. */
export interface MethodSummary {
  readonly method: Method;
  readonly floatAccuracy: number;
  readonly meanDrop: number;
  readonly worstDrop: number;
  readonly worstProfile: string;
  readonly spread: number;
}

/** What `compare` / `demo` write as JSON and `report` renders as HTML. */
export interface RunReport {
  readonly $schema: typeof RUN_REPORT_SCHEMA_ID;
  readonly schemaVersion: 1;
  readonly createdAt: string;
  /** The exact command that produced this report. */
  readonly command: string;
  readonly seed: number;
  readonly versions: Readonly<Record<string, string>>;
  readonly dataset: { readonly name: string; readonly source: string; readonly trainSamples: number; readonly testSamples: number; readonly classes: number; readonly sampleShape: readonly number[] };
  readonly model: { readonly name: string; readonly parameters: number };
  /** quant-grid preset names (or pattern lists) for weights and activations during QAT. */
  readonly scheme: { readonly weights: string; readonly activations: string };
  readonly budget: { readonly epochs: number; readonly batchSize: number; readonly learningRate: number };
  readonly methods: readonly MethodRun[];
  /** backend-eval's report: one model per method, named by the method id. */
  readonly evaluation: EvaluationReport;
  readonly summary: readonly MethodSummary[];
  /** Plain-language verdicts (METHOD.md §6: does Quant-Trim narrow the worst-case drop and the spread against FP and QAT?). */
  readonly verdicts: readonly string[];
}
