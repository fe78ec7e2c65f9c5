import { QuantTrimError } from '@quant-trim/errors';

export interface Int4Options {
  /** INT4 (two's complement, [-8, 7]) or UINT4 ([0, 15]). Default true. */
  signed?: boolean;
}

/**
 * Packs 4-bit codes two per byte in ONNX's INT4/UINT4 layout: element 2i in the low nibble of
 * byte i, element 2i+1 in the high nibble; an odd count leaves the last high nibble 0.
 *
 * @example
 * packInt4([1, -2, 7]); // Uint8Array [0xe1, 0x07]
 */
export function packInt4(values: ArrayLike<number>, options: Int4Options = {}): Uint8Array {
  const signed = options.signed ?? true;
  const lo = signed ? -8 : 0;
  const hi = signed ? 7 : 15;
  const out = new Uint8Array(Math.ceil(values.length / 2));
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    if (!Number.isInteger(v) || v < lo || v > hi) {
      throw new QuantTrimError({
        code: 'QT_VALUE_OUT_OF_RANGE',
        message: `argument \`values\` of \`packInt4\`: values[${i}] = ${v} is outside [${lo}, ${hi}] (${signed ? 'INT4' : 'UINT4'})`,
      });
    }
    const nibble = v & 0x0f;
    out[i >> 1] = out[i >> 1]! | (i & 1 ? nibble << 4 : nibble);
  }
  return out;
}

/**
 * Unpacks `length` 4-bit codes from ONNX nibble-packed bytes (inverse of `packInt4`).
 * Returns Int8Array for INT4 and Uint8Array for UINT4.
 */
export function unpackInt4(bytes: Uint8Array, length: number, options: Int4Options = {}): Int8Array | Uint8Array {
  const signed = options.signed ?? true;
  if (!(bytes instanceof Uint8Array)) {
    throw new QuantTrimError({ code: 'QT_INVALID_ARGUMENT', message: 'argument `bytes` of `unpackInt4`: expected a Uint8Array' });
  }
  if (!Number.isInteger(length) || length < 0 || Math.ceil(length / 2) > bytes.length) {
    throw new QuantTrimError({
      code: 'QT_SHAPE_MISMATCH',
      message: `argument \`length\` of \`unpackInt4\`: ${length} codes need ${Math.ceil(length / 2)} bytes, got ${bytes.length}`,
    });
  }
  const out = signed ? new Int8Array(length) : new Uint8Array(length);
  for (let i = 0; i < length; i++) {
    const byte = bytes[i >> 1]!;
    const nibble = i & 1 ? byte >> 4 : byte & 0x0f;
    out[i] = signed && nibble > 7 ? nibble - 16 : nibble;
  }
  return out;
}
