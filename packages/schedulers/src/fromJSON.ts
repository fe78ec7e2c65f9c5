import { QuantTrimError, isQuantTrimError } from '@quant-trim/errors';
import type { ScheduleContext, ScheduleDefinition, ScheduleEvaluator } from './defineSchedule.js';
import { defaultScheduleRegistry } from './createScheduleRegistry.js';
import type { ScheduleRegistryInstance } from './createScheduleRegistry.js';
import { isMadeSchedule, isScheduleLike, makeSchedule } from './internal/makeSchedule.js';
import { invalidSchedule, show } from './internal/ParamReader.js';
import type { Schedule, ScheduleConfig } from './types.js';

/**
 * Rebuilds a schedule from its JSON through a registry, nested schedules included. Because a
 * schedule is a pure function of the step, this JSON plus the current step is all a checkpoint
 * needs to resume it.
 *
 * Errors name the field by its dotted path from the root schedule's type
 * (`warmup.schedule.end: expected a finite number, got "1"`), with code `QT_INVALID_SCHEDULE`;
 * an unknown `type` throws `QT_UNKNOWN_SCHEDULE` listing the registered names.
 *
 * @example
 * const saved = JSON.stringify(warmup({ schedule: cosine({ start: 0.1, steps: 1000 }), steps: 100 }));
 * const lr = fromJSON(JSON.parse(saved));
 * lr.at(500); // the same value as before the round trip
 */
export function fromJSON(json: ScheduleConfig, registry: ScheduleRegistryInstance = defaultScheduleRegistry): Schedule {
  return build(json, registry, undefined);
}

function build(json: unknown, registry: ScheduleRegistryInstance, path: string | undefined): Schedule {
  const type = typeof json === 'object' && json !== null && !Array.isArray(json) ? (json as { type?: unknown }).type : undefined;
  if (typeof type !== 'string' || type.length === 0) {
    throw invalidSchedule(path ?? 'schedule', `expected a schedule config (an object with a string \`type\`), got ${show(json)}`);
  }
  const definition = lookup(registry, type, path);
  const { type: _type, ...params } = json as Record<string, unknown>;
  const context: ScheduleContext = {
    path: path ?? type,
    build: (value, key) => (isScheduleLike(value) ? value : build(value, registry, `${context.path}.${key}`)),
  };
  const problem = definition.validate?.(params);
  if (typeof problem === 'string') {
    throw new QuantTrimError({ code: 'QT_INVALID_SCHEDULE', message: `${context.path}.${problem}`, details: { path: context.path } });
  }
  const evaluator = definition.create(params, context);
  return isMadeSchedule(evaluator) ? evaluator : pluginSchedule(type, params, evaluator);
}

function lookup(registry: ScheduleRegistryInstance, type: string, path: string | undefined): ScheduleDefinition {
  try {
    return registry.get(type);
  } catch (error) {
    if (!isQuantTrimError(error)) throw error;
    throw new QuantTrimError({
      code: error.code,
      message: `${path ?? 'schedule'}.type: ${error.message}`,
      cause: error,
      ...(error.details ? { details: error.details } : {}),
    });
  }
}

/** Wraps a plugin's evaluator: its JSON is the params it was built from, its outputs are checked. */
function pluginSchedule(type: string, params: Record<string, unknown>, evaluator: ScheduleEvaluator): Schedule {
  if (typeof evaluator !== 'object' || evaluator === null || typeof evaluator.at !== 'function') {
    throw new QuantTrimError({
      code: 'QT_INVALID_PLUGIN',
      message: `schedule "${type}": create() must return an object with an at(step) method, got ${show(evaluator)}`,
    });
  }
  // Stringified once: nested schedules serialise through their toJSON, and later edits to the
  // caller's params object cannot change this schedule.
  const text = JSON.stringify({ type, ...params });
  return makeSchedule<ScheduleConfig>(
    type as ScheduleConfig['type'],
    () => JSON.parse(text) as ScheduleConfig,
    (step) => {
      const value = evaluator.at(step);
      if (typeof value !== 'number' || !Number.isFinite(value)) {
        throw new QuantTrimError({
          code: 'QT_INVALID_PLUGIN',
          message: `schedule "${type}": at(${step}) returned ${show(value)}; expected a finite number`,
        });
      }
      return value;
    },
  );
}
