import { defineBuiltin, definitionOf } from '../internal/defineBuiltin.js';
import { makeSchedule } from '../internal/makeSchedule.js';
import { invalidSchedule } from '../internal/ParamReader.js';
import type { Schedule, ScheduleConfig } from '../types.js';

/** `TSchedule` is a `Schedule` for the factory and a `ScheduleConfig` in JSON. */
export interface ClampOptions<TSchedule = Schedule> {
  /** The schedule whose values are bounded. */
  schedule: TSchedule;
  /** The lower bound; at least one of `min` and `max` is required. */
  min?: number;
  /** The upper bound, ≥ `min`. */
  max?: number;
}

/** The JSON params of `clamp`, where nested schedules are configs. */
export interface ClampParams extends ClampOptions<ScheduleConfig> {}

const builtin = defineBuiltin('clamp', ['schedule', 'min', 'max'], (read) => {
  const schedule = read.schedule('schedule');
  const min = read.has('min') ? read.number('min') : undefined;
  const max = read.has('max') ? read.number('max') : undefined;
  if (min === undefined && max === undefined) throw invalidSchedule(read.context.path, 'expected `min`, `max` or both');
  if (min !== undefined && max !== undefined && max < min) read.fail('max', `must be ≥ min (${min}), got ${max}`);
  const low = min ?? -Infinity;
  const high = max ?? Infinity;
  return makeSchedule(
    'clamp',
    () => ({
      type: 'clamp',
      schedule: schedule.toJSON(),
      ...(min === undefined ? {} : { min }),
      ...(max === undefined ? {} : { max }),
    }),
    (step) => Math.min(high, Math.max(low, schedule.at(step))),
  );
});

/**
 * Bounds another schedule to `[min, max]`, for a floor under an exponential decay or a cap on
 * a growing schedule.
 *
 * @example
 * const lr = clamp({ schedule: exponential({ start: 0.1, gamma: 0.9 }), min: 1e-4 });
 * lr.at(1_000); // 1e-4
 */
export function clamp(options: ClampOptions): Schedule<ScheduleConfig<'clamp'>> {
  return builtin.create(options);
}

/** @internal */
export const clampDefinition = /* @__PURE__ */ definitionOf(builtin);
