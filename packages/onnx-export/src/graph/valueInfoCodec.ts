import { QuantTrimError } from '@quant-trim/errors';
import { onnx, toSafeInt } from './onnxProto.js';
import type { proto } from './onnxProto.js';
import type { ValueInfo } from './types.js';

const hasOwn = (o: object, key: string) => Object.hasOwn(o, key);

/** ValueInfoProto → ValueInfo. Tensor types become elemType/shape; other types stay encoded in `rawType`. */
export function decodeValueInfo(p: proto.ValueInfoProto): ValueInfo {
  const v: ValueInfo = { name: p.name };
  if (p.docString) v.docString = p.docString;
  const type = p.type;
  if (!type) return v;
  const tensor = type.tensorType;
  if (!tensor || type.sequenceType || type.mapType || type.optionalType || type.sparseTensorType) {
    v.rawType = onnx.TypeProto.encode(type).finish();
    return v;
  }
  if (tensor.elemType) v.elemType = tensor.elemType;
  if (tensor.shape) {
    v.shape = (tensor.shape.dim ?? []).map((d) => {
      if (hasOwn(d, 'dimValue')) return toSafeInt(d.dimValue) ?? null;
      if (hasOwn(d, 'dimParam') && d.dimParam) return d.dimParam;
      return null;
    });
  }
  return v;
}

/** ValueInfo → ValueInfoProto; a ValueInfo with neither elemType, shape nor rawType gets no type. */
export function encodeValueInfo(v: ValueInfo): proto.IValueInfoProto {
  const out: proto.IValueInfoProto = { name: v.name };
  if (v.docString) out.docString = v.docString;
  if (v.rawType) {
    try {
      out.type = onnx.TypeProto.toObject(onnx.TypeProto.decode(v.rawType));
    } catch (cause) {
      throw new QuantTrimError({ code: 'QT_INVALID_ARGUMENT', message: `value info '${v.name}': rawType is not a TypeProto`, cause });
    }
  } else if (v.elemType !== undefined || v.shape !== undefined) {
    const tensorType: proto.TypeProto.ITensor = {};
    if (v.elemType !== undefined) tensorType.elemType = v.elemType;
    if (v.shape !== undefined) {
      tensorType.shape = { dim: v.shape.map((d) => (typeof d === 'number' ? { dimValue: d } : typeof d === 'string' ? { dimParam: d } : {})) };
    }
    out.type = { tensorType };
  }
  return out;
}
