import type { RoundingMode } from '../scheme.js';

/** @internal 1.5 · 2^52: adding and subtracting it rounds a double half-to-even (for |v| < 2^51). */
export const RNE_MAGIC = 6755399441055744;

/**
 * Rounds `v` to an integer with the tie rule `mode`. Exact for every float32 input; the
 * half-even path is exact for |v| < 2^51 (callers clamp to the integer range first).
 */
export function roundWith(mode: RoundingMode, v: number): number {
  switch (mode) {
    case 'half-even':
      return v + RNE_MAGIC - RNE_MAGIC;
    // `+ 0` turns −0 into +0, so fake-quantized zeros match dequantize(quantize(x)).
    case 'half-away':
      return v < 0 ? -Math.floor(-v + 0.5) + 0 : Math.floor(v + 0.5);
    case 'half-up':
      return Math.floor(v + 0.5) + 0;
    case 'floor':
      return Math.floor(v) + 0;
  }
}

/** Round half to even for any finite double (no clamping required). */
export function roundHalfEven(v: number): number {
  if (Math.abs(v) >= 2 ** 51) return v;
  return v + RNE_MAGIC - RNE_MAGIC;
}
