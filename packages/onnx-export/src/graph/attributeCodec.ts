import { QuantTrimError } from '@quant-trim/errors';
import { onnx, toSafeInt } from './onnxProto.js';
import type { proto } from './onnxProto.js';
import { checkTensor, decodeTensor, encodeTensor } from './tensorCodec.js';
import type { OnnxAttribute } from './types.js';

const { AttributeType } = onnx.AttributeProto;
const utf8 = new TextDecoder('utf-8', { fatal: true });
const utf8Encoder = new TextEncoder();

function decodeUtf8(bytes: Uint8Array | null | undefined): string | undefined {
  try {
    return utf8.decode(bytes ?? new Uint8Array(0));
  } catch {
    return undefined;
  }
}

function safeInts(values: readonly (number | Long)[] | null | undefined): number[] | undefined {
  const out: number[] = [];
  for (const v of values ?? []) {
    const n = toSafeInt(v);
    if (n === undefined) return undefined;
    out.push(n);
  }
  return out;
}

/**
 * AttributeProto → OnnxAttribute. Kinds the graph API reads become typed values; anything that
 * would not survive that conversion exactly is kept as the encoded message (`type: 'raw'`).
 */
export function decodeAttribute(p: proto.AttributeProto, where: string): OnnxAttribute {
  const raw = (): OnnxAttribute => ({ type: 'raw', raw: onnx.AttributeProto.encode(p).finish() });
  if (p.refAttrName || p.docString) return raw();
  switch (p.type) {
    case AttributeType.FLOAT:
      return { type: 'float', value: p.f };
    case AttributeType.INT: {
      const value = toSafeInt(p.i);
      return value === undefined ? raw() : { type: 'int', value };
    }
    case AttributeType.STRING: {
      const value = decodeUtf8(p.s);
      return value === undefined ? raw() : { type: 'string', value };
    }
    case AttributeType.TENSOR:
      return p.t ? { type: 'tensor', value: decodeTensor(p.t, `${where}, attribute '${p.name}'`) } : raw();
    case AttributeType.FLOATS:
      return { type: 'floats', value: [...p.floats] };
    case AttributeType.INTS: {
      const value = safeInts(p.ints);
      return value === undefined ? raw() : { type: 'ints', value };
    }
    case AttributeType.STRINGS: {
      const value = p.strings.map(decodeUtf8);
      return value.every((s) => s !== undefined) ? { type: 'strings', value: value as string[] } : raw();
    }
    default:
      return raw();
  }
}

/** OnnxAttribute → AttributeProto named `name`; `where` names the node in error messages. */
export function encodeAttribute(name: string, a: OnnxAttribute, where: string): proto.IAttributeProto {
  switch (a.type) {
    case 'float':
      return { name, type: AttributeType.FLOAT, f: a.value };
    case 'int':
      return { name, type: AttributeType.INT, i: a.value };
    case 'string':
      return { name, type: AttributeType.STRING, s: utf8Encoder.encode(a.value) };
    case 'tensor':
      checkTensor(a.value, `${where}, attribute '${name}'`);
      return { name, type: AttributeType.TENSOR, t: encodeTensor(a.value) };
    case 'floats':
      return { name, type: AttributeType.FLOATS, floats: a.value };
    case 'ints':
      return { name, type: AttributeType.INTS, ints: a.value };
    case 'strings':
      return { name, type: AttributeType.STRINGS, strings: a.value.map((s) => utf8Encoder.encode(s)) };
    case 'raw':
      try {
        return { ...onnx.AttributeProto.toObject(onnx.AttributeProto.decode(a.raw)), name };
      } catch (cause) {
        throw new QuantTrimError({ code: 'QT_INVALID_ARGUMENT', message: `${where}, attribute '${name}': raw bytes are not an AttributeProto`, cause });
      }
    default:
      throw new QuantTrimError({
        code: 'QT_INVALID_ARGUMENT',
        message: `${where}, attribute '${name}': unknown attribute type ${String((a as { type: unknown }).type)}`,
      });
  }
}
