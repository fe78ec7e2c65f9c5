import { QuantTrimError } from '@quant-trim/errors';
import type { QuantScheme } from '../scheme.js';
import { type IntegerArray, checkFloat32 } from './checks.js';
import { layoutFor } from './checkQParams.js';
import type { QParams } from './computeQParams.js';
import { forEachRun } from './layout.js';
import { RNE_MAGIC, roundWith } from './round.js';

/** The narrowest standard typed array that holds every code of `scheme`. */
export function storageArrayFor(scheme: QuantScheme, length: number): IntegerArray {
  if (scheme.bits <= 8) return scheme.signed ? new Int8Array(length) : new Uint8Array(length);
  return scheme.signed ? new Int16Array(length) : new Uint16Array(length);
}

/**
 * Integer codes q = clamp(R(fround(x / s)) + z, qmin, qmax). NaN maps to qmin (ONNX Runtime does the same).
 * Returns the narrowest fitting typed array (Int8Array for signed ≤ 8 bits, Uint16Array for
 * unsigned 9–16 bits, ...) unless `out` is given.
 *
 * @example
 * const s = createScheme({ bits: 4 });
 * quantize(new Float32Array([0.5, -1]), [2], { scale: new Float32Array([1 / 7]), zeroPoint: new Int32Array([0]), shape: [] }, s);
 * // Int8Array [4, -7]  (3.5 rounds half-to-even to 4)
 */
export function quantize(x: Float32Array, shape: readonly number[], qparams: QParams, scheme: QuantScheme, out?: IntegerArray): IntegerArray {
  checkFloat32('quantize', 'x', x);
  const layout = layoutFor('quantize', x.length, shape, qparams, scheme);
  const result = out ?? storageArrayFor(scheme, x.length);
  if (result.length !== x.length) {
    throw new QuantTrimError({ code: 'QT_INVALID_ARGUMENT', message: `argument \`out\` of \`quantize\`: expected length ${x.length}, got ${result.length}` });
  }
  const { qmin, qmax, rounding } = scheme;
  const { scale, zeroPoint } = qparams;
  const fround = Math.fround;
  forEachRun(layout, (offset, stride, length, p) => {
    const s = scale[p]!;
    const z = zeroPoint[p]!;
    const lo = qmin - z;
    const hi = qmax - z;
    const end = offset + length * stride;
    if (rounding === 'half-even') {
      for (let i = offset; i < end; i += stride) {
        let v = fround(x[i]! / s);
        v = v > lo ? (v > hi ? hi : v) : lo; // NaN → qmin, like ONNX Runtime
        result[i] = v + RNE_MAGIC - RNE_MAGIC + z;
      }
      return;
    }
    for (let i = offset; i < end; i += stride) {
      let v = fround(x[i]! / s);
      v = v > lo ? (v > hi ? hi : v) : lo;
      result[i] = roundWith(rounding, v) + z;
    }
  });
  return result;
}
