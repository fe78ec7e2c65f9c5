import type { NodeCoverage } from '../compile/compileForBackend.js';
import type { ComparisonMetrics } from '../metrics/classificationMetrics.js';
import type { OutputFidelity } from '../metrics/fidelity.js';

export type { OutputFidelity } from '../metrics/fidelity.js';
export type { ExecutionMode, LatencyStats, RuntimeName } from '../runtime/types.js';
export type { CostEstimate, MacBreakdown, PlacementEstimate, SourcedValue } from '../estimate/types.js';
import type { ExecutionMode, LatencyStats, RuntimeName } from '../runtime/types.js';
import type { CostEstimate } from '../estimate/types.js';

/** A task metric's value for one model run (`evaluate({ metrics })`). */
export interface MetricScore {
  /** The metric's id (`miou`, `top5`, a plugin's id). */
  readonly metric: string;
  readonly name: string;
  readonly higherIsBetter: boolean;
  readonly value: number;
}

/** A task metric's value for a profile's emulated model, against the float model's. */
export interface ScoreResult extends MetricScore {
  readonly floatValue: number;
  /** How much worse than float: `floatValue − value` when higher is better, `value − floatValue` otherwise. */
  readonly drop: number;
}

/** A model input or output and the shape of one sample of it (without the batch axis). */
export interface TensorSpec {
  readonly name: string;
  readonly sampleShape: readonly number[];
}

/** The `$id` of the JSON Schema an `EvaluationReport` conforms to (`schema/evaluation-report.schema.json`). */
export const REPORT_SCHEMA_ID = 'https://quant-trim.github.io/schemas/backend-eval/evaluation-report-1.json';

/** One runtime row of a model × profile (or of the float model). */
export interface RuntimeResult {
  readonly runtime: RuntimeName;
  readonly version: string;
  readonly mode: ExecutionMode;
  readonly threads: number;
  /** Samples run on this runtime for the agreement figures below. */
  readonly samples: number;
  /** Accuracy on those samples, when labels were given. */
  readonly accuracy?: number;
  /** Top-1 agreement with the emulated model on the same samples (1 = same predictions). */
  readonly agreementWithEmulation: number;
  /** Largest |logit difference| against the emulated model. */
  readonly maxAbsDiffFromEmulation: number;
  /** Measured latency at batch 1 and batch 32 (empty when latency measurement is off). */
  readonly latency: readonly LatencyStats[];
  /** Op types of ORT's optimized graph (integer kernels such as QLinearConv show what fused); node runtime only. */
  readonly optimizedOps?: Readonly<Record<string, number>>;
}

/** Disagreement between two runtimes on the same compiled model and samples. */
export interface RuntimeDisagreement {
  readonly a: RuntimeName;
  readonly b: RuntimeName;
  readonly mode: ExecutionMode;
  readonly samples: number;
  readonly top1Agreement: number;
  readonly maxAbsDiff: number;
  readonly meanAbsDiff: number;
}

/** Per-layer sensitivity (SQNR in dB; higher = less quantization noise; 999 = identical, −999 = not measurable). */
export interface LayerSensitivity {
  readonly node: string;
  readonly opType: string;
  /** SQNR of this layer's output in the fully quantized model vs the float model (accumulated error). */
  readonly outputSqnrDb: number;
  /** SQNR of the model's logits (its first output) when only this layer is quantized (isolated error). */
  readonly isolatedSqnrDb: number;
  /** The activation tensor quantized at this layer's input in the fully quantized model (a name of `calibration.tensors`). */
  readonly inputTensor?: string;
  /** ... and at its output, after a fused activation chain (e.g. the Conv's post-ReLU output). */
  readonly outputTensor?: string;
}

/**
 * One statically quantized activation tensor: the range the calibration pass observed and the
 * clip the profile's calibrator chose, `[(qmin − zp)·s, (qmax − zp)·s]`.
 */
export interface TensorRange {
  readonly tensor: string;
  readonly observedMin: number;
  readonly observedMax: number;
  readonly clipMin: number;
  readonly clipMax: number;
  readonly scale: number;
  readonly zeroPoint: number;
  /** `calibrated` by the profile's calibrator, `shared` with its group, `fixed` by the profile, or widened to `min-range`. */
  readonly source: 'calibrated' | 'fixed' | 'shared' | 'min-range';
}

export interface SensitivityReport {
  readonly samples: number;
  /** Layers in graph order. */
  readonly layers: readonly LayerSensitivity[];
  /** Layers to keep in float, most sensitive first: isolated SQNR below `thresholdDb`. */
  readonly keepFloat: readonly string[];
  readonly thresholdDb: number;
}

export interface CoverageSummary {
  /** Nodes running integer (or quantized weights for weight-only profiles). */
  readonly integer: number;
  /**
   * Nodes placed on the accelerator after the profile's cuts. A node can be quantized and still
   * run on the host (Edge TPU's CPU int8 kernels after its single cut), or on the accelerator in
   * float. Absent in reports written before placement was reported.
   */
  readonly onAccelerator?: number;
  /** Nodes that compute: all of `nodes` except the `transparent` ones (shape computations, Identity, layout Transposes). */
  readonly total: number;
  /** Share of MACs that run quantized. */
  readonly macShare: number;
  /** Share of MACs that run on the accelerator (absent in reports written before placement was reported). */
  readonly acceleratorMacShare?: number;
  readonly nodes: readonly NodeCoverage[];
}

export interface ProfileResult {
  readonly profile: string;
  readonly name: string;
  readonly vendor: string;
  readonly status: 'ok' | 'error';
  /** When status is `error`: the coded error that stopped this profile (the others still run). */
  readonly error?: { readonly code: string; readonly message: string };
  /** Emulated numerics against the float model (absent on error); computed on the first output read as logits. */
  readonly metrics?: ComparisonMetrics;
  /** Task-agnostic fidelity of every model output (emulated against float, no labels needed), in output order (absent on error). */
  readonly fidelity?: readonly OutputFidelity[];
  /** Task metrics (`evaluate({ metrics })`), in the order asked for. */
  readonly scores?: readonly ScoreResult[];
  readonly coverage?: CoverageSummary;
  readonly approximations?: readonly string[];
  /** The calibration pass; `tensors`: every statically quantized activation tensor, in graph order (static integer profiles). */
  readonly calibration?: { readonly samples: number; readonly batches: number; readonly seconds: number; readonly tensors?: readonly TensorRange[] };
  readonly sensitivity?: SensitivityReport;
  /** Predicted class per test sample of the emulated model (only with `evaluate({ predictions: true })`). */
  readonly predictions?: readonly number[];
  readonly runtimes?: readonly RuntimeResult[];
  readonly disagreement?: readonly RuntimeDisagreement[];
  readonly estimate?: CostEstimate;
  /**
   * Wall time split, in seconds: compile (calibration included), emulated inference over the test
   * inputs, per-layer sensitivity, real-runtime rows (agreement runs and latency).
   */
  readonly timing?: {
    readonly compileSeconds: number;
    readonly inferenceSeconds: number;
    readonly sensitivitySeconds: number;
    readonly runtimeSeconds: number;
  };
}

export interface ModelReport {
  readonly name: string;
  readonly parameters: number;
  readonly macs: number;
  /** The data inputs fed, in graph order. */
  readonly inputs?: readonly TensorSpec[];
  /** The model outputs, in graph order (the first is read as logits for `metrics`). */
  readonly outputs?: readonly TensorSpec[];
  readonly float: {
    readonly accuracy?: number;
    /** Task metrics of the float model (`evaluate({ metrics })`). */
    readonly scores?: readonly MetricScore[];
    readonly runtimes: readonly RuntimeResult[];
    readonly estimate?: CostEstimate;
    /** Predicted class per test sample of the float model (only with `evaluate({ predictions: true })`). */
    readonly predictions?: readonly number[];
  };
  readonly profiles: readonly ProfileResult[];
  /** Over the profiles that ran, when labels were given. */
  readonly acrossProfiles?: {
    readonly meanDrop: number;
    readonly worstDrop: number;
    readonly worstProfile: string;
    readonly spread: number;
  };
}

export interface EvaluationReport {
  readonly $schema: typeof REPORT_SCHEMA_ID;
  readonly schemaVersion: 1;
  readonly createdAt: string;
  readonly tool: { readonly name: '@quant-trim/backend-eval'; readonly version: string };
  readonly environment: {
    readonly node: string;
    readonly platform: string;
    readonly arch: string;
    readonly cpu: string;
    /** ISA features relevant to integer kernels (avx2, avx512f, avx512_vnni, neon, ...). */
    readonly isa: readonly string[];
    readonly runtimes: Readonly<Partial<Record<RuntimeName, string>>>;
  };
  readonly data: {
    readonly samples: number;
    readonly calibrationSamples: number;
    readonly classes: number;
    readonly labelled: boolean;
  };
  readonly models: readonly ModelReport[];
}
