// Backend profiles
export { builtinProfiles } from './profiles/builtinProfiles.js';
export { CORE_ONNX_OPS } from './profiles/builtin/common.js';
export { createBackendRegistry, defaultBackendRegistry, registerBuiltinProfiles } from './profiles/createBackendRegistry.js';
export { defineBackend } from './profiles/defineBackend.js';
export { isValidatedProfile, validateProfile } from './profiles/validateProfile.js';
// Errors (shared by every Quant-Trim package)
export { QuantTrimError, isQuantTrimError, ErrorCodes } from '@quant-trim/internal';

export { compileForBackend, INTEGER_OPS } from './compile/compileForBackend.js';
export { acrossProfiles, compareLogits, expectedCalibrationError } from './metrics/classificationMetrics.js';
export type {
  AccumulatorSpec,
  BackendProfile,
  BackendRegistry,
  BiasSpec,
  CalibrationSpec,
  DeviceSpec,
  Evidence,
  FallbackSpec,
  FixedOutputParams,
  FloatActivations,
  MixedPrecisionSpec,
  OpCoverage,
  OpLimits,
  ProfileGranularity,
  ProfileRange,
  ProfileSource,
  QuantTransform,
  TensorGrid,
} from './profiles/types.js';
export type { BackendId, BackendProfileRegistry, BuiltinBackendId } from './profiles/createBackendRegistry.js';
export type { ValidateProfileOptions } from './profiles/validateProfile.js';
export type { ErrorCode, QuantTrimErrorOptions, RegisterOptions } from '@quant-trim/internal';
export type { ActivationQParams, CompileOptions, CompiledModel, NodeCoverage, WeightQParams } from './compile/compileForBackend.js';
export type { ComparisonMetrics, Logits } from './metrics/classificationMetrics.js';
