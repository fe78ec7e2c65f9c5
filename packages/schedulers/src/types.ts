import type { ClampParams } from './schedules/clamp.js';
import type { ConstantOptions } from './schedules/constant.js';
import type { CosineOptions } from './schedules/cosine.js';
import type { ExponentialOptions } from './schedules/exponential.js';
import type { LinearOptions } from './schedules/linear.js';
import type { MultistepOptions } from './schedules/multistep.js';
import type { PiecewiseOptions } from './schedules/piecewise.js';
import type { PolynomialOptions } from './schedules/polynomial.js';
import type { ProductParams } from './schedules/product.js';
import type { QuantTrimCurriculumOptions } from './schedules/quantTrimCurriculum.js';
import type { ScaleParams } from './schedules/scale.js';
import type { SequenceParams } from './schedules/sequence.js';
import type { StepOptions } from './schedules/step.js';
import type { WarmupParams } from './schedules/warmup.js';

/** The loosest JSON shape of a schedule: a `type` naming its definition, plus its params. */
export interface ScheduleJson {
  readonly type: string;
}

/**
 * A schedule maps a training step (a finite number ≥ 0) to a value, and serialises to the JSON
 * that rebuilds it. It is a pure function of the step: the JSON plus the step is its whole state,
 * which is what makes a run resumable from a checkpoint.
 *
 * @example
 * const lr = cosine({ start: 0.1, end: 0, steps: 1000 });
 * lr.at(500); // 0.05
 * JSON.stringify(lr); // '{"type":"cosine","start":0.1,"end":0,"steps":1000}'
 */
export interface Schedule<TJson extends ScheduleJson = ScheduleConfig> {
  /** The name of the definition that built it, equal to `toJSON().type`. */
  readonly type: TJson['type'];
  /** The value at `step`; throws `QT_INVALID_ARGUMENT` for a negative or non-finite step. */
  at(step: number): number;
  /** The config that rebuilds this schedule through `fromJSON`, with every default filled in. */
  toJSON(): TJson;
}

/**
 * The JSON params of every built-in schedule, by type name. Its keys are the built-in names;
 * composites hold their nested schedules as configs.
 */
export interface BuiltinSchedules {
  constant: ConstantOptions;
  linear: LinearOptions;
  cosine: CosineOptions;
  polynomial: PolynomialOptions;
  exponential: ExponentialOptions;
  step: StepOptions;
  multistep: MultistepOptions;
  piecewise: PiecewiseOptions;
  warmup: WarmupParams;
  clamp: ClampParams;
  sequence: SequenceParams;
  product: ProductParams;
  scale: ScaleParams;
  quantTrimCurriculum: QuantTrimCurriculumOptions;
}

/**
 * Empty on purpose: a plugin package declares its schedule's params here, so its name
 * type-checks in `ScheduleConfig` wherever configs are written. It costs nothing at runtime.
 *
 * @example
 * declare module '@quant-trim/schedulers' {
 *   interface ScheduleRegistry {
 *     sineWave: { period: number; amplitude?: number };
 *   }
 * }
 */
// biome-ignore lint/suspicious/noEmptyInterface: the augmentation point plugins declare their schedules in
export interface ScheduleRegistry {}

/** The params of every schedule name: built-ins plus whatever plugins declared in `ScheduleRegistry`. */
export interface ScheduleOptionsMap extends BuiltinSchedules, ScheduleRegistry {}

/** The name of a built-in schedule. */
export type BuiltinScheduleName = keyof BuiltinSchedules;

/** The name of any schedule known to the type system (built-ins and augmented plugins). */
export type ScheduleName = keyof ScheduleOptionsMap & string;

/**
 * The JSON config of a schedule: `{ type, ...params }`, discriminated by `type`.
 *
 * @example
 * const config: ScheduleConfig = { type: 'warmup', steps: 100, schedule: { type: 'cosine', start: 0.1, steps: 1000 } };
 */
export type ScheduleConfig<TName extends ScheduleName = ScheduleName> = {
  [K in TName]: { readonly type: K } & ScheduleOptionsMap[K];
}[TName];
