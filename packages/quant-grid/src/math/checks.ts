import { QuantTrimError } from '@quant-trim/errors';

function typeName(value: unknown): string {
  if (value === null) return 'null';
  if (typeof value !== 'object') return typeof value;
  return (value as object).constructor?.name ?? 'object';
}

/** Data arguments are float32: the grid math is defined (and bit-exact with ONNX Runtime) in float32. */
export function checkFloat32(fn: string, arg: string, value: unknown): asserts value is Float32Array {
  if (!(value instanceof Float32Array)) {
    throw new QuantTrimError({ code: 'QT_INVALID_ARGUMENT', message: `argument \`${arg}\` of \`${fn}\`: expected a Float32Array, got ${typeName(value)}` });
  }
}

export type IntegerArray = Int8Array | Uint8Array | Int16Array | Uint16Array | Int32Array;

export function checkInteger(fn: string, arg: string, value: unknown): asserts value is IntegerArray {
  if (
    !(value instanceof Int8Array || value instanceof Uint8Array || value instanceof Int16Array || value instanceof Uint16Array || value instanceof Int32Array)
  ) {
    throw new QuantTrimError({
      code: 'QT_INVALID_ARGUMENT',
      message: `argument \`${arg}\` of \`${fn}\`: expected an Int8Array, Uint8Array, Int16Array, Uint16Array or Int32Array, got ${typeName(value)}`,
    });
  }
}
