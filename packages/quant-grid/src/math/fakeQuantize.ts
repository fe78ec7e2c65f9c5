import { QuantTrimError } from '@quant-trim/errors';
import type { QuantScheme, RoundingMode } from '../scheme.js';
import { simdKernels } from '../wasm/simdKernels.js';
import { checkFloat32 } from './checks.js';
import { layoutFor } from './checkQParams.js';
import type { QParams } from './computeQParams.js';
import { forEachRun } from './layout.js';
import { RNE_MAGIC, roundWith } from './round.js';

/** Runs at least this long go through the SIMD kernel; shorter ones are not worth the copy. */
const SIMD_MIN_RUN = 64;

/**
 * Scalar fake quantization of one run: out = fround((clamp(R(fround(x/s)), lo, hi)) · s) with
 * lo = qmin − z, hi = qmax − z. Clamping before rounding equals clamping the code afterwards
 * because the bounds are integers. NaN takes the code qmin, as in ONNX Runtime's QuantizeLinear.
 */
function scalarRun(
  x: Float32Array,
  out: Float32Array,
  offset: number,
  stride: number,
  length: number,
  s: number,
  lo: number,
  hi: number,
  mode: RoundingMode,
): void {
  const fround = Math.fround;
  const end = offset + length * stride;
  if (mode === 'half-even') {
    for (let i = offset; i < end; i += stride) {
      let v = fround(x[i]! / s);
      v = v > lo ? (v > hi ? hi : v) : lo;
      out[i] = (v + RNE_MAGIC - RNE_MAGIC) * s;
    }
    return;
  }
  for (let i = offset; i < end; i += stride) {
    let v = fround(x[i]! / s);
    v = v > lo ? (v > hi ? hi : v) : lo;
    out[i] = roundWith(mode, v) * s;
  }
}

/** A contiguous run: SIMD for the bulk when available, scalar for the rest. */
function contiguousRun(x: Float32Array, out: Float32Array, offset: number, length: number, s: number, lo: number, hi: number, mode: RoundingMode): void {
  const simd = length >= SIMD_MIN_RUN ? simdKernels() : null;
  const tail = simd === null ? length : simd.fakeQuantize(x, out, offset, length, s, lo, hi, mode);
  if (tail > 0) scalarRun(x, out, offset + length - tail, 1, tail, s, lo, hi, mode);
}

/** Per-channel over the last axis (NHWC activations, tfjs kernels): the channel cycles every element. */
function channelsLast(
  x: Float32Array,
  out: Float32Array,
  dim: number,
  scale: Float32Array,
  zeroPoint: Int32Array,
  qmin: number,
  qmax: number,
  mode: RoundingMode,
): void {
  const lo = new Float64Array(dim);
  const hi = new Float64Array(dim);
  for (let k = 0; k < dim; k++) {
    lo[k] = qmin - zeroPoint[k]!;
    hi[k] = qmax - zeroPoint[k]!;
  }
  const fround = Math.fround;
  const n = x.length;
  for (let base = 0; base < n; base += dim) {
    for (let k = 0; k < dim; k++) {
      const s = scale[k]!;
      const l = lo[k]!;
      const h = hi[k]!;
      let v = fround(x[base + k]! / s);
      v = v > l ? (v > h ? h : v) : l;
      out[base + k] = (mode === 'half-even' ? v + RNE_MAGIC - RNE_MAGIC : roundWith(mode, v)) * s;
    }
  }
}

/**
 * Quantize then dequantize in one pass: the float32 value each element takes on the integer grid.
 * Bit-exact with ONNX Runtime's QuantizeLinear → DequantizeLinear for half-even schemes, and with
 * `dequantize(quantize(x))` for every rounding rule. Uses WebAssembly SIMD where available (see
 * `configureKernels`); the result is the same bits either way.
 *
 * @param out optional destination (may be `x` itself for in-place).
 * @example
 * const s = createScheme({ bits: 8 });
 * const x = new Float32Array([0.1, -0.52, 1]);
 * const y = fakeQuantize(x, [3], computeQParams(computeRanges(x, [3]), s), s);
 */
export function fakeQuantize(x: Float32Array, shape: readonly number[], qparams: QParams, scheme: QuantScheme, out?: Float32Array): Float32Array {
  checkFloat32('fakeQuantize', 'x', x);
  const layout = layoutFor('fakeQuantize', x.length, shape, qparams, scheme);
  const result = out ?? new Float32Array(x.length);
  if (!(result instanceof Float32Array) || result.length !== x.length) {
    throw new QuantTrimError({ code: 'QT_INVALID_ARGUMENT', message: `argument \`out\` of \`fakeQuantize\`: expected a Float32Array of length ${x.length}` });
  }
  const { qmin, qmax, rounding } = scheme;
  const { scale, zeroPoint } = qparams;
  if (layout.kind === 'per-tensor') {
    const z = zeroPoint[0]!;
    contiguousRun(x, result, 0, x.length, scale[0]!, qmin - z, qmax - z, rounding);
  } else if (layout.kind === 'per-channel' && layout.inner >= SIMD_MIN_RUN) {
    forEachRun(layout, (offset, _stride, length, p) => {
      const z = zeroPoint[p]!;
      contiguousRun(x, result, offset, length, scale[p]!, qmin - z, qmax - z, rounding);
    });
  } else if (layout.kind === 'per-channel' && layout.inner === 1) {
    channelsLast(x, result, layout.dim, scale, zeroPoint, qmin, qmax, rounding);
  } else if (layout.kind === 'per-channel') {
    // Short runs: nested loops, one call per run.
    const { outer, dim, inner } = layout;
    let offset = 0;
    for (let o = 0; o < outer; o++) {
      for (let k = 0; k < dim; k++, offset += inner) {
        const z = zeroPoint[k]!;
        scalarRun(x, result, offset, 1, inner, scale[k]!, qmin - z, qmax - z, rounding);
      }
    }
  } else {
    forEachRun(layout, (offset, stride, length, p) => {
      const z = zeroPoint[p]!;
      scalarRun(x, result, offset, stride, length, scale[p]!, qmin - z, qmax - z, rounding);
    });
  }
  return result;
}
