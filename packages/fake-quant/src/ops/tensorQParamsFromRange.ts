import * as tf from '../tf.js';
import { pow2Ceil } from '@quant-trim/quant-grid';
import type { QuantScheme } from '@quant-trim/quant-grid';
import type { TensorQParams } from '../types.js';
import { checkFloat32Tensor, checkScheme, fail, shapeString } from './checks.js';
import { clampCode } from './roundTensor.js';

/**
 * The smallest power of two p ≥ the exact scale, where `s` is that scale rounded to float32 and
 * `above(p)` tells, exactly, whether the exact scale exceeds p. `2^ceil(log2 s)` may be off by
 * one near powers of two (float32 logarithm), so it is corrected both ways against `s`; when `s`
 * itself is a power of two, the exact scale may still lie just above it.
 */
function pow2CeilTensor(s: tf.Tensor, above: (p: tf.Tensor) => tf.Tensor): tf.Tensor {
  let p = tf.pow(2, tf.ceil(tf.div(tf.log(s), Math.LN2)));
  const half = tf.mul(p, 0.5);
  p = tf.where(tf.greaterEqual(half, s), half, p);
  p = tf.where(tf.less(p, s), tf.mul(p, 2), p);
  return tf.where(tf.logicalAnd(tf.equal(p, s), above(p)), tf.mul(p, 2), p);
}

/** Whether the exact hi − lo exceeds the float32 `a`: hi − lo = d + err exactly (TwoSum), d its float32 rounding. */
function differenceExceeds(hi: tf.Tensor, lo: tf.Tensor, a: tf.Tensor): tf.Tensor {
  const d = tf.sub(hi, lo);
  const bv = tf.sub(d, hi);
  const err = tf.add(tf.sub(hi, tf.sub(d, bv)), tf.sub(tf.neg(lo), bv));
  return tf.logicalOr(tf.greater(d, a), tf.logicalAnd(tf.equal(d, a), tf.greater(err, 0)));
}

/**
 * Scale and zero point from ranges, on the device: quant-grid's `qparamsForRange` in float32
 * tensor ops, a handful of small element-wise ops on tensors of the parameters' shape, never
 * read back. `min` and `max` have one shape (as `tensorRanges` gives them); the result has it too.
 *
 * 1. The range is widened to include 0.
 * 2. Symmetric: s = max(−lo, hi) / qmax (unsigned: hi / qmax), z = 0.
 *    Asymmetric: s = (hi − lo) / (qmax − qmin), z = clamp(round_half_even(qmin − lo / s), qmin, qmax).
 * 3. s ≥ minScale (taken as float32; a NaN range gives minScale); `pow2` rounds s up to 2^e
 *    exactly, as quant-grid's `pow2Ceil` does on the exact scale.
 *
 * Device parameters are float32-computed: symmetric and pow2 scales equal quant-grid's bit for
 * bit; an asymmetric scale can differ by 1 ulp (hi − lo is rounded to float32 first), and the
 * zero point is computed from the device scale in float32, so it can differ by one from
 * quant-grid's when qmin − lo/s lies within float32 rounding of a .5 tie (rare: about 1 in 10^5
 * random int8 ranges, 1 in 10^3 at 16 bits). An infinite range gives an infinite scale (quant-grid
 * throws). Schemes with a plugin `qparamsRule` cannot run here.
 *
 * @example
 * const { min, max } = tensorRanges(w, scheme.granularity);
 * const qparams = tensorQParamsFromRange(min, max, scheme); // feed to fakeQuantize
 */
export function tensorQParamsFromRange(min: tf.Tensor, max: tf.Tensor, scheme: QuantScheme): TensorQParams {
  const fn = 'tensorQParamsFromRange';
  checkFloat32Tensor(fn, 'min', min);
  checkFloat32Tensor(fn, 'max', max);
  if (min.rank !== max.rank || min.shape.some((d, i) => d !== max.shape[i])) {
    fail('QT_SHAPE_MISMATCH', fn, 'max', `expected the shape of \`min\` ${shapeString(min.shape)}, got ${shapeString(max.shape)}`);
  }
  checkScheme(fn, scheme);
  if (scheme.qparamsRule !== undefined) {
    fail(
      'QT_INVALID_ARGUMENT',
      fn,
      'scheme',
      `scheme ${JSON.stringify(scheme.name ?? '')} has a plugin qparamsRule, which runs on the host only; compute its qparams with quant-grid's computeQParams and pass them to fakeQuantize`,
    );
  }
  const { qmin, qmax, symmetric, signed } = scheme;
  const minScale = Math.fround(scheme.minScale);
  return tf.tidy(() => {
    const lo = tf.minimum(min, 0);
    const hi = tf.maximum(max, 0);
    const top = symmetric ? (signed ? tf.maximum(tf.neg(lo), hi) : hi) : null;
    const span = qmax - (symmetric ? 0 : qmin);
    let scale = top !== null ? tf.div(top, span) : tf.div(tf.sub(hi, lo), span);
    // `!(s >= minScale)` as quant-grid writes it, so a NaN range takes minScale too.
    scale = tf.where(tf.greaterEqual(scale, minScale), scale, minScale);
    if (scheme.scaleConstraint === 'pow2') {
      const above = (p: tf.Tensor) => (top !== null ? tf.greater(top, tf.mul(p, span)) : differenceExceeds(hi, lo, tf.mul(p, span)));
      scale = tf.maximum(pow2CeilTensor(scale, above), pow2Ceil(scheme.minScale));
    }
    // `+ 0` turns a rounded −0 into +0.
    const zeroPoint = symmetric ? tf.zerosLike(scale) : clampCode(tf.add(tf.round(tf.sub(qmin, tf.div(lo, scale))), 0), qmin, qmax);
    return { scale, zeroPoint };
  });
}
