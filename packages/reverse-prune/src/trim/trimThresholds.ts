import { checkCriterion, checkData, checkGranularity } from './checkTrimOptions.js';
import { groupElements } from './groupElements.js';
import type { TrimCriterion, TrimGranularity } from './types.js';

/** Thresholds τ per group, in quant-grid's parameter order. */
export interface TrimThresholds {
  readonly thresholds: Float64Array;
  /** Shape of the parameter tensor: [] per-tensor, [C] per-channel, ONNX blocked layout per-group. */
  readonly shape: readonly number[];
}

/**
 * τ of one group from its |w| values, float32-exact for the order-statistic criteria (the value
 * is one of the data, scaled by `ratio` in float32 like the tfjs implementation).
 */
export function groupThreshold(abs: Float64Array, values: ArrayLike<number>, criterion: TrimCriterion): number {
  const n = abs.length;
  if (n === 0) return 0;
  if (criterion.kind === 'sigma') {
    let mean = 0;
    for (let i = 0; i < n; i++) mean += values[i]!;
    mean /= n;
    let m2 = 0;
    for (let i = 0; i < n; i++) m2 += (values[i]! - mean) ** 2;
    return criterion.k * Math.sqrt(m2 / n);
  }
  const sorted = abs.slice().sort((a, b) => b - a); // descending
  if (criterion.kind === 'quantile') {
    const { lo, hi, frac } = quantilePosition(criterion.p, n);
    const aLo = sorted[n - 1 - lo]!;
    const aHi = sorted[n - 1 - hi]!;
    return Math.fround(aLo + Math.fround(Math.fround(frac) * Math.fround(aHi - aLo)));
  }
  return Math.fround(Math.fround(criterion.ratio) * sorted[Math.floor(n / 2)]!);
}

/**
 * Where the (1 − p) quantile of n sorted values lies, with linear interpolation (numpy's default):
 * position (1 − p)·(n − 1) between ascending order statistics `lo` and `hi`. With distinct values
 * this trims ⌈p·(n − 1)⌉ values, so even a small channel gives up its largest weight, clamped
 * gently toward the next one, as soon as p > 0; p = 0 gives max|w| (nothing trimmed).
 */
export function quantilePosition(p: number, n: number): { lo: number; hi: number; frac: number } {
  const position = (1 - p) * (n - 1);
  const lo = Math.floor(position);
  return { lo, hi: Math.min(lo + 1, n - 1), frac: position - lo };
}

/**
 * Trim thresholds of a weight held in a typed array, one per group. Why: the trimmed tail must
 * follow the same groups as the quantization grid, so each group's scale fits its own bulk.
 *
 * @example
 * const { thresholds } = trimThresholds(w, [64, 3, 3, 32], { criterion: { kind: 'quantile', p: 0.005 }, granularity: { kind: 'per-channel', axis: -1 } });
 */
export function trimThresholds(
  w: Float32Array,
  shape: readonly number[],
  options: { criterion: TrimCriterion; granularity?: TrimGranularity },
): TrimThresholds {
  checkData(w, shape, 'trimThresholds');
  const criterion = checkCriterion(options?.criterion, 'trimThresholds', 'options.criterion');
  const granularity = checkGranularity(options.granularity, 'trimThresholds', 'options.granularity');
  return thresholdsOf(w, shape, criterion, granularity);
}

/** Unchecked core of `trimThresholds`. */
export function thresholdsOf(
  w: Float32Array,
  shape: readonly number[],
  criterion: TrimCriterion,
  granularity: TrimGranularity,
): TrimThresholds & { groupOf: Int32Array } {
  const groups = groupElements(shape, granularity);
  const thresholds = new Float64Array(groups.count);
  for (let g = 0; g < groups.count; g++) {
    const idx = groups.members.subarray(groups.start[g]!, groups.start[g + 1]!);
    const values = new Float64Array(idx.length);
    const abs = new Float64Array(idx.length);
    for (let i = 0; i < idx.length; i++) {
      values[i] = w[idx[i]!]!;
      abs[i] = Math.abs(values[i]!);
    }
    thresholds[g] = groupThreshold(abs, values, criterion);
  }
  return { thresholds, shape: paramShape(shape, granularity), groupOf: groups.groupOf };
}

function paramShape(shape: readonly number[], g: TrimGranularity): number[] {
  if (g.kind === 'per-tensor') return [];
  const axis = g.axis < 0 ? g.axis + shape.length : g.axis;
  if (g.kind === 'per-channel') return [shape[axis]!];
  return shape.map((d, i) => (i === axis ? Math.ceil(d / g.groupSize) : d));
}
