import { QuantTrimError } from '@quant-trim/errors';
import type { Schedule } from './types.js';

/** What a definition's `create` returns: the evaluation. Serialisation is handled for it. */
export interface ScheduleEvaluator {
  /** The value at `step`, already checked to be a finite number ≥ 0. Must return a finite number. */
  at(step: number): number;
}

/** Passed to `create`, so a definition can report errors at the right place and nest schedules. */
export interface ScheduleContext {
  /** The dotted path of this schedule inside the config (`warmup.schedule`), for error messages. */
  readonly path: string;
  /**
   * Turns the nested value found at `key` of the params (a config, or a schedule already built)
   * into a schedule, through the same registry. Its errors carry the path `${path}.${key}`.
   */
  build(value: unknown, key: string): Schedule;
}

/**
 * A schedule type that a registry can rebuild from JSON. The JSON of a schedule is
 * `{ type: name, ...params }`; `create` receives the params without `type`.
 */
export interface ScheduleDefinition<TParams extends object = object> {
  /** The `type` of its JSON; unique within a registry. */
  readonly name: string;
  /**
   * Checks the raw params before `create` sees them. Return `undefined` when they are valid, or a
   * message that starts with the field name (`'period: must be > 0'`); it becomes a
   * `QT_INVALID_SCHEDULE` error prefixed with the schedule's path.
   */
  validate?(params: Readonly<Record<string, unknown>>): string | undefined;
  /** Builds the evaluation from validated params. Called once per `fromJSON`, never per step. */
  create(params: TParams, context: ScheduleContext): ScheduleEvaluator;
}

/**
 * Declares a plugin schedule. Like every `define*` factory it only checks and returns the
 * definition; register it on a registry yourself, so nothing depends on import order.
 * A plugin schedule round-trips through JSON like a built-in: its JSON is the params it was
 * built from.
 *
 * @example
 * const sineWave = defineSchedule<{ period: number; amplitude?: number }>({
 *   name: 'sineWave',
 *   validate: (p) => (typeof p.period === 'number' && p.period > 0 ? undefined : 'period: must be a number > 0'),
 *   create: ({ period, amplitude = 1 }) => ({ at: (step) => amplitude * Math.sin((2 * Math.PI * step) / period) }),
 * });
 * defaultScheduleRegistry.register(sineWave);
 * fromJSON({ type: 'sineWave', period: 100 }).at(25); // 1
 */
export function defineSchedule<TParams extends object>(definition: ScheduleDefinition<TParams>): ScheduleDefinition<TParams> {
  const problem = definitionProblem(definition);
  if (problem !== undefined) {
    throw new QuantTrimError({ code: 'QT_INVALID_PLUGIN', message: `defineSchedule: ${problem}` });
  }
  return definition;
}

function definitionProblem(definition: unknown): string | undefined {
  if (typeof definition !== 'object' || definition === null) return `expected an object, got ${definition === null ? 'null' : typeof definition}`;
  const { name, create, validate } = definition as Partial<ScheduleDefinition>;
  if (typeof name !== 'string' || name.length === 0) return 'expected a non-empty string `name`';
  if (typeof create !== 'function') return `schedule "${name}": \`create\` must be a function`;
  if (validate !== undefined && typeof validate !== 'function') return `schedule "${name}": \`validate\` must be a function when given`;
  return undefined;
}
