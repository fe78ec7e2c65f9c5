import { QuantTrimError } from '@quant-trim/errors';
import type { ScheduleContext } from '../defineSchedule.js';
import type { Schedule } from '../types.js';

/** Bounds a number must respect; each failure is reported with the bound in the message. */
export interface NumberRule {
  /** Inclusive lower bound. */
  min?: number;
  /** Exclusive lower bound. */
  above?: number;
  /** Inclusive upper bound. */
  max?: number;
  /** Used when the field is absent (`undefined`). */
  fallback?: number;
}

/**
 * Reads the params of a built-in schedule from options or JSON, which are untrusted alike.
 * Every failure is a `QT_INVALID_SCHEDULE` error whose message starts with the field's dotted
 * path (`warmup.schedule.end: expected a finite number, got "1"`), and unknown fields are
 * rejected so a typo in a config never falls back to a default silently.
 *
 * @internal
 * @example
 * const read = new ParamReader({ value: 2 }, context, ['value']);
 * read.number('value'); // 2
 */
export class ParamReader {
  readonly #params: Readonly<Record<string, unknown>>;

  constructor(
    params: unknown,
    readonly context: ScheduleContext,
    keys: readonly string[],
  ) {
    if (typeof params !== 'object' || params === null || Array.isArray(params)) {
      throw invalidSchedule(context.path, `expected an object, got ${show(params)}`);
    }
    this.#params = params as Record<string, unknown>;
    for (const key of Object.keys(this.#params)) {
      if (key !== 'type' && !keys.includes(key)) this.fail(key, `unknown field; expected one of ${keys.join(', ')}`);
    }
  }

  /** Throws the coded error for `key` (a field, or a dotted path below it such as `milestones.2`). */
  fail(key: string, message: string): never {
    throw invalidSchedule(`${this.context.path}.${key}`, message);
  }

  has(key: string): boolean {
    return this.#params[key] !== undefined;
  }

  number(key: string, rule: NumberRule = {}): number {
    const value = this.#params[key];
    return this.check(key, value === undefined ? rule.fallback : value, rule);
  }

  /** Checks a number found at `key`, which may point inside an array (`milestones.2`). */
  check(key: string, value: unknown, rule: NumberRule = {}): number {
    if (typeof value !== 'number' || !Number.isFinite(value)) this.fail(key, `expected a finite number, got ${show(value)}`);
    if (rule.min !== undefined && value < rule.min) this.fail(key, `must be ≥ ${rule.min}, got ${value}`);
    if (rule.above !== undefined && value <= rule.above) this.fail(key, `must be > ${rule.above}, got ${value}`);
    if (rule.max !== undefined && value > rule.max) this.fail(key, `must be ≤ ${rule.max}, got ${value}`);
    return value;
  }

  oneOf<TValue extends string>(key: string, values: readonly TValue[], fallback: TValue): TValue {
    const value = this.#params[key] === undefined ? fallback : this.#params[key];
    if (!values.includes(value as TValue)) {
      this.fail(key, `expected ${values.map((v) => JSON.stringify(v)).join(' or ')}, got ${show(value)}`);
    }
    return value as TValue;
  }

  array(key: string, minLength = 0): readonly unknown[] {
    const value = this.#params[key];
    if (!Array.isArray(value)) this.fail(key, `expected an array, got ${show(value)}`);
    if (value.length < minLength) this.fail(key, `expected at least ${minLength} item${minLength === 1 ? '' : 's'}, got ${value.length}`);
    return value;
  }

  /** A nested schedule: built from its config, or taken as is when already a schedule. */
  schedule(key: string): Schedule {
    return this.context.build(this.#params[key], key);
  }

  schedules(key: string): Schedule[] {
    return this.array(key, 1).map((value, i) => this.context.build(value, `${key}.${i}`));
  }
}

/** The error for an invalid config field at `path`. @internal */
export function invalidSchedule(path: string, message: string): QuantTrimError {
  return new QuantTrimError({ code: 'QT_INVALID_SCHEDULE', message: `${path}: ${message}`, details: { path } });
}

/** A short, readable description of a value for error messages. @internal */
export function show(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value);
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'object') return 'an object';
  return String(value);
}
