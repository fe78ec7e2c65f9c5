import onnxProto from 'onnx-proto';

/**
 * The onnx-proto namespace. The package is CommonJS, so ESM code default-imports it; a named
 * import fails at run time. Only `readOnnx` and `writeOnnx` touch protobuf objects.
 */
export const { onnx } = onnxProto;

/** The protobuf message types (`proto.ITensorProto`, …), for annotations only. */
export type { onnx as proto } from 'onnx-proto';

/** An int64 as protobufjs decodes it: a `Long` (with the long package) or a plain number. */
export type Int64 = number | Long;

/** An int64 as a JS number, or undefined when it is not a safe integer. */
export function toSafeInt(value: Int64 | null | undefined): number | undefined {
  if (value === null || value === undefined) return 0;
  const n = typeof value === 'number' ? value : value.toNumber();
  return Number.isSafeInteger(n) ? n : undefined;
}

/** An int64 as a bigint, two's complement when `signed`, else unsigned. */
export function toBigInt(value: Int64, signed: boolean): bigint {
  const v = typeof value === 'number' ? BigInt(value) : (BigInt(value.high >>> 0) << 32n) | BigInt(value.low >>> 0);
  return signed ? BigInt.asIntN(64, v) : BigInt.asUintN(64, v);
}
