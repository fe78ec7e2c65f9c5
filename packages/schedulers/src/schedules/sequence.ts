import { defineBuiltin, definitionOf } from '../internal/defineBuiltin.js';
import { makeSchedule } from '../internal/makeSchedule.js';
import type { Schedule, ScheduleConfig } from '../types.js';

/** `TSchedule` is a `Schedule` for the factory and a `ScheduleConfig` in JSON. */
export interface SequenceOptions<TSchedule = Schedule> {
  /** The segments, in order (at least one). */
  schedules: readonly TSchedule[];
  /** The steps where each next segment starts: one fewer than `schedules`, ≥ 0, non-decreasing. */
  boundaries: readonly number[];
}

/** The JSON params of `sequence`, where nested schedules are configs. */
export interface SequenceParams extends SequenceOptions<ScheduleConfig> {}

const builtin = defineBuiltin('sequence', ['schedules', 'boundaries'], (read) => {
  const schedules = read.schedules('schedules');
  const boundaries: number[] = [];
  const raw = read.array('boundaries');
  if (raw.length !== schedules.length - 1) {
    read.fail('boundaries', `expected ${schedules.length - 1} (one fewer than schedules), got ${raw.length}`);
  }
  raw.forEach((value, i) => {
    const previous = boundaries[i - 1];
    const boundary = read.check(`boundaries.${i}`, value, { min: 0 });
    if (previous !== undefined && boundary < previous) {
      read.fail(`boundaries.${i}`, `must be ≥ the previous boundary (${previous}), got ${boundary}`);
    }
    boundaries.push(boundary);
  });
  return makeSchedule(
    'sequence',
    () => ({ type: 'sequence', schedules: schedules.map((schedule) => schedule.toJSON()), boundaries: [...boundaries] }),
    (step) => {
      let segment = 0;
      while ((boundaries[segment] ?? Infinity) <= step) segment += 1;
      const offset = boundaries[segment - 1] ?? 0;
      return (schedules[segment] as Schedule).at(step - offset);
    },
  );
});

/**
 * Runs schedules one after another: segment `i + 1` starts at `boundaries[i]`, and each segment
 * is **shifted** so it sees its own step 0 at its boundary (unlike `warmup`, which wraps one
 * schedule on its own clock). Values may jump at a boundary; that is the point of a sequence.
 *
 * @example
 * const lr = sequence({
 *   schedules: [linear({ start: 0, end: 0.1, steps: 100 }), cosine({ start: 0.1, steps: 900 })],
 *   boundaries: [100],
 * });
 * lr.at(100); // 0.1, the cosine's step 0
 * lr.at(1000); // 0
 */
export function sequence(options: SequenceOptions): Schedule<ScheduleConfig<'sequence'>> {
  return builtin.create(options);
}

/** @internal */
export const sequenceDefinition = /* @__PURE__ */ definitionOf(builtin);
