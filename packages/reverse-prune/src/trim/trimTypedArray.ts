import { checkCriterion, checkData, checkGranularity, checkOperation } from './checkTrimOptions.js';
import { thresholdsOf, type TrimThresholds } from './trimThresholds.js';
import type { TrimOptions } from './types.js';

/** Result of `trimTypedArray`. */
export interface TrimmedArray {
  /** The trimmed weight (a new array). */
  readonly values: Float32Array;
  /** 1 where the weight was trimmed (|w| > τ of its group). */
  readonly mask: Uint8Array;
  readonly thresholds: TrimThresholds;
  /** Number of trimmed weights. */
  readonly trimmed: number;
}

/**
 * Reverse-prunes a weight held in a typed array: every |w| above its group's τ is clamped to
 * sign(w)·τ (default) or zeroed. Why: offline analysis and reports need the same trim as training
 * without a tfjs backend.
 *
 * @example
 * const { values, mask } = trimTypedArray(w, [3, 3, 8, 16], { criterion: { kind: 'quantile', p: 0.01 }, granularity: { kind: 'per-channel', axis: -1 } });
 */
export function trimTypedArray(w: Float32Array, shape: readonly number[], options: TrimOptions): TrimmedArray {
  checkData(w, shape, 'trimTypedArray');
  const criterion = checkCriterion(options?.criterion, 'trimTypedArray', 'options.criterion');
  const granularity = checkGranularity(options.granularity, 'trimTypedArray', 'options.granularity');
  const operation = checkOperation(options.operation, 'trimTypedArray', 'options.operation');
  const { thresholds, shape: tShape, groupOf } = thresholdsOf(w, shape, criterion, granularity);
  const values = new Float32Array(w);
  const mask = new Uint8Array(w.length);
  let trimmed = 0;
  for (let e = 0; e < w.length; e++) {
    const tau = thresholds[groupOf[e]!]!;
    const v = w[e]!;
    if (Math.abs(v) > tau) {
      mask[e] = 1;
      trimmed++;
      values[e] = operation === 'zero' ? 0 : v < 0 ? -tau : tau;
    }
  }
  return { values, mask, thresholds: { thresholds, shape: tShape }, trimmed };
}
