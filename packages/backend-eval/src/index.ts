// Backend profiles
export { builtinProfiles } from './profiles/builtinProfiles.js';
export { CORE_ONNX_OPS } from './profiles/builtin/common.js';
export { createBackendRegistry, defaultBackendRegistry, registerBuiltinProfiles } from './profiles/createBackendRegistry.js';
export { defineBackend } from './profiles/defineBackend.js';
export { isValidatedProfile, validateProfile } from './profiles/validateProfile.js';
// Errors (shared by every Quant-Trim package)
export { QuantTrimError, isQuantTrimError, ErrorCodes } from '@quant-trim/errors';

export { compileForBackend, coverageFor, INTEGER_OPS } from './compile/compileForBackend.js';
export { coverageSummary, evaluate } from './evaluate/evaluate.js';
export { REPORT_SCHEMA_ID } from './evaluate/reportTypes.js';
export { validateReport, formatReportTable } from './report/index.js';
export { countMacs, estimateCost, placeNodes } from './estimate/index.js';
export {
  compareRuntimeOutputs,
  createRuntimeSession,
  describeEnvironment,
  measureFeedLatency,
  measureLatency,
  optimizedOps,
  runLogits,
  runOutputs,
} from './runtime/index.js';
export { acrossProfiles, compareLogits, expectedCalibrationError } from './metrics/classificationMetrics.js';
export { createMetricRegistry, defineMetric, isValidatedMetric } from './metrics/defineMetric.js';
export { builtinMetrics, defaultMetricRegistry, miouMetric, mseMetric, topKMetric } from './metrics/builtinMetrics.js';
export { outputFidelity, sqnrDb } from './metrics/fidelity.js';
export type {
  AccumulatorSpec,
  BackendProfile,
  BackendRegistry,
  BiasSpec,
  CalibrationSpec,
  DeviceFigure,
  DeviceSpec,
  Evidence,
  FallbackSpec,
  FixedOutputParams,
  FloatActivations,
  HostSpec,
  MacPrecision,
  MixedPrecisionSpec,
  OpCoverage,
  OpLimits,
  Placement,
  ProfileGranularity,
  ProfileRange,
  ProfileSource,
  QuantTransform,
  TensorGrid,
} from './profiles/types.js';
export type { BackendId, BackendProfileRegistry, BuiltinBackendId } from './profiles/createBackendRegistry.js';
export type { ValidateProfileOptions } from './profiles/validateProfile.js';
export type { ErrorCode, QuantTrimErrorOptions } from '@quant-trim/errors';
export type { RegisterOptions } from '@quant-trim/internal';
export type {
  ActivationQParams,
  BiasCorrection,
  BiasCorrectionSkip,
  BiasQParams,
  CalibrationData,
  CalibrationFeed,
  FeedCalibrationData,
  InputSpec,
  Equalization,
  EqualizationSkip,
  CompileOptions,
  CompiledModel,
  LayerTensors,
  NodeCoverage,
  NodeNumerics,
  WeightQParams,
} from './compile/compileForBackend.js';
export type { EvaluateModel, EvaluateOptions, EvaluateProgress, EvaluationData } from './evaluate/evaluate.js';
export type {
  CostEstimate,
  CoverageSummary,
  EvaluationReport,
  ExecutionMode,
  LatencyStats,
  LayerSensitivity,
  MacBreakdown,
  MetricScore,
  ModelReport,
  OutputFidelity,
  PlacementEstimate,
  ProfileResult,
  RuntimeDisagreement,
  RuntimeName,
  RuntimeResult,
  ScoreResult,
  SensitivityReport,
  SourcedValue,
  TensorRange,
  TensorSpec,
} from './evaluate/reportTypes.js';
export type { FormatReportTableOptions } from './report/index.js';
export type { CountMacsOptions, EstimateCostInput, EstimatePlacement, MacCount, NodeMacs, PlaceNodesInput, PlacementTraffic } from './estimate/index.js';
export type { FeedTensor, HostEnvironment, ModelFeeds, OutputComparison, RuntimeSession, RuntimeSessionOptions } from './runtime/index.js';
export type { ComparisonMetrics, Logits } from './metrics/classificationMetrics.js';
export type { Metric, MetricDefinition, MetricInput, MetricRegistry } from './metrics/defineMetric.js';
export type { MiouOptions } from './metrics/builtinMetrics.js';
export type { OutputValues } from './metrics/fidelity.js';
