import type { ScheduleContext, ScheduleDefinition } from '../defineSchedule.js';
import type { BuiltinScheduleName, Schedule, ScheduleConfig } from '../types.js';
import { isScheduleLike } from './makeSchedule.js';
import { ParamReader, invalidSchedule, show } from './ParamReader.js';

/** A built-in schedule: one `build` shared by its factory and its registry definition. @internal */
export interface Builtin<TName extends BuiltinScheduleName> {
  /** Registered on registries so `fromJSON` can rebuild it; nested params are configs there. */
  readonly definition: ScheduleDefinition;
  /** What the public factory calls; nested params must be schedules already built. */
  create(options: unknown): Schedule<ScheduleConfig<TName>>;
}

/**
 * Declares a built-in once, so the factory (`cosine({...})`) and `fromJSON` validate with the
 * same code and produce identical schedules. `keys` lists the accepted fields.
 *
 * @internal
 * @example
 * const builtin = defineBuiltin('constant', ['value'], (read) => { const value = read.number('value'); ... });
 */
/* @__NO_SIDE_EFFECTS__ */
export function defineBuiltin<TName extends BuiltinScheduleName>(
  name: TName,
  keys: readonly string[],
  build: (read: ParamReader) => Schedule<ScheduleConfig<TName>>,
): Builtin<TName> {
  return {
    // A known-good definition: no need for defineSchedule's plugin checks (which a bundle of one factory would carry).
    definition: { name, create: (params, context) => build(new ParamReader(params, context, keys)) },
    create: (options) => build(new ParamReader(options, factoryContext(name), keys)),
  };
}

/**
 * The registry definition of a built-in, through a call bundlers know to be pure: a plain
 * `builtin.definition` property read at module level would keep every built-in in a bundle that
 * imports one factory. @internal
 */
/* @__NO_SIDE_EFFECTS__ */
export function definitionOf(builtin: Builtin<BuiltinScheduleName>): ScheduleDefinition {
  return builtin.definition;
}

/** Outside `fromJSON` there is no registry, so nested values must already be schedules. */
function factoryContext(path: string): ScheduleContext {
  return {
    path,
    build(value, key) {
      if (isScheduleLike(value)) return value;
      throw invalidSchedule(`${path}.${key}`, `expected a schedule (an object with at() and toJSON()), got ${show(value)}; build configs with fromJSON`);
    },
  };
}
