import { defineBuiltin, definitionOf } from '../internal/defineBuiltin.js';
import { makeSchedule } from '../internal/makeSchedule.js';
import type { Schedule, ScheduleConfig } from '../types.js';

/** `TSchedule` is a `Schedule` for the factory and a `ScheduleConfig` in JSON. */
export interface ProductOptions<TSchedule = Schedule> {
  /** The factors (at least one), all evaluated at the same step. */
  schedules: readonly TSchedule[];
}

/** The JSON params of `product`, where nested schedules are configs. */
export interface ProductParams extends ProductOptions<ScheduleConfig> {}

const builtin = defineBuiltin('product', ['schedules'], (read) => {
  const schedules = read.schedules('schedules');
  return makeSchedule(
    'product',
    () => ({ type: 'product', schedules: schedules.map((schedule) => schedule.toJSON()) }),
    (step) => schedules.reduce((value, schedule) => value * schedule.at(step), 1),
  );
});

/**
 * The pointwise product of schedules: one schedule gating another, such as a cosine learning
 * rate faded out by a linear ramp. For a constant factor use `scale`.
 *
 * @example
 * const gated = product({ schedules: [cosine({ start: 1, steps: 100 }), linear({ start: 1, end: 0, steps: 100 })] });
 * gated.at(50); // 0.25
 */
export function product(options: ProductOptions): Schedule<ScheduleConfig<'product'>> {
  return builtin.create(options);
}

/** @internal */
export const productDefinition = /* @__PURE__ */ definitionOf(builtin);
