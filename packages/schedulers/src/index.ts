export { constant } from './schedules/constant.js';
export { linear } from './schedules/linear.js';
export { cosine } from './schedules/cosine.js';
export { polynomial } from './schedules/polynomial.js';
export { exponential } from './schedules/exponential.js';
export { step } from './schedules/step.js';
export { multistep } from './schedules/multistep.js';
export { piecewise } from './schedules/piecewise.js';
export { warmup } from './schedules/warmup.js';
export { clamp } from './schedules/clamp.js';
export { sequence } from './schedules/sequence.js';
export { product } from './schedules/product.js';
export { scale } from './schedules/scale.js';
export { quantTrimCurriculum, quantTrimCurriculumDefaults } from './schedules/quantTrimCurriculum.js';
export { defineSchedule } from './defineSchedule.js';
export { createScheduleRegistry, defaultScheduleRegistry } from './createScheduleRegistry.js';
export { registerBuiltinSchedules } from './registerBuiltinSchedules.js';
export { fromJSON } from './fromJSON.js';
export { ErrorCodes, QuantTrimError, isQuantTrimError } from '@quant-trim/errors';

export type {
  BuiltinScheduleName,
  BuiltinSchedules,
  Schedule,
  ScheduleConfig,
  ScheduleJson,
  ScheduleName,
  ScheduleOptionsMap,
  ScheduleRegistry,
} from './types.js';
export type { ScheduleContext, ScheduleDefinition, ScheduleEvaluator } from './defineSchedule.js';
export type { CreateScheduleRegistryOptions, ScheduleRegistryInstance } from './createScheduleRegistry.js';
export type { ConstantOptions } from './schedules/constant.js';
export type { LinearOptions } from './schedules/linear.js';
export type { CosineOptions } from './schedules/cosine.js';
export type { PolynomialOptions } from './schedules/polynomial.js';
export type { ExponentialOptions } from './schedules/exponential.js';
export type { StepOptions } from './schedules/step.js';
export type { MultistepOptions } from './schedules/multistep.js';
export type { PiecewiseOptions, PiecewisePoint } from './schedules/piecewise.js';
export type { WarmupOptions, WarmupParams } from './schedules/warmup.js';
export type { ClampOptions, ClampParams } from './schedules/clamp.js';
export type { SequenceOptions, SequenceParams } from './schedules/sequence.js';
export type { ProductOptions, ProductParams } from './schedules/product.js';
export type { ScaleOptions, ScaleParams } from './schedules/scale.js';
export type { CurriculumUnit, QuantTrimCurriculumOptions } from './schedules/quantTrimCurriculum.js';
export type { ErrorCode } from '@quant-trim/errors';
