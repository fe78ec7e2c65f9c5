import type { EvaluationReport } from '@quant-trim/backend-eval';

/** `$schema` of the run reports `compare` / `demo` write (schemaVersion 2: several seeds, intervals, comparisons). */
export const RUN_REPORT_SCHEMA_ID = 'https://quant-trim.github.io/schemas/cli/run-report-2.json';
/** `$schema` of the single-seed run reports of earlier versions (schemaVersion 1); `report` still renders them. */
export const RUN_REPORT_SCHEMA_ID_V1 = 'https://quant-trim.github.io/schemas/cli/run-report-1.json';

/** The checkpoints a comparison trains (`quant-trim-paper`: the paper's exact recipe, "Quant-Trim (paper)"). */
export type Method = 'fp' | 'qat' | 'quant-trim' | 'quant-trim-paper';

export interface HistoryEntry {
  readonly epoch: number;
  /** Optimizer steps done at the end of this epoch. */
  readonly step: number;
  readonly loss: number;
  /** Float accuracy of the current weights on the test split. */
  readonly testAccuracy: number;
  readonly seconds: number;
  /**
   * Calibrator disagreement of every activation tensor the deployed float model feeds a backend,
   * on a fixed training batch at the end of the epoch, largest ratio first (absent in older reports).
   */
  readonly calibratorDisagreement?: readonly TensorDisagreement[];
}

/** One activation tensor's calibrator disagreement (quant-grid `calibratorDisagreement`). */
export interface TensorDisagreement {
  /** The activation quantization point (named after the layer whose output it quantizes). */
  readonly layer: string;
  /** Widest / narrowest range the calibration methods choose (1 = all agree). */
  readonly ratio: number;
  readonly widest: string;
  readonly narrowest: string;
  /** Share of the tensor's values the narrowest method clips. */
  readonly clippedByNarrowest: number;
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
  /** The seed this checkpoint was trained with (absent in schemaVersion 1: the report's `seed`). */
  readonly seed?: number;
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

/** A point estimate (the statistic as measured, averaged over seeds) and its 95 % bootstrap percentile interval; shares (0.01 = 1 pp). */
export interface Interval {
  readonly mean: number;
  readonly low: number;
  readonly high: number;
}

/** One seed's across-profile figures of a method (docs/method.md#metrics). */
export interface SeedSummary {
  readonly seed: number;
  readonly floatAccuracy: number;
  readonly meanDrop: number;
  readonly worstDrop: number;
  readonly worstProfile: string;
  readonly spread: number;
}

/** A method's drop on one profile across seeds. */
export interface ProfileSummary {
  readonly profile: string;
  /** Mean accuracy over the seeds where the profile ran. */
  readonly accuracy: number;
  readonly drop: Interval;
  /** Seeds where the profile ran for this method. */
  readonly seeds: number;
}

/** One row of the comparison summary: a method across all profiles, averaged over seeds. */
export interface MethodSummary {
  readonly method: Method;
  /** Mean over seeds. */
  readonly floatAccuracy: number;
  readonly meanDrop: Interval;
  readonly worstDrop: Interval;
  /** The profile with the largest mean drop over seeds. */
  readonly worstProfile: string;
  readonly spread: Interval;
  readonly perSeed: readonly SeedSummary[];
  /** Drop per profile (mean over seeds, interval), in profile order. */
  readonly profiles: readonly ProfileSummary[];
}

/** The across-profile statistics the verdicts are about (docs/method.md#verdicts). */
export type StatisticName = 'meanDrop' | 'worstDrop' | 'spread';

/** A paired difference `method − against` of one statistic (paired by seed and test image) and what it allows to say. */
export interface Comparison {
  readonly method: Method;
  readonly against: Method;
  readonly statistic: StatisticName;
  readonly difference: Interval;
  /** `lower`: the interval is entirely below 0; `higher`: entirely above; `inconclusive`: it contains 0. */
  readonly direction: 'lower' | 'higher' | 'inconclusive';
  /** `narrower` / `wider` (worst-case drop, spread), `smaller` / `larger` (mean drop), or `no difference measurable at N seeds`. */
  readonly verdict: string;
}

/** How the intervals were computed (documented in apps/cli/README.md). */
export interface BootstrapInfo {
  readonly resamples: number;
  /** Seed of the bootstrap's random stream (the run's base seed). */
  readonly seed: number;
  readonly confidence: number;
  readonly method: 'percentile';
  /** What one replicate resamples with replacement. */
  readonly resampled: readonly ('seeds' | 'test images')[];
  readonly seeds: number;
  readonly testImages: number;
}

/** The tensor whose calibration cost a (method, profile) the most: the layer with the lowest isolated SQNR and its activation with the least of its range kept. */
export interface DropSource {
  readonly layer: string;
  readonly opType: string;
  readonly isolatedSqnrDb: number;
  readonly tensor?: string;
  /** `input` or `output` of the layer. */
  readonly role?: 'input' | 'output';
  readonly observedMin?: number;
  readonly observedMax?: number;
  readonly clipMin?: number;
  readonly clipMax?: number;
  /** Share of the observed range inside the clip (1 = nothing clipped). */
  readonly keptShare?: number;
  readonly source?: string;
}

/** One seed's result of a method on one profile (the full backend-eval report is kept for the first seed only). */
export interface SeedProfileResult {
  readonly profile: string;
  readonly status: 'ok' | 'error';
  readonly accuracy?: number;
  readonly drop?: number;
  readonly error?: { readonly code: string; readonly message: string };
  readonly dropSource?: DropSource;
}

export interface SeedMethodResult {
  readonly method: Method;
  readonly floatAccuracy: number;
  readonly profiles: readonly SeedProfileResult[];
}

export interface SeedResult {
  readonly seed: number;
  readonly methods: readonly SeedMethodResult[];
}

/** One row of the comparison summary in schemaVersion 1 reports (one seed, no intervals). */
export interface MethodSummaryV1 {
  readonly method: Method;
  readonly floatAccuracy: number;
  readonly meanDrop: number;
  readonly worstDrop: number;
  readonly worstProfile: string;
  readonly spread: number;
}

/** What `compare` / `demo` write as JSON and `report` renders as HTML. */
/** Where an imported model came from (`--model model.onnx`): the file as given, its SHA-256 and its input layout. */
export interface ImportedModel {
  readonly file: string;
  readonly sha256: string;
  readonly bytes: number;
  readonly inputLayout: 'NCHW' | 'NHWC';
}

export interface RunReport {
  readonly $schema: typeof RUN_REPORT_SCHEMA_ID;
  readonly schemaVersion: 2;
  readonly createdAt: string;
  /** The exact command that produced this report. */
  readonly command: string;
  /** Base seed S; seed k of the run is S + k. */
  readonly seed: number;
  /** Every seed run, in order. */
  readonly seeds: readonly number[];
  readonly bootstrap: BootstrapInfo;
  readonly versions: Readonly<Record<string, string>>;
  readonly dataset: {
    readonly name: string;
    readonly source: string;
    readonly trainSamples: number;
    readonly testSamples: number;
    readonly classes: number;
    readonly sampleShape: readonly number[];
  };
  /** `imported`: the model was imported from an ONNX file (`--model model.onnx`) and fine-tuned from its weights. */
  readonly model: { readonly name: string; readonly parameters: number; readonly imported?: ImportedModel };
  /** quant-grid preset names (or pattern lists) for weights and activations during QAT. */
  readonly scheme: { readonly weights: string; readonly activations: string };
  /** `freezeBatchNorm`: the fraction of training at which QAT / Quant-Trim froze BatchNorm statistics (absent in reports written before the option; false: never). */
  /** `workers`: the data-parallel worker threads each method trained with (absent in reports written before them; 1: the main thread). */
  readonly budget: {
    readonly epochs: number;
    readonly batchSize: number;
    readonly learningRate: number;
    readonly freezeBatchNorm?: number | false;
    readonly workers?: number;
  };
  /** What the `quant-trim` method trained with ("λ curriculum", "weight trimming", "blank-response suppression (decoupled)", …); absent when it did not run. */
  readonly recipe?: readonly string[];
  /** One entry per (seed, method), seed-major. */
  readonly methods: readonly MethodRun[];
  /** backend-eval's full report of the first seed: one model per method, named by the method id (coverage, sensitivity, runtimes, energy). */
  readonly evaluation: EvaluationReport;
  /** Every seed's per-profile results. */
  readonly seedResults: readonly SeedResult[];
  /** Across-seed means with intervals. */
  readonly summary: readonly MethodSummary[];
  /** Paired differences (Quant-Trim − each other method, and Quant-Trim (paper) − the others) with their verdicts. */
  readonly comparisons: readonly Comparison[];
  /** Plain-language verdicts (does Quant-Trim narrow the worst-case drop and the spread?), one per comparison. */
  readonly verdicts: readonly string[];
}

/** What schemaVersion 1 reports hold (one seed): `report` upgrades them to a `RunReport` to render. */
export interface RunReportV1 extends Omit<RunReport, '$schema' | 'schemaVersion' | 'seeds' | 'bootstrap' | 'seedResults' | 'summary' | 'comparisons'> {
  readonly $schema: typeof RUN_REPORT_SCHEMA_ID_V1;
  readonly schemaVersion: 1;
  readonly summary: readonly MethodSummaryV1[];
}
