// Schemes
export { createScheme, integerRange, schemeToJSON, DEFAULT_MIN_SCALE, ROUNDING_MODES, SCALE_CONSTRAINTS } from './scheme.js';
export { builtinSchemes } from './presets.js';
// Typed-array math
export { computeRanges } from './math/computeRanges.js';
export { computeQParams, qparamsForRange, pow2Ceil } from './math/computeQParams.js';
export { quantize, storageArrayFor } from './math/quantize.js';
export { dequantize } from './math/dequantize.js';
export { fakeQuantize } from './math/fakeQuantize.js';
export { packInt4, unpackInt4 } from './math/int4.js';
export { groupLayout, shapeSize } from './math/layout.js';
export { roundWith, roundHalfEven } from './math/round.js';
export { configureKernels } from './wasm/simdKernels.js';
// Calibrators
export { builtinCalibrators } from './calibrators/builtins.js';
export { MinMaxCalibrator } from './calibrators/minMax.js';
export { Histogram } from './calibrators/Histogram.js';
export { HistogramCalibrator } from './calibrators/HistogramCalibrator.js';
export { PercentileCalibrator } from './calibrators/percentile.js';
export { EntropyCalibrator } from './calibrators/entropy.js';
export { MseCalibrator } from './calibrators/mse.js';
export { SqnrCalibrator } from './calibrators/sqnr.js';
export { Pow2Calibrator } from './calibrators/pow2.js';
// Diagnostics
export { calibratorDisagreement, DEFAULT_DISAGREEMENT_METHODS } from './diagnostics/calibratorDisagreement.js';
// Registry and plugins
export { createRegistry, defaultRegistry, registerBuiltins } from './registry/createRegistry.js';
export { defineScheme } from './registry/defineScheme.js';
export { defineCalibrator } from './registry/defineCalibrator.js';
// Errors (shared by every Quant-Trim package)
export { QuantTrimError, isQuantTrimError, ErrorCodes } from '@quant-trim/errors';

export type { Granularity, QuantScheme, QParamsRule, RoundingMode, ScaleConstraint, SchemeOptions } from './scheme.js';
export type { BuiltinSchemeOptions, PresetOptions } from './presets.js';
export type { Ranges } from './math/computeRanges.js';
export type { QParams, RangeInput } from './math/computeQParams.js';
export type { IntegerArray } from './math/checks.js';
export type { Int4Options } from './math/int4.js';
export type { GroupLayout } from './math/layout.js';
export type { BaseCalibratorOptions, Calibrator, CalibratorDefinition, CalibratorState } from './calibrators/types.js';
export type { BuiltinCalibratorOptions } from './calibrators/builtins.js';
export type { EmaMinMaxOptions, MeanMinMaxOptions, MinMaxMode, MinMaxOptions } from './calibrators/minMax.js';
export type { AbsHistogram, HistogramState, SignedHistogram } from './calibrators/Histogram.js';
export type { HistogramCalibratorState, HistogramOptions } from './calibrators/HistogramCalibrator.js';
export type { PercentileOptions } from './calibrators/percentile.js';
export type { EntropyOptions } from './calibrators/entropy.js';
export type { MseOptions } from './calibrators/mse.js';
export type { SqnrEncoding, SqnrOptions } from './calibrators/sqnr.js';
export type { Pow2Options } from './calibrators/pow2.js';
export type {
  CalibratorName,
  CalibratorOptionsFor,
  CalibratorRegistry,
  QuantGridRegistry,
  SchemeName,
  SchemeOptionsFor,
  SchemeRegistry,
} from './registry/createRegistry.js';
export type { SchemeDefinition } from './registry/defineScheme.js';
export type { CalibratorChoice, CalibratorDisagreement, CalibratorDisagreementOptions, DisagreementMethod } from './diagnostics/calibratorDisagreement.js';
export type { ErrorCode, QuantTrimErrorOptions } from '@quant-trim/errors';
export type { RegisterOptions } from '@quant-trim/internal';
