import { NamedRegistry } from '@quant-trim/internal';
import type { ScheduleDefinition } from './defineSchedule.js';
import { registerBuiltinSchedules } from './registerBuiltinSchedules.js';

/**
 * A registry of schedule definitions, with the project-wide rules: registering the same
 * definition twice does nothing, a different one under a taken name throws `QT_DUPLICATE_NAME`
 * unless `{ override: true }`, and an unknown name throws `QT_UNKNOWN_SCHEDULE` listing the
 * registered names.
 */
export type ScheduleRegistryInstance = NamedRegistry<ScheduleDefinition>;

export interface CreateScheduleRegistryOptions {
  /** Register the built-in schedules (default `true`). */
  builtins?: boolean;
}

/**
 * Creates an isolated registry, for tests or for a host that must not see plugins other code
 * registered on `defaultScheduleRegistry`.
 *
 * @example
 * const registry = createScheduleRegistry();
 * registry.register(sineWave);
 * fromJSON({ type: 'sineWave', period: 100 }, registry);
 */
export function createScheduleRegistry(options: CreateScheduleRegistryOptions = {}): ScheduleRegistryInstance {
  const registry = new NamedRegistry<ScheduleDefinition>('schedule', 'QT_UNKNOWN_SCHEDULE');
  if (options.builtins !== false) registerBuiltinSchedules(registry);
  return registry;
}

/**
 * The registry `fromJSON` uses when none is given, holding the built-ins. It is an ordinary
 * instance exported by this module, never a process global.
 */
export const defaultScheduleRegistry: ScheduleRegistryInstance = /* @__PURE__ */ createScheduleRegistry();
