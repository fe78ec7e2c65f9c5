// Reverse pruning (trimming the weight tail that inflates quantization scales)
export { createReversePrune } from './reversePrune.js';
export { trimThresholds } from './trim/trimThresholds.js';
export { trimTypedArray } from './trim/trimTypedArray.js';
export { trimTensor, computeTrim } from './trim/trimTensor.js';
export { applyTrim } from './trim/applyTrim.js';
// Diagnostics
export { diagnoseWeights } from './diagnostics/diagnoseWeights.js';
export { diagnoseModel } from './diagnostics/diagnoseModel.js';
// Classic magnitude pruning
export { createMagnitudePruning } from './magnitude/createMagnitudePruning.js';
export { magnitudeMask } from './magnitude/magnitudeMask.js';
export { polynomialSparsity } from './magnitude/polynomialSparsity.js';
export { constantSparsity } from './magnitude/constantSparsity.js';
// Errors
export { QuantTrimError, isQuantTrimError, ErrorCodes } from '@quant-trim/errors';

export type { ReversePrune, ReversePruneOptions } from './reversePrune.js';
export type { ReversePruneGranularity } from './trim/resolveTrimGranularity.js';
export type { ReversePruneStats, WeightTrimStats } from './trim/TrimStats.js';
export type {
  TrimContext,
  TrimCriterion,
  TrimGradient,
  TrimGranularity,
  TrimOperation,
  TrimOptions,
  TrimStepContext,
  TrimTransform,
  TrimWeightInfo,
} from './trim/types.js';
export type { TrimMask } from './trim/applyTrim.js';
export type { TensorTrim } from './trim/trimTensor.js';
export type { TrimThresholds } from './trim/trimThresholds.js';
export type { TrimmedArray } from './trim/trimTypedArray.js';
export type { QuantMse, WeightDiagnostics } from './diagnostics/diagnoseWeights.js';
export type { LayerDiagnostics, WeightValues } from './diagnostics/diagnoseModel.js';
export type {
  MagnitudePruning,
  MagnitudePruningOptions,
  MagnitudePruningStats,
  MagnitudeScope,
  MagnitudeStepContext,
  MagnitudeTransformContext,
  MagnitudeWeight,
  MagnitudeWeightStats,
} from './magnitude/types.js';
export type { PolynomialSparsityOptions } from './magnitude/polynomialSparsity.js';
export type { ConstantSparsityOptions } from './magnitude/constantSparsity.js';
export type { ErrorCode } from '@quant-trim/errors';
