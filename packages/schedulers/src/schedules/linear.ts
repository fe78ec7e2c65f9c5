import { defineBuiltin, definitionOf } from '../internal/defineBuiltin.js';
import { makeSchedule } from '../internal/makeSchedule.js';
import type { Schedule, ScheduleConfig } from '../types.js';

export interface LinearOptions {
  /** The value at step 0. */
  start: number;
  /** The value at `steps` and after. */
  end: number;
  /** How many steps the ramp takes (≥ 0; 0 means `end` from the start). */
  steps: number;
}

const builtin = defineBuiltin('linear', ['start', 'end', 'steps'], (read) => {
  const start = read.number('start');
  const end = read.number('end');
  const steps = read.number('steps', { min: 0 });
  return makeSchedule(
    'linear',
    () => ({ type: 'linear', start, end, steps }),
    (step) => (step >= steps ? end : start + ((end - start) * step) / steps),
  );
});

/**
 * A straight ramp from `start` to `end` over `steps`, then held at `end`. Monotone in either
 * direction, so it serves as a linear decay and as a linear ramp-up.
 *
 * @example
 * const decay = linear({ start: 1, end: 0.1, steps: 100 });
 * decay.at(50); // 0.55
 * decay.at(500); // 0.1
 */
export function linear(options: LinearOptions): Schedule<ScheduleConfig<'linear'>> {
  return builtin.create(options);
}

/** @internal */
export const linearDefinition = /* @__PURE__ */ definitionOf(builtin);
