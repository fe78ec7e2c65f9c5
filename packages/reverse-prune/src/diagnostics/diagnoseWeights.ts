import { computeQParams, computeRanges, createScheme, fakeQuantize } from '@quant-trim/quant-grid';
import { QuantTrimError } from '@quant-trim/errors';
import { checkData } from '../trim/checkTrimOptions.js';

/** Quantization MSE of one grid, before and (given the trimmed weight) after trimming. */
export interface QuantMse {
  /** mean((q(w) − w)²) over all weights. */
  readonly before: number;
  /** mean((q(t) − t)²) over all weights of the trimmed t. */
  readonly after?: number;
  /** The same over the bulk only (weights the trim left unchanged): what trimming is for. */
  readonly bulkBefore?: number;
  readonly bulkAfter?: number;
}

/** Diagnostics of one weight (JSON-safe; `null` where a ratio is undefined). */
export interface WeightDiagnostics {
  /** max|w| / quantile(|w|, 0.99) over the whole tensor; 1 for all-zero weights, null if only the quantile is 0. */
  readonly scaleInflation: number | null;
  /** Pearson kurtosis m4 / m2² (3 for a Gaussian; not the excess); null for constant weights. */
  readonly kurtosis: number | null;
  /** Share of weights the trim changed (given `trimmed`). */
  readonly shareTrimmed?: number;
  /** The same two statistics of the trimmed weight (given `trimmed`). */
  readonly after?: { readonly scaleInflation: number | null; readonly kurtosis: number | null };
  /** Symmetric per-channel grids on `channelAxis`: int8 [−128, 127] and int4 [−8, 7]. */
  readonly mse: { readonly int8: QuantMse; readonly int4: QuantMse };
}

/** max|w| over the (⌊0.01·n⌋ + 1)-th largest |w| (the trim quantile definition with p = 1 %). */
function scaleInflation(w: Float32Array): number | null {
  const n = w.length;
  if (n === 0) return 1;
  const abs = Float64Array.from(w, Math.abs).sort();
  const max = abs[n - 1]!;
  const q = abs[n - 1 - Math.floor(0.01 * n)]!;
  if (q === 0) return max === 0 ? 1 : null;
  return max / q;
}

function kurtosis(w: Float32Array): number | null {
  const n = w.length;
  let mean = 0;
  for (let i = 0; i < n; i++) mean += w[i]!;
  mean /= n;
  let m2 = 0;
  let m4 = 0;
  for (let i = 0; i < n; i++) {
    const d = (w[i]! - mean) ** 2;
    m2 += d;
    m4 += d * d;
  }
  m2 /= n;
  m4 /= n;
  return m2 > 0 ? m4 / (m2 * m2) : null;
}

function quantError(w: Float32Array, shape: readonly number[], bits: number, axis: number): Float64Array {
  const scheme = createScheme({ bits, granularity: { kind: 'per-channel', axis } });
  const q = fakeQuantize(w, shape, computeQParams(computeRanges(w, shape, scheme.granularity), scheme), scheme);
  const err = new Float64Array(w.length);
  for (let i = 0; i < w.length; i++) err[i] = (q[i]! - w[i]!) ** 2;
  return err;
}

const mean = (err: Float64Array, keep?: Uint8Array): number => {
  let s = 0;
  let n = 0;
  for (let i = 0; i < err.length; i++) {
    if (keep === undefined || keep[i] === 1) {
      s += err[i]!;
      n++;
    }
  }
  return n === 0 ? 0 : s / n;
};

/**
 * Why a weight is hard to quantize, and what trimming changed: the scale-inflation factor
 * (how far the largest weight stretches the grid past the 99th percentile), kurtosis (tail
 * weight) and the int8 / int4 per-channel quantization MSE, before and after trimming.
 *
 * @example
 * const { values } = trimTypedArray(w, shape, { criterion: { kind: 'quantile', p: 0.005 }, granularity: { kind: 'per-channel', axis: -1 } });
 * const d = diagnoseWeights(w, shape, { channelAxis: -1, trimmed: values });
 * console.log(d.scaleInflation, d.after?.scaleInflation, d.mse.int8.bulkBefore, d.mse.int8.bulkAfter);
 */
export function diagnoseWeights(w: Float32Array, shape: readonly number[], options: { channelAxis?: number; trimmed?: Float32Array } = {}): WeightDiagnostics {
  checkData(w, shape, 'diagnoseWeights');
  const axis = options.channelAxis ?? -1;
  if (!Number.isInteger(axis) || axis < -shape.length || axis >= shape.length) {
    throw new QuantTrimError({
      code: 'QT_INVALID_GRANULARITY',
      message: `argument \`options.channelAxis\` of \`diagnoseWeights\`: expected an integer axis of shape [${shape.join(', ')}], got ${axis}`,
    });
  }
  const t = options.trimmed;
  if (t !== undefined) checkData(t, shape, 'diagnoseWeights', 'options.trimmed');
  const bulk = t === undefined ? undefined : Uint8Array.from(w, (v, i) => (v === t[i] ? 1 : 0));
  const mse = (bits: number): QuantMse => {
    const before = quantError(w, shape, bits, axis);
    if (t === undefined || bulk === undefined) return { before: mean(before) };
    const after = quantError(t, shape, bits, axis);
    return { before: mean(before), after: mean(after), bulkBefore: mean(before, bulk), bulkAfter: mean(after, bulk) };
  };
  const base = { scaleInflation: scaleInflation(w), kurtosis: kurtosis(w), mse: { int8: mse(8), int4: mse(4) } };
  if (t === undefined || bulk === undefined) return base;
  const changed = bulk.reduce((a, b) => a + (1 - b), 0);
  return { ...base, shareTrimmed: w.length === 0 ? 0 : changed / w.length, after: { scaleInflation: scaleInflation(t), kurtosis: kurtosis(t) } };
}
