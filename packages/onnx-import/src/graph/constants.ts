import type { OnnxTensor } from '@quant-trim/onnx-export';

/**
 * A tensor known at import time: an initializer, a `Constant`, or the folded result of a chain of
 * shape ops (Shape → Gather → Unsqueeze → Concat…). Floats stay float32; integers and booleans are
 * plain numbers (int64 shapes fit easily).
 */
export interface ConstTensor {
  dims: number[];
  kind: 'float' | 'int';
  data: Float32Array | number[];
}

/** ONNX TensorProto element types this importer reads. */
const FLOAT = 1;
const DOUBLE = 11;
const FLOAT_TYPES = new Set([FLOAT, DOUBLE]);
/** UINT8, INT8, UINT16, INT16, INT32, INT64, BOOL, UINT32, UINT64. */
const INT_TYPES = new Set([2, 3, 4, 5, 6, 7, 9, 12, 13]);

/** An ONNX tensor as a `ConstTensor`, or undefined for element types the importer cannot use (float16, strings…). */
export function fromOnnxTensor(t: OnnxTensor): ConstTensor | undefined {
  if (FLOAT_TYPES.has(t.dataType)) return { dims: [...t.dims], kind: 'float', data: Float32Array.from(t.data as Float32Array | Float64Array) };
  if (INT_TYPES.has(t.dataType)) return { dims: [...t.dims], kind: 'int', data: Array.from(t.data as ArrayLike<number | bigint>, Number) };
  return undefined;
}

export const sizeOf = (dims: readonly number[]): number => dims.reduce((a, b) => a * b, 1);

/** Float32 values of a constant (integers converted). */
export function floats(t: ConstTensor): Float32Array {
  return t.data instanceof Float32Array ? t.data : Float32Array.from(t.data);
}

/** Plain numbers of a constant. */
export function numbers(t: ConstTensor): number[] {
  return Array.from(t.data);
}
