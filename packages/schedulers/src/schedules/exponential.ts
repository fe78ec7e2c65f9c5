import { defineBuiltin, definitionOf } from '../internal/defineBuiltin.js';
import { makeSchedule } from '../internal/makeSchedule.js';
import type { Schedule, ScheduleConfig } from '../types.js';

export interface ExponentialOptions {
  /** The value at step 0. */
  start: number;
  /** The factor applied every `every` steps (> 0; below 1 decays, above 1 grows). */
  gamma: number;
  /** The number of steps over which the value is multiplied by `gamma` (> 0, default 1). */
  every?: number;
}

const builtin = defineBuiltin('exponential', ['start', 'gamma', 'every'], (read) => {
  const start = read.number('start');
  const gamma = read.number('gamma', { above: 0 });
  const every = read.number('every', { above: 0, fallback: 1 });
  return makeSchedule(
    'exponential',
    () => ({ type: 'exponential', start, gamma, every }),
    (step) => start * gamma ** (step / every),
  );
});

/**
 * `start · gamma^(step/every)`, smooth between steps (use `step` for a staircase). `every`
 * lets a per-epoch gamma be written directly when the schedule is driven by optimiser steps.
 *
 * @example
 * const lr = exponential({ start: 1, gamma: 0.5, every: 100 });
 * lr.at(200); // 0.25
 */
export function exponential(options: ExponentialOptions): Schedule<ScheduleConfig<'exponential'>> {
  return builtin.create(options);
}

/** @internal */
export const exponentialDefinition = /* @__PURE__ */ definitionOf(builtin);
