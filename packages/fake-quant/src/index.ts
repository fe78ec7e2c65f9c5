// Training backend
export { initTrainingBackend } from './backend/initTrainingBackend.js';
export { registerTrainingKernels, unregisterTrainingKernels, TRAINING_KERNEL_BACKENDS } from './backend/registerTrainingKernels.js';
// Ops
export { fakeQuantize } from './ops/fakeQuantize.js';
export { blend } from './ops/blend.js';
export { toTensorQParams } from './ops/toTensorQParams.js';
export { tensorQParamsFromRange } from './ops/tensorQParamsFromRange.js';
export { tensorRanges } from './ops/tensorRanges.js';
// Quantizers
export { QuantState } from './quantizers/QuantState.js';
export { WeightQuantizer } from './quantizers/WeightQuantizer.js';
export { ActivationQuantizer } from './quantizers/ActivationQuantizer.js';
export { resolveScheme, globMatch } from './quantizers/resolveScheme.js';
// Activation tail trimming, calibrator randomisation and blank-response suppression
export { resolveTailTrim, batchTailQuantiles, clampFromEstimate } from './activations/tailTrim.js';
export { attachBlankSuppression, resolveBlankSuppression } from './activations/blankSuppression.js';
export { CalibratorRandomizer, DEFAULT_RANDOM_CALIBRATORS, sampleCalibratorIndex } from './activations/calibratorRandomization.js';
export { Clamp, clampLayerFor } from './model/layers/Clamp.js';
export { calibratorDisagreementOf } from './diagnostics/calibratorDisagreementOf.js';
// Models
export { quantizeModel } from './model/quantizeModel.js';
export { QuantizedModel } from './model/QuantizedModel.js';
export { stripQuantization } from './model/stripQuantization.js';
export { saveQuantizedModel, loadQuantizedModel } from './model/saveQuantizedModel.js';
export { registerQuantLayers } from './model/registerQuantLayers.js';
export { FakeQuant } from './model/layers/FakeQuant.js';
export { QuantLayer } from './model/layers/QuantLayer.js';
export { QuantDense } from './model/layers/QuantDense.js';
export { QuantConv2D } from './model/layers/QuantConv2D.js';
export { QuantDepthwiseConv2D } from './model/layers/QuantDepthwiseConv2D.js';
export { QuantSeparableConv2D } from './model/layers/QuantSeparableConv2D.js';
export { QuantBatchNormalization } from './model/layers/QuantBatchNormalization.js';
// Data-parallel training (the worker-thread runner is in '@quant-trim/fake-quant/node')
export { DataParallelReplica } from './parallel/DataParallelReplica.js';
export { abortCollective, createCollectiveBuffer, sharedMemoryCollective } from './parallel/collective.js';
export { activeCollective } from './parallel/replicaContext.js';
// Controller
export { QuantTrimController } from './controller/QuantTrimController.js';
// Errors
export { QuantTrimError, isQuantTrimError, ErrorCodes } from '@quant-trim/errors';

export type { GradientMode, TensorQParams } from './types.js';
export type { InitTrainingBackendOptions, TrainingBackendInfo } from './backend/initTrainingBackend.js';
export type { TrainingKernelBackend } from './backend/registerTrainingKernels.js';
export type { FakeQuantizeOptions } from './ops/fakeQuantize.js';
export type { ActivationQuantizerOptions, ObserverConfig, RangeStore } from './quantizers/ActivationQuantizer.js';
export type {
  QuantizedWeight,
  WeightQuantizerOptions,
  WeightTransform,
  WeightTransformContext,
  WeightTransformStepContext,
} from './quantizers/WeightQuantizer.js';
export type { SchemeSpec } from './quantizers/resolveScheme.js';
export type { ClampBounds, ResolvedTailTrim, TailTrimConfig } from './activations/tailTrim.js';
export type { BlankSuppression, BlankSuppressionConfig, ResolvedBlankSuppression } from './activations/blankSuppression.js';
export type { CalibratorRandomizationConfig, CalibratorRandomizationState, RandomCalibratorSpec } from './activations/calibratorRandomization.js';
export type { ClampArgs } from './model/layers/Clamp.js';
export type { ActivationDisagreement, CalibratorDisagreementOfOptions } from './diagnostics/calibratorDisagreementOf.js';
export type { LayerOverride, LayerReport, QuantizeConfig, RandomizeConfig } from './model/quantizeModel.js';
export type { ActivationRange, RandomizeSets } from './model/QuantizedModel.js';
export type { StripOptions, StrippedModel } from './model/stripQuantization.js';
export type { LoadOptions, QuantCheckpointMetadata, SaveOptions } from './model/saveQuantizedModel.js';
export type { ControllerOptions, ControllerState, FreezePoint } from './controller/QuantTrimController.js';
export type { Reporter, StepInfo } from './controller/Reporter.js';
export type { Collective, ReduceOp } from './parallel/collective.js';
export type { Shard } from './parallel/DataParallelReplica.js';
export type { ErrorCode } from '@quant-trim/errors';
