import { QuantTrimError } from '@quant-trim/errors';

/** Field readers shared by the profile validator. Each throws `QT_INVALID_PROFILE` naming the dotted path. */

export type Obj = Record<string, unknown>;

export function fail(path: string, message: string): never {
  throw new QuantTrimError({ code: 'QT_INVALID_PROFILE', message: `${path}: ${message}`, details: { field: path } });
}

export function show(value: unknown): string {
  if (value === undefined) return 'undefined';
  if (typeof value === 'number' && !Number.isFinite(value)) return String(value);
  return JSON.stringify(value) ?? String(value);
}

export function isObject(value: unknown): value is Obj {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function object(value: unknown, path: string, allowed: readonly string[]): Obj {
  if (!isObject(value)) fail(path, `expected an object, got ${show(value)}`);
  for (const key of Object.keys(value)) {
    if (!allowed.includes(key)) fail(`${path}.${key}`, `unknown field; expected one of ${allowed.join(', ')}`);
  }
  return value;
}

export function string(value: unknown, path: string, pattern?: RegExp): string {
  if (typeof value !== 'string' || value.length === 0) fail(path, `expected a non-empty string, got ${show(value)}`);
  if (pattern !== undefined && !pattern.test(value)) fail(path, `expected a string matching ${pattern}, got ${show(value)}`);
  return value;
}

export function boolean(value: unknown, path: string): boolean {
  if (typeof value !== 'boolean') fail(path, `expected a boolean, got ${show(value)}`);
  return value;
}

export function oneOf<const T extends string>(value: unknown, path: string, choices: readonly T[]): T {
  if (!choices.includes(value as T)) fail(path, `expected ${choices.map((c) => `'${c}'`).join(' | ')}, got ${show(value)}`);
  return value as T;
}

export function finite(value: unknown, path: string, check?: { positive?: boolean; min?: number }): number {
  if (typeof value !== 'number' || !Number.isFinite(value)) fail(path, `expected a finite number, got ${show(value)}`);
  if (check?.positive === true && !(value > 0)) fail(path, `expected a positive number, got ${show(value)}`);
  if (check?.min !== undefined && value < check.min) fail(path, `expected a number ≥ ${check.min}, got ${show(value)}`);
  return value;
}

export function integer(value: unknown, path: string, min: number, max: number): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    fail(path, `expected an integer in ${min}..${max}, got ${show(value)}`);
  }
  return value;
}

/** An integer from a fixed list; the message reads "expected 4, 8 or 16, got 7". */
export function integerIn(value: unknown, path: string, choices: readonly number[]): number {
  if (typeof value !== 'number' || !choices.includes(value)) {
    const list = choices.length === 1 ? String(choices[0]) : `${choices.slice(0, -1).join(', ')} or ${choices.at(-1)}`;
    fail(path, `expected ${list}, got ${show(value)}`);
  }
  return value;
}

export function array(value: unknown, path: string, options: { nonEmpty?: boolean } = {}): unknown[] {
  if (!Array.isArray(value)) fail(path, `expected an array, got ${show(value)}`);
  if (options.nonEmpty === true && value.length === 0) fail(path, 'expected a non-empty array');
  return value;
}

/** ONNX op types are PascalCase identifiers (`Conv`, `GlobalAveragePool`). */
export const OP_TYPE = /^[A-Z][A-Za-z0-9]*$/;

export function opList(value: unknown, path: string, options: { nonEmpty?: boolean } = {}): string[] {
  const ops = array(value, path, options).map((op, i) => string(op, `${path}.${i}`, OP_TYPE));
  const seen = new Set<string>();
  ops.forEach((op, i) => {
    if (seen.has(op)) fail(`${path}.${i}`, `duplicate op ${show(op)}`);
    seen.add(op);
  });
  return ops;
}

/** Only JSON values (no functions, NaN, undefined, class instances) so profiles round-trip. */
export function jsonValue(value: unknown, path: string): unknown {
  if (value === null || typeof value === 'string' || typeof value === 'boolean') return value;
  if (typeof value === 'number') return finite(value, path);
  if (Array.isArray(value)) return value.map((v, i) => jsonValue(v, `${path}.${i}`));
  if (isObject(value) && Object.getPrototypeOf(value) === Object.prototype) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, jsonValue(v, `${path}.${k}`)]));
  }
  return fail(path, `expected a JSON value, got ${typeof value}`);
}

export function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    for (const child of Object.values(value)) deepFreeze(child);
    Object.freeze(value);
  }
  return value;
}
