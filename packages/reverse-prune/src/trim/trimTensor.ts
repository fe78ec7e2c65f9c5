import * as tf from '../tf.js';
import { quantilePosition } from './trimThresholds.js';
import { QuantTrimError } from '@quant-trim/errors';
import { applyTrim, type TrimMask } from './applyTrim.js';
import { checkCriterion, checkGradient, checkGranularity, checkOperation } from './checkTrimOptions.js';
import { groupTensor } from './groupTensor.js';
import type { TrimCriterion, TrimGradient, TrimGranularity, TrimOptions } from './types.js';

/** A trim computed on the device: the mask and the thresholds it came from. */
export interface TensorTrim extends TrimMask {
  /** τ per group, in quant-grid's parameter shape. */
  readonly thresholds: tf.Tensor;
}

/**
 * Thresholds and mask of `w` on the device, same definitions as `trimThresholds` (the
 * order-statistic criteria pick the same float32 value; `sigma` agrees to float32 rounding).
 * Unchecked: callers validate. Call inside `tf.tidy`.
 */
export function computeTrim(w: tf.Tensor, criterion: TrimCriterion, granularity: TrimGranularity, where = 'computeTrim'): TensorTrim {
  const grouped = groupTensor(w, granularity, where);
  const rows = grouped.rows;
  const n = rows.shape[1];
  let tau: tf.Tensor; // [groups, 1]
  if (n === 0) {
    tau = tf.zeros([rows.shape[0], 1]);
  } else if (criterion.kind === 'sigma') {
    tau = tf.mul(tf.sqrt(tf.moments(rows, 1, true).variance), criterion.k);
  } else if (criterion.kind === 'quantile') {
    // Linear interpolation between the ascending order statistics lo and hi (see quantilePosition).
    const { lo, hi, frac } = quantilePosition(criterion.p, n);
    const k = n - lo;
    const top = tf.topk(tf.abs(rows), k).values; // descending: a[lo] at k − 1, a[hi] at n − 1 − hi
    const aLo = tf.slice(top, [0, k - 1], [-1, 1]);
    const aHi = tf.slice(top, [0, n - 1 - hi], [-1, 1]);
    tau = tf.add(aLo, tf.mul(tf.scalar(frac), tf.sub(aHi, aLo)));
  } else {
    const k = Math.floor(n / 2) + 1;
    tau = tf.mul(tf.slice(tf.topk(tf.abs(rows), k).values, [0, k - 1], [-1, 1]), tf.scalar(criterion.ratio));
  }
  const mask = grouped.ungroup(tf.greater(tf.abs(rows), tau));
  const tauFull = grouped.ungroup(tf.broadcastTo(tau, rows.shape));
  return { mask, tau: tauFull, keep: tf.cast(tf.logicalNot(mask), 'float32'), thresholds: tf.reshape(tau, grouped.paramShape as number[]) };
}

/**
 * Reverse-prunes a float tensor on the device: |w| above its group's τ is clamped to sign(w)·τ
 * (default) or zeroed, with a straight-through (default) or masked gradient. Why on the device:
 * training trims every step, and reading weights back would cost more than the step.
 *
 * @example
 * const { values, mask } = trimTensor(kernel, { criterion: { kind: 'quantile', p: 0.005 }, granularity: { kind: 'per-channel', axis: -1 } });
 */
export function trimTensor(w: tf.Tensor, options: TrimOptions & { gradient?: TrimGradient }): { values: tf.Tensor; mask: tf.Tensor; thresholds: tf.Tensor } {
  if (!(w instanceof tf.Tensor) || w.dtype !== 'float32') {
    throw new QuantTrimError({
      code: 'QT_INVALID_ARGUMENT',
      message: `argument \`w\` of \`trimTensor\`: expected a float32 tf.Tensor, got ${w instanceof tf.Tensor ? w.dtype : typeof w}`,
    });
  }
  const criterion = checkCriterion(options?.criterion, 'trimTensor', 'options.criterion');
  const granularity = checkGranularity(options.granularity, 'trimTensor', 'options.granularity');
  const operation = checkOperation(options.operation, 'trimTensor', 'options.operation');
  const gradient = checkGradient(options.gradient, 'trimTensor', 'options.gradient');
  return tf.tidy(() => {
    const trim = computeTrim(w, criterion, granularity, 'trimTensor');
    return { values: applyTrim(w, trim, { operation, gradient }), mask: trim.mask, thresholds: trim.thresholds };
  });
}
