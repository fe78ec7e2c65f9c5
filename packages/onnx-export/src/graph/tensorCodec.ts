import { QuantTrimError } from '@quant-trim/errors';
import { toBigInt, toSafeInt } from './onnxProto.js';
import type { proto } from './onnxProto.js';
import { TensorDataType, elementCount, matchesStorage, packNibbles, storageFor, unpackNibbles } from './tensorDataType.js';
import type { OnnxTensor, OnnxTensorData } from './types.js';

const DATA_LOCATION_EXTERNAL = 1;

/**
 * TensorProto → OnnxTensor. Reads raw_data (little-endian, nibble-packed for 4-bit types) or the
 * typed field ONNX assigns to the type. Sizes are checked against the dims before anything is
 * allocated, so a corrupt dims field cannot request a huge buffer.
 */
export function decodeTensor(p: proto.ITensorProto, where: string): OnnxTensor {
  const name = p.name ?? '';
  const fail = (problem: string) => new QuantTrimError({ code: 'QT_ONNX_DECODE', message: `${where}: tensor '${name}' ${problem}`, details: { tensor: name } });
  const dataType = p.dataType ?? 0;
  if (p.dataLocation === DATA_LOCATION_EXTERNAL || (p.externalData?.length ?? 0) > 0) {
    throw fail('keeps its data in an external file (data_location EXTERNAL); readOnnx takes self-contained bytes, so inline the weights first');
  }
  if (p.segment) throw fail('is segmented (TensorProto.segment), which is not supported');
  const info = storageFor(dataType);
  if (info === undefined)
    throw fail(dataType === TensorDataType.STRING ? 'is a STRING tensor, which is not supported' : `has unsupported data type ${dataType}`);
  const dims: number[] = [];
  for (const d of p.dims ?? []) {
    const n = toSafeInt(d);
    if (n === undefined || n < 0) throw fail(`has an invalid dimension ${String(d)}`);
    dims.push(n);
  }
  const count = elementCount(dims);
  if (count < 0) throw fail(`has dims [${dims.join(', ')}] whose element count overflows`);
  const length = count * info.lanes;
  const base = { name, dataType, dims, ...(p.docString ? { docString: p.docString } : {}) };
  const raw = p.rawData;
  if (raw && raw.length > 0) {
    const expected = info.packed4 ? Math.ceil(count / 2) : length * info.ctor.BYTES_PER_ELEMENT;
    if (raw.length !== expected) throw fail(`has ${raw.length} bytes of raw_data, expected ${expected} for dims [${dims.join(', ')}]`);
    if (info.packed4) return { ...base, data: unpackNibbles(raw, count, dataType === TensorDataType.INT4) };
    const copy = new Uint8Array(raw.length);
    copy.set(raw);
    return { ...base, data: new info.ctor(copy.buffer) };
  }
  const field = p[info.field] ?? [];
  const expected = info.packed4 ? Math.ceil(count / 2) : length;
  if (field.length !== expected) {
    throw fail(`has ${field.length} values in ${info.field} and no raw_data, expected ${expected} for dims [${dims.join(', ')}]`);
  }
  return { ...base, data: fromField(field, dataType, count) };
}

function fromField(values: readonly (number | Long)[], dataType: number, count: number): OnnxTensorData {
  const info = storageFor(dataType)!;
  if (info.packed4) return unpackNibbles(values.map(Number), count, dataType === TensorDataType.INT4);
  if (info.ctor === BigInt64Array || info.ctor === BigUint64Array) {
    const signed = info.ctor === BigInt64Array;
    const out = signed ? new BigInt64Array(values.length) : new BigUint64Array(values.length);
    for (let i = 0; i < values.length; i++) out[i] = toBigInt(values[i]!, signed);
    return out;
  }
  const out = new info.ctor(values.length);
  for (let i = 0; i < values.length; i++) out[i] = Number(values[i]!);
  return out;
}

/**
 * Checks a tensor built by a caller: known type, storage matching `dataType`, data length
 * matching `dims`, 4-bit codes in range. `where` names the argument in the message.
 */
export function checkTensor(t: OnnxTensor, where: string): void {
  const fail = (problem: string) => new QuantTrimError({ code: 'QT_INVALID_ARGUMENT', message: `${where}: tensor '${String(t.name)}' ${problem}` });
  const info = storageFor(t.dataType);
  if (info === undefined) throw fail(`has unsupported data type ${t.dataType}`);
  if (!matchesStorage(t.dataType, t.data))
    throw fail(`of data type ${t.dataType} must hold a ${info.ctor.name}, got ${t.data?.constructor?.name ?? typeof t.data}`);
  const count = elementCount(t.dims);
  if (count < 0) throw fail(`has invalid dims [${t.dims.join(', ')}]`);
  if (t.data.length !== count * info.lanes) throw fail(`has ${t.data.length} values, dims [${t.dims.join(', ')}] need ${count * info.lanes}`);
  if (info.packed4) {
    const [lo, hi] = t.dataType === TensorDataType.INT4 ? [-8, 7] : [0, 15];
    const bad = (t.data as Int8Array | Uint8Array).findIndex((v) => v < lo || v > hi);
    if (bad >= 0) throw fail(`has code ${t.data[bad]} at ${bad}, outside [${lo}, ${hi}]`);
  }
}

/** OnnxTensor → TensorProto with little-endian raw_data (4-bit types nibble-packed). Assumes `checkTensor` passed. */
export function encodeTensor(t: OnnxTensor): proto.ITensorProto {
  const info = storageFor(t.dataType)!;
  const rawData = info.packed4 ? packNibbles(t.data as Int8Array | Uint8Array) : new Uint8Array(t.data.buffer, t.data.byteOffset, t.data.byteLength);
  return { dims: t.dims, dataType: t.dataType, name: t.name, rawData, ...(t.docString ? { docString: t.docString } : {}) };
}
