import { defineBuiltin, definitionOf } from '../internal/defineBuiltin.js';
import { makeSchedule } from '../internal/makeSchedule.js';
import type { Schedule, ScheduleConfig } from '../types.js';

export interface MultistepOptions {
  /** The value at step 0. */
  start: number;
  /** The factor applied at each milestone (> 0). */
  gamma: number;
  /** The steps at which the value drops, each ≥ 0 and ≥ the previous one (a repeat drops twice). */
  milestones: readonly number[];
}

const builtin = defineBuiltin('multistep', ['start', 'gamma', 'milestones'], (read) => {
  const start = read.number('start');
  const gamma = read.number('gamma', { above: 0 });
  const milestones: number[] = [];
  read.array('milestones').forEach((value, i) => {
    const previous = milestones[i - 1];
    const milestone = read.check(`milestones.${i}`, value, { min: 0 });
    if (previous !== undefined && milestone < previous) {
      read.fail(`milestones.${i}`, `must be ≥ the previous milestone (${previous}), got ${milestone}`);
    }
    milestones.push(milestone);
  });
  return makeSchedule(
    'multistep',
    () => ({ type: 'multistep', start, gamma, milestones: [...milestones] }),
    (at) => {
      let drops = 0;
      while ((milestones[drops] ?? Infinity) <= at) drops += 1;
      return start * gamma ** drops;
    },
  );
});

/**
 * `start · gamma^(number of milestones ≤ step)`: drops by `gamma` at each milestone
 * (PyTorch's `MultiStepLR`).
 *
 * @example
 * const lr = multistep({ start: 0.1, gamma: 0.1, milestones: [30, 80] });
 * lr.at(50); // 0.01
 * lr.at(80); // 0.001
 */
export function multistep(options: MultistepOptions): Schedule<ScheduleConfig<'multistep'>> {
  return builtin.create(options);
}

/** @internal */
export const multistepDefinition = /* @__PURE__ */ definitionOf(builtin);
