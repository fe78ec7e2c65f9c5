import { defineBuiltin, definitionOf } from '../internal/defineBuiltin.js';
import { makeSchedule } from '../internal/makeSchedule.js';
import type { Schedule, ScheduleConfig } from '../types.js';

/** `TSchedule` is a `Schedule` for the factory and a `ScheduleConfig` in JSON. */
export interface WarmupOptions<TSchedule = Schedule> {
  /** The schedule that takes over after the warm-up; it keeps its own clock (not shifted). */
  schedule: TSchedule;
  /** The length of the ramp in steps (≥ 0; 0 means no warm-up). */
  steps: number;
  /** The value at step 0 (default 0). */
  start?: number;
}

/** The JSON params of `warmup`, where nested schedules are configs. */
export interface WarmupParams extends WarmupOptions<ScheduleConfig> {}

const builtin = defineBuiltin('warmup', ['schedule', 'steps', 'start'], (read) => {
  const schedule = read.schedule('schedule');
  const steps = read.number('steps', { min: 0 });
  const start = read.number('start', { fallback: 0 });
  const target = steps > 0 ? schedule.at(steps) : start;
  return makeSchedule(
    'warmup',
    () => ({ type: 'warmup', schedule: schedule.toJSON(), steps, start }),
    (step) => (step >= steps ? schedule.at(step) : start + ((target - start) * step) / steps),
  );
});

/**
 * Ramps linearly from `start` to the wrapped schedule's value at `steps`, then follows the
 * wrapped schedule. The wrapped schedule is **not shifted**: from `steps` on, the value is
 * `schedule.at(step)`, so the warm-up replaces the first `steps` steps of the schedule instead
 * of delaying it, the total length stays the wrapped schedule's, and the curve is continuous
 * at `steps`.
 *
 * @example
 * const lr = warmup({ schedule: cosine({ start: 0.1, steps: 1000 }), steps: 100 });
 * lr.at(0); // 0
 * lr.at(50); // half of cosine's value at step 100
 * lr.at(500); // 0.05, the cosine's own value at 500
 */
export function warmup(options: WarmupOptions): Schedule<ScheduleConfig<'warmup'>> {
  return builtin.create(options);
}

/** @internal */
export const warmupDefinition = /* @__PURE__ */ definitionOf(builtin);
