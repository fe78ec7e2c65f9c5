import { defineBuiltin, definitionOf } from '../internal/defineBuiltin.js';
import { makeSchedule } from '../internal/makeSchedule.js';
import type { Schedule, ScheduleConfig } from '../types.js';

export interface StepOptions {
  /** The value at step 0. */
  start: number;
  /** The factor applied at each drop (> 0). */
  gamma: number;
  /** The number of steps between drops (> 0). */
  every: number;
}

const builtin = defineBuiltin('step', ['start', 'gamma', 'every'], (read) => {
  const start = read.number('start');
  const gamma = read.number('gamma', { above: 0 });
  const every = read.number('every', { above: 0 });
  return makeSchedule(
    'step',
    () => ({ type: 'step', start, gamma, every }),
    (at) => start * gamma ** Math.floor(at / every),
  );
});

/**
 * `start · gamma^⌊step/every⌋`: drops by `gamma` every `every` steps (PyTorch's `StepLR`).
 * Use `multistep` when the drops are irregular.
 *
 * @example
 * const lr = step({ start: 0.1, gamma: 0.1, every: 30 });
 * lr.at(29); // 0.1
 * lr.at(30); // 0.01
 */
export function step(options: StepOptions): Schedule<ScheduleConfig<'step'>> {
  return builtin.create(options);
}

/** @internal */
export const stepDefinition = /* @__PURE__ */ definitionOf(builtin);
