import { defineBuiltin, definitionOf } from '../internal/defineBuiltin.js';
import { makeSchedule } from '../internal/makeSchedule.js';
import type { Schedule, ScheduleConfig } from '../types.js';

export interface CosineOptions {
  /** The value at step 0. */
  start: number;
  /** The value at `steps` and after (default 0). */
  end?: number;
  /** How many steps the half cosine takes (≥ 0; 0 means `end` from the start). */
  steps: number;
}

const builtin = defineBuiltin('cosine', ['start', 'end', 'steps'], (read) => {
  const start = read.number('start');
  const end = read.number('end', { fallback: 0 });
  const steps = read.number('steps', { min: 0 });
  return makeSchedule(
    'cosine',
    () => ({ type: 'cosine', start, end, steps }),
    (step) => (step >= steps ? end : end + ((start - end) * (1 + Math.cos((Math.PI * step) / steps))) / 2),
  );
});

/**
 * Half a cosine from `start` to `end` over `steps`, then held at `end` (SGDR without restarts).
 * It decays slowly at both ends and fastest in the middle, and is monotone.
 *
 * @example
 * const lr = cosine({ start: 0.1, end: 0, steps: 1000 });
 * lr.at(500); // 0.05
 * lr.at(1000); // 0
 */
export function cosine(options: CosineOptions): Schedule<ScheduleConfig<'cosine'>> {
  return builtin.create(options);
}

/** @internal */
export const cosineDefinition = /* @__PURE__ */ definitionOf(builtin);
