import { QuantTrimError } from '@quant-trim/errors';
import { constant, fromJSON } from '@quant-trim/schedulers';
import type { Schedule, ScheduleConfig } from '@quant-trim/schedulers';
import { checkSparsity, describe } from './magnitudeMask.js';
import type { MagnitudePruningOptions, MagnitudeScope } from './types.js';

/** @internal `createMagnitudePruning`'s options, checked, with defaults filled in. */
export interface MagnitudeConfig {
  readonly sparsity: Schedule;
  readonly scope: MagnitudeScope;
  readonly refreshEvery: number;
  readonly startStep: number;
  readonly endStep: number;
}

const KNOWN = new Set(['sparsity', 'scope', 'refreshEvery', 'startStep', 'endStep']);

/** @internal Validates `createMagnitudePruning`'s options at the boundary, naming the bad field. */
export function readMagnitudeOptions(options: MagnitudePruningOptions): MagnitudeConfig {
  if (typeof options !== 'object' || options === null) fail('options', `expected an object, got ${describe(options)}`);
  const unknown = Object.keys(options).filter((key) => !KNOWN.has(key));
  if (unknown.length > 0) fail(`options.${unknown[0]!}`, `unknown option (known: ${[...KNOWN].join(', ')})`);
  const scope = options.scope ?? 'local';
  if (scope !== 'local' && scope !== 'global') fail('options.scope', `expected 'local' or 'global', got ${describe(scope)}`);
  const refreshEvery = options.refreshEvery ?? 100;
  if (!Number.isInteger(refreshEvery) || refreshEvery < 1) fail('options.refreshEvery', `expected an integer ≥ 1, got ${describe(refreshEvery)}`);
  const startStep = options.startStep ?? 0;
  if (typeof startStep !== 'number' || !Number.isFinite(startStep) || startStep < 0)
    fail('options.startStep', `expected a finite number ≥ 0, got ${describe(startStep)}`);
  const endStep = options.endStep ?? Infinity;
  if (typeof endStep !== 'number' || Number.isNaN(endStep) || endStep < startStep)
    fail('options.endStep', `expected a number ≥ startStep (${startStep}), got ${describe(endStep)}`);
  return { sparsity: toSparsitySchedule(options.sparsity), scope, refreshEvery, startStep, endStep };
}

function toSparsitySchedule(value: Schedule | ScheduleConfig | number): Schedule {
  if (typeof value === 'number') {
    checkSparsity(value, () => 'argument `options.sparsity` of `createMagnitudePruning`', 'QT_INVALID_ARGUMENT');
    return constant({ value });
  }
  if (typeof value === 'object' && value !== null) {
    if (typeof (value as Partial<Schedule>).at === 'function') return value as Schedule;
    // fromJSON throws QT_INVALID_SCHEDULE / QT_UNKNOWN_SCHEDULE naming the bad field.
    if (typeof (value as { type?: unknown }).type === 'string') return fromJSON(value as ScheduleConfig);
  }
  return fail('options.sparsity', `expected a number in [0, 1], a schedule or a schedule config, got ${describe(value)}`);
}

function fail(field: string, problem: string): never {
  throw new QuantTrimError({ code: 'QT_INVALID_ARGUMENT', message: `argument \`${field}\` of \`createMagnitudePruning\`: ${problem}` });
}
