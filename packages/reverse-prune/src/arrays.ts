// The typed-array half of @quant-trim/reverse-prune, without tfjs: trimming, thresholds,
// weight diagnostics and magnitude masks on Float32Arrays, for bundles that never load a model.
export { trimThresholds } from './trim/trimThresholds.js';
export { trimTypedArray } from './trim/trimTypedArray.js';
export { diagnoseWeights } from './diagnostics/diagnoseWeights.js';
export { magnitudeMask } from './magnitude/magnitudeMask.js';
export { polynomialSparsity } from './magnitude/polynomialSparsity.js';
export { constantSparsity } from './magnitude/constantSparsity.js';
export { QuantTrimError, isQuantTrimError, ErrorCodes } from '@quant-trim/errors';

export type { TrimCriterion, TrimGranularity, TrimOperation, TrimOptions } from './trim/types.js';
export type { TrimThresholds } from './trim/trimThresholds.js';
export type { TrimmedArray } from './trim/trimTypedArray.js';
export type { QuantMse, WeightDiagnostics } from './diagnostics/diagnoseWeights.js';
export type { PolynomialSparsityOptions } from './magnitude/polynomialSparsity.js';
export type { ConstantSparsityOptions } from './magnitude/constantSparsity.js';
export type { ErrorCode } from '@quant-trim/errors';
