import { errorCode } from '@quant-trim/test-utils';
import { describe, expect, it } from 'vitest';
import { packInt4, unpackInt4 } from '../../src/index.js';

describe('int4 packing (ONNX nibble layout)', () => {
  it('puts element 2i in the low nibble and 2i+1 in the high nibble', () => {
    // ONNX spec example: [1, -2, 7] → 0xE1 (low 1, high -2 = 0b1110), 0x07
    expect(Array.from(packInt4([1, -2, 7]))).toEqual([0xe1, 0x07]);
    expect(Array.from(packInt4([15, 0, 3, 12], { signed: false }))).toEqual([0x0f, 0xc3]);
  });

  it('round-trips every code, odd and even lengths', () => {
    const signed = Array.from({ length: 33 }, (_, i) => (i % 16) - 8);
    expect(Array.from(unpackInt4(packInt4(signed), 33))).toEqual(signed);
    const unsigned = Array.from({ length: 32 }, (_, i) => i % 16);
    expect(Array.from(unpackInt4(packInt4(unsigned, { signed: false }), 32, { signed: false }))).toEqual(unsigned);
  });

  it('rejects codes outside the 4-bit range and short buffers', () => {
    expect(errorCode(() => packInt4([8]))).toBe('QT_VALUE_OUT_OF_RANGE');
    expect(errorCode(() => packInt4([-1], { signed: false }))).toBe('QT_VALUE_OUT_OF_RANGE');
    expect(errorCode(() => packInt4([0.5]))).toBe('QT_VALUE_OUT_OF_RANGE');
    expect(errorCode(() => unpackInt4(new Uint8Array(1), 3))).toBe('QT_SHAPE_MISMATCH');
  });
});
