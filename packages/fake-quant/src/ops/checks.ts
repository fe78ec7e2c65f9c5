import * as tf from '../tf.js';
import type { QuantScheme } from '@quant-trim/quant-grid';
import { ROUNDING_MODES } from '@quant-trim/quant-grid';
import { QuantTrimError } from '@quant-trim/errors';
import type { ErrorCode } from '@quant-trim/errors';

/** @internal What a value is, for messages. */
export function describe(value: unknown): string {
  if (value === null) return 'null';
  if (value instanceof tf.Tensor) return `a ${value.dtype} tensor of shape [${value.shape.join(', ')}]`;
  if (typeof value !== 'object') return typeof value === 'number' ? String(value) : typeof value;
  return (value as object).constructor?.name ?? 'object';
}

/** @internal Throws a coded error whose message names the argument and the function. */
export function fail(code: ErrorCode, fn: string, arg: string, message: string): never {
  throw new QuantTrimError({ code, message: `argument \`${arg}\` of \`${fn}\`: ${message}`, details: { argument: arg, function: fn } });
}

/** @internal A live tensor (not disposed), with dtype float32. */
export function checkFloat32Tensor(fn: string, arg: string, value: unknown, code: ErrorCode = 'QT_INVALID_ARGUMENT'): asserts value is tf.Tensor {
  if (!(value instanceof tf.Tensor)) fail(code, fn, arg, `expected a float32 tf.Tensor, got ${describe(value)}`);
  if (value.isDisposed) fail(code, fn, arg, 'the tensor is disposed');
  if (value.dtype !== 'float32') fail(code, fn, arg, `expected float32, got ${value.dtype}`);
}

/** @internal A scheme from quant-grid's `createScheme` (only the fields the ops read are checked). */
export function checkScheme(fn: string, scheme: unknown): asserts scheme is QuantScheme {
  const s = scheme as Partial<QuantScheme> | null;
  const ok =
    typeof s === 'object' &&
    s !== null &&
    Number.isInteger(s.qmin) &&
    Number.isInteger(s.qmax) &&
    s.qmin! < s.qmax! &&
    ROUNDING_MODES.includes(s.rounding!) &&
    typeof s.granularity === 'object' &&
    s.granularity !== null &&
    typeof s.symmetric === 'boolean';
  if (!ok) fail('QT_INVALID_ARGUMENT', fn, 'scheme', `expected a scheme from createScheme(), got ${describe(scheme)}`);
}

export function shapeString(shape: readonly number[]): string {
  return `[${shape.join(', ')}]`;
}
