import type { ErrorCode } from './codes.js';

/** A brand shared by every copy of this class, so the guard works across duplicated installs. */
const BRAND = Symbol.for('@quant-trim/error');

export interface QuantTrimErrorOptions {
  code: ErrorCode;
  message?: string;
  cause?: unknown;
  /** Structured context for tools (the argument, file, field or name that caused the error). */
  details?: Record<string, unknown>;
}

/**
 * The one base class of every error Quant-Trim throws. Branch on `code`, never on the message.
 *
 * @example
 * try { createScheme({ bits: 17 }) }
 * catch (e) { if (isQuantTrimError(e, 'QT_INVALID_BIT_WIDTH')) console.error(e.message) }
 */
export class QuantTrimError extends Error {
  readonly code: ErrorCode;
  readonly details: Record<string, unknown> | undefined;

  constructor(options: QuantTrimErrorOptions) {
    super(options.message ?? options.code, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'QuantTrimError';
    this.code = options.code;
    this.details = options.details;
    Object.defineProperty(this, BRAND, { value: true });
  }
}

/**
 * True when `error` is a Quant-Trim error (of `code`, if given). Checks a brand rather than
 * `instanceof`, because npm workspaces easily end up with two copies of this class.
 */
export function isQuantTrimError(error: unknown, code?: ErrorCode): error is QuantTrimError {
  if (typeof error !== 'object' || error === null) return false;
  const branded = (error as Record<symbol, unknown>)[BRAND] === true || (error as Error).name === 'QuantTrimError';
  if (!branded || typeof (error as QuantTrimError).code !== 'string') return false;
  return code === undefined || (error as QuantTrimError).code === code;
}

/** Throws a coded error; the message is built only when the check fails. */
export function assert(condition: unknown, code: ErrorCode, message: () => string, details?: Record<string, unknown>): asserts condition {
  if (!condition) throw new QuantTrimError({ code, message: message(), ...(details ? { details } : {}) });
}

/**
 * Throws the error of a value that is not what a field or argument takes:
 * `<path>: expected <expected>, got <got as JSON>`, code `QT_INVALID_ARGUMENT` unless given, and
 * `details` (default `{ field: path }`) naming what caused it.
 *
 * @example
 * if (!(p > 0 && p < 1)) failExpected('observer.tailTrim.pMax', 'a number in (0, 1)', p);
 * // QT_INVALID_ARGUMENT: observer.tailTrim.pMax: expected a number in (0, 1), got 2
 */
export function failExpected(
  path: string,
  expected: string,
  got: unknown,
  details: Record<string, unknown> = { field: path },
  code: ErrorCode = 'QT_INVALID_ARGUMENT',
): never {
  throw new QuantTrimError({ code, message: `${path}: expected ${expected}, got ${JSON.stringify(got) ?? String(got)}`, details });
}
