import { defineBuiltin, definitionOf } from '../internal/defineBuiltin.js';
import { makeSchedule } from '../internal/makeSchedule.js';
import type { Schedule, ScheduleConfig } from '../types.js';

export interface PolynomialOptions {
  /** The value at step 0. */
  start: number;
  /** The value at `steps` and after (default 0). */
  end?: number;
  /** How many steps the decay takes (≥ 0; 0 means `end` from the start). */
  steps: number;
  /** The exponent (> 0, default 1 which is linear); above 1 it drops fast first, below 1 late. */
  power?: number;
}

const builtin = defineBuiltin('polynomial', ['start', 'end', 'steps', 'power'], (read) => {
  const start = read.number('start');
  const end = read.number('end', { fallback: 0 });
  const steps = read.number('steps', { min: 0 });
  const power = read.number('power', { above: 0, fallback: 1 });
  return makeSchedule(
    'polynomial',
    () => ({ type: 'polynomial', start, end, steps, power }),
    (step) => (step >= steps ? end : end + (start - end) * (1 - step / steps) ** power),
  );
});

/**
 * `end + (start − end) · (1 − step/steps)^power`, then held at `end`: the polynomial decay of
 * PyTorch's `PolynomialLR`, monotone for any power.
 *
 * @example
 * const lr = polynomial({ start: 1, end: 0, steps: 100, power: 2 });
 * lr.at(50); // 0.25
 */
export function polynomial(options: PolynomialOptions): Schedule<ScheduleConfig<'polynomial'>> {
  return builtin.create(options);
}

/** @internal */
export const polynomialDefinition = /* @__PURE__ */ definitionOf(builtin);
