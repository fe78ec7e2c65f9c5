import { QuantTrimError } from '@quant-trim/errors';
import type { Schedule, ScheduleJson } from '../types.js';

/** Every schedule made here, so `fromJSON` can tell a finished schedule from a plugin's evaluator. */
const made = new WeakSet<object>();

/**
 * Builds the frozen schedule object shared by every built-in and plugin: it checks the step
 * before evaluating, so no definition has to, and serialises through `toJSON`.
 *
 * Negative steps are an error rather than being read as 0: a negative step is always a bug in
 * the caller's loop, and silently clamping it would hide an off-by-one on resume.
 *
 * @internal
 * @example
 * const half = makeSchedule('constant', () => ({ type: 'constant', value: 0.5 }), () => 0.5);
 */
export function makeSchedule<TJson extends ScheduleJson>(type: TJson['type'], toJSON: () => TJson, evaluate: (step: number) => number): Schedule<TJson> {
  const schedule: Schedule<TJson> = Object.freeze({
    type,
    at(step: number): number {
      if (typeof step !== 'number' || !Number.isFinite(step) || step < 0) throw invalidStep(type, step);
      return evaluate(step);
    },
    toJSON,
  });
  made.add(schedule);
  return schedule;
}

/** True for a schedule built by `makeSchedule` in this copy of the package. @internal */
export function isMadeSchedule(value: unknown): value is Schedule {
  return typeof value === 'object' && value !== null && made.has(value);
}

/**
 * True for anything shaped like a schedule (including one from a duplicated install), so
 * composites accept schedules they did not build. @internal
 */
export function isScheduleLike(value: unknown): value is Schedule {
  if (typeof value !== 'object' || value === null) return false;
  const candidate = value as Partial<Schedule>;
  return typeof candidate.type === 'string' && typeof candidate.at === 'function' && typeof candidate.toJSON === 'function';
}

function invalidStep(type: string, step: unknown): QuantTrimError {
  const problem =
    typeof step === 'number' && Number.isFinite(step)
      ? `must be ≥ 0 (schedules start at step 0), got ${step}`
      : `expected a finite number, got ${typeof step === 'number' ? step : typeof step}`;
  return new QuantTrimError({
    code: 'QT_INVALID_ARGUMENT',
    message: `argument \`step\` of \`${type}.at\`: ${problem}`,
    details: { argument: 'step', schedule: type },
  });
}
