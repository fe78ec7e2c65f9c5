import { defineBuiltin, definitionOf } from '../internal/defineBuiltin.js';
import { makeSchedule } from '../internal/makeSchedule.js';
import type { Schedule, ScheduleConfig } from '../types.js';

/** `TSchedule` is a `Schedule` for the factory and a `ScheduleConfig` in JSON. */
export interface ScaleOptions<TSchedule = Schedule> {
  /** The schedule to scale. */
  schedule: TSchedule;
  /** The constant factor. */
  factor: number;
}

/** The JSON params of `scale`, where nested schedules are configs. */
export interface ScaleParams extends ScaleOptions<ScheduleConfig> {}

const builtin = defineBuiltin('scale', ['schedule', 'factor'], (read) => {
  const schedule = read.schedule('schedule');
  const factor = read.number('factor');
  return makeSchedule(
    'scale',
    () => ({ type: 'scale', schedule: schedule.toJSON(), factor }),
    (step) => factor * schedule.at(step),
  );
});

/**
 * Multiplies a schedule by a constant. It exists for one common shape: Quant-Trim's trim ratio
 * `p_t = p_max · λ_t` drives reverse pruning from the same curriculum as fake quantization.
 *
 * @example
 * const trimRatio = scale({ schedule: quantTrimCurriculum({ totalSteps: 1000 }), factor: 0.005 });
 * trimRatio.at(1000); // 0.005
 */
export function scale(options: ScaleOptions): Schedule<ScheduleConfig<'scale'>> {
  return builtin.create(options);
}

/** @internal */
export const scaleDefinition = /* @__PURE__ */ definitionOf(builtin);
