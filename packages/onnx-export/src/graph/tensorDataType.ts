import type { OnnxTensorData } from './types.js';

/**
 * ONNX `TensorProto.DataType` numbers. onnx-proto 8.0.1 only knows the ONNX 1.10 schema (up to
 * BFLOAT16 = 16), so the newer float8 and 4-bit types are listed here by number.
 *
 * @example
 * const zeroPoint: OnnxTensor = { name: 'zp', dataType: TensorDataType.INT4, dims: [], data: new Int8Array([0]) };
 */
export const TensorDataType = {
  UNDEFINED: 0,
  FLOAT: 1,
  UINT8: 2,
  INT8: 3,
  UINT16: 4,
  INT16: 5,
  INT32: 6,
  INT64: 7,
  STRING: 8,
  BOOL: 9,
  FLOAT16: 10,
  DOUBLE: 11,
  UINT32: 12,
  UINT64: 13,
  COMPLEX64: 14,
  COMPLEX128: 15,
  BFLOAT16: 16,
  FLOAT8E4M3FN: 17,
  FLOAT8E4M3FNUZ: 18,
  FLOAT8E5M2: 19,
  FLOAT8E5M2FNUZ: 20,
  UINT4: 21,
  INT4: 22,
} as const;

type TypedArrayCtor =
  | Float32ArrayConstructor
  | Float64ArrayConstructor
  | Int8ArrayConstructor
  | Uint8ArrayConstructor
  | Int16ArrayConstructor
  | Uint16ArrayConstructor
  | Int32ArrayConstructor
  | Uint32ArrayConstructor
  | BigInt64ArrayConstructor
  | BigUint64ArrayConstructor;

/** How one element type is stored in memory (`ctor`) and in a TensorProto's typed fields. */
export interface StorageInfo {
  ctor: TypedArrayCtor;
  /** Array elements per tensor element: 2 for complex types. */
  lanes: number;
  /** Nibble-packed in raw_data / int32_data (INT4, UINT4). */
  packed4: boolean;
  /** The typed field a writer without raw_data would use. */
  field: 'floatData' | 'int32Data' | 'int64Data' | 'doubleData' | 'uint64Data';
}

const T = TensorDataType;
const STORAGE: Record<number, StorageInfo> = {
  [T.FLOAT]: { ctor: Float32Array, lanes: 1, packed4: false, field: 'floatData' },
  [T.UINT8]: { ctor: Uint8Array, lanes: 1, packed4: false, field: 'int32Data' },
  [T.INT8]: { ctor: Int8Array, lanes: 1, packed4: false, field: 'int32Data' },
  [T.UINT16]: { ctor: Uint16Array, lanes: 1, packed4: false, field: 'int32Data' },
  [T.INT16]: { ctor: Int16Array, lanes: 1, packed4: false, field: 'int32Data' },
  [T.INT32]: { ctor: Int32Array, lanes: 1, packed4: false, field: 'int32Data' },
  [T.INT64]: { ctor: BigInt64Array, lanes: 1, packed4: false, field: 'int64Data' },
  [T.BOOL]: { ctor: Uint8Array, lanes: 1, packed4: false, field: 'int32Data' },
  [T.FLOAT16]: { ctor: Uint16Array, lanes: 1, packed4: false, field: 'int32Data' },
  [T.DOUBLE]: { ctor: Float64Array, lanes: 1, packed4: false, field: 'doubleData' },
  [T.UINT32]: { ctor: Uint32Array, lanes: 1, packed4: false, field: 'uint64Data' },
  [T.UINT64]: { ctor: BigUint64Array, lanes: 1, packed4: false, field: 'uint64Data' },
  [T.COMPLEX64]: { ctor: Float32Array, lanes: 2, packed4: false, field: 'floatData' },
  [T.COMPLEX128]: { ctor: Float64Array, lanes: 2, packed4: false, field: 'doubleData' },
  [T.BFLOAT16]: { ctor: Uint16Array, lanes: 1, packed4: false, field: 'int32Data' },
  [T.FLOAT8E4M3FN]: { ctor: Uint8Array, lanes: 1, packed4: false, field: 'int32Data' },
  [T.FLOAT8E4M3FNUZ]: { ctor: Uint8Array, lanes: 1, packed4: false, field: 'int32Data' },
  [T.FLOAT8E5M2]: { ctor: Uint8Array, lanes: 1, packed4: false, field: 'int32Data' },
  [T.FLOAT8E5M2FNUZ]: { ctor: Uint8Array, lanes: 1, packed4: false, field: 'int32Data' },
  [T.UINT4]: { ctor: Uint8Array, lanes: 1, packed4: true, field: 'int32Data' },
  [T.INT4]: { ctor: Int8Array, lanes: 1, packed4: true, field: 'int32Data' },
};

/** Storage for a data type, or undefined for types this package cannot hold (STRING, unknown numbers). */
export function storageFor(dataType: number): StorageInfo | undefined {
  return STORAGE[dataType];
}

/** Whether `data` is the typed array `dataType` is stored in. */
export function matchesStorage(dataType: number, data: OnnxTensorData): boolean {
  const info = STORAGE[dataType];
  return info !== undefined && data instanceof info.ctor;
}

/** Number of elements a shape holds, or -1 when a dim is not a non-negative safe integer or the product overflows. */
export function elementCount(dims: readonly number[]): number {
  let n = 1;
  for (const d of dims) {
    if (!Number.isSafeInteger(d) || d < 0) return -1;
    n *= d;
    if (!Number.isSafeInteger(n)) return -1;
  }
  return n;
}

/** Packs 4-bit codes two per byte (ONNX layout: element 2i in the low nibble of byte i). */
export function packNibbles(codes: ArrayLike<number>): Uint8Array {
  const out = new Uint8Array(Math.ceil(codes.length / 2));
  for (let i = 0; i < codes.length; i++) out[i >> 1] = out[i >> 1]! | ((codes[i]! & 0x0f) << (i & 1 ? 4 : 0));
  return out;
}

/** Unpacks `count` 4-bit codes (sign-extended when `signed`) from nibble-packed bytes. */
export function unpackNibbles(bytes: ArrayLike<number>, count: number, signed: boolean): Int8Array | Uint8Array {
  const out = signed ? new Int8Array(count) : new Uint8Array(count);
  for (let i = 0; i < count; i++) {
    const nibble = (bytes[i >> 1]! >> (i & 1 ? 4 : 0)) & 0x0f;
    out[i] = signed && nibble > 7 ? nibble - 16 : nibble;
  }
  return out;
}
