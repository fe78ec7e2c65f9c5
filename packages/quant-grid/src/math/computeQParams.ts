import { QuantTrimError } from '@quant-trim/errors';
import type { QuantScheme } from '../scheme.js';
import { roundHalfEven } from './round.js';

/**
 * Scales and zero points, one pair per parameter group. `shape` is the parameter tensor's shape:
 * [] per-tensor, [C] per-channel, the data's rank with `ceil(dim/groupSize)` at the axis per-group
 * (ONNX QuantizeLinear / DequantizeLinear layout).
 */
export interface QParams {
  readonly scale: Float32Array;
  readonly zeroPoint: Int32Array;
  readonly shape: readonly number[];
}

/** A range to turn into parameters: numbers for per-tensor, arrays (with their shape) otherwise. */
export interface RangeInput {
  readonly min: number | ArrayLike<number>;
  readonly max: number | ArrayLike<number>;
  /** Parameter shape; defaults to [] for numbers and [n] for arrays. */
  readonly shape?: readonly number[];
}

/** Round a positive scale up to the next power of two (so nothing that fitted before clips). */
export function pow2Ceil(scale: number): number {
  let e = Math.ceil(Math.log2(scale));
  // log2 may be off by one ulp near exact powers; correct both ways.
  if (2 ** (e - 1) >= scale) e -= 1;
  if (2 ** e < scale) e += 1;
  return 2 ** e;
}

/**
 * Scale and zero point for one range (docs/backends.md#range-to-scale-and-zero-point), computed in double and stored as float32:
 * 1. the range is widened to include 0, so 0 is exactly representable;
 * 2. symmetric: s = max(|lo|, |hi|) / qmax (unsigned symmetric: s = hi / qmax), z = 0;
 *    asymmetric: s = (hi − lo)/(qmax − qmin), z = clamp(round_half_even(qmin − lo/s), qmin, qmax);
 * 3. s ≥ `minScale` (constant tensors never divide by zero); `pow2` rounds s up to 2^e, and the
 *    zero point is recomputed from the final float32 scale.
 */
export function qparamsForRange(lo: number, hi: number, scheme: QuantScheme): { scale: number; zeroPoint: number } {
  if (Number.isNaN(lo) || Number.isNaN(hi)) {
    throw new QuantTrimError({ code: 'QT_INVALID_QPARAMS', message: `range: expected numbers, got [${lo}, ${hi}]` });
  }
  if (lo > hi) {
    throw new QuantTrimError({ code: 'QT_INVALID_QPARAMS', message: `range: min ${lo} is greater than max ${hi}` });
  }
  const { qmin, qmax, minScale } = scheme;
  lo = Math.min(lo, 0);
  hi = Math.max(hi, 0);
  let scale: number;
  if (scheme.symmetric) {
    scale = (scheme.signed ? Math.max(-lo, hi) : hi) / qmax;
  } else {
    scale = (hi - lo) / (qmax - qmin);
  }
  if (!Number.isFinite(scale)) {
    throw new QuantTrimError({ code: 'QT_INVALID_QPARAMS', message: `range: [${lo}, ${hi}] gives a non-finite scale` });
  }
  if (!(scale >= minScale)) scale = minScale;
  if (scheme.scaleConstraint === 'pow2') scale = pow2Ceil(scale);
  scale = Math.fround(scale);
  if (scale === 0 || !Number.isFinite(scale)) {
    throw new QuantTrimError({ code: 'QT_INVALID_QPARAMS', message: `range: [${lo}, ${hi}] gives scale ${scale} after float32 rounding` });
  }
  if (scheme.symmetric) return { scale, zeroPoint: 0 };
  const z = roundHalfEven(qmin - lo / scale);
  return { scale, zeroPoint: Math.min(qmax, Math.max(qmin, z)) };
}

function toArray(value: number | ArrayLike<number>, name: string): ArrayLike<number> {
  if (typeof value === 'number') return [value];
  if (value === null || typeof value !== 'object' || typeof (value as ArrayLike<number>).length !== 'number') {
    throw new QuantTrimError({
      code: 'QT_INVALID_ARGUMENT',
      message: `argument \`range.${name}\` of \`computeQParams\`: expected a number or an array of numbers`,
    });
  }
  return value;
}

/**
 * Turns ranges into quantization parameters for `scheme`.
 *
 * @example
 * const s = createScheme({ bits: 8, signed: false, symmetric: false });
 * computeQParams({ min: -1, max: 3 }, s); // scale 4/255, zeroPoint 64
 */
export function computeQParams(range: RangeInput, scheme: QuantScheme): QParams {
  const min = toArray(range.min, 'min');
  const max = toArray(range.max, 'max');
  if (min.length !== max.length) {
    throw new QuantTrimError({
      code: 'QT_SHAPE_MISMATCH',
      message: `argument \`range\` of \`computeQParams\`: min has ${min.length} values but max has ${max.length}`,
    });
  }
  const shape = range.shape ?? (typeof range.min === 'number' ? [] : [min.length]);
  const expected = shape.reduce((a, b) => a * b, 1);
  if (expected !== min.length) {
    throw new QuantTrimError({
      code: 'QT_SHAPE_MISMATCH',
      message: `argument \`range.shape\` of \`computeQParams\`: [${shape.join(', ')}] holds ${expected} values but the range has ${min.length}`,
    });
  }
  const scale = new Float32Array(min.length);
  const zeroPoint = new Int32Array(min.length);
  const rule = scheme.qparamsRule ?? qparamsForRange;
  for (let i = 0; i < min.length; i++) {
    const p = rule(min[i]!, max[i]!, scheme);
    scale[i] = p.scale;
    zeroPoint[i] = p.zeroPoint;
  }
  return { scale, zeroPoint, shape: [...shape] };
}
