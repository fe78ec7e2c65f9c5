import * as tf from '../tf.js';
import type { TrimGradient, TrimOperation } from './types.js';

/** A trim decided ahead of time: which weights, and the τ each one is clamped to. */
export interface TrimMask {
  /** bool, the weight's shape: true where trimmed. */
  readonly mask: tf.Tensor;
  /** float32, the weight's shape: τ of each element's group (used by `clamp`). */
  readonly tau: tf.Tensor;
  /** float32, the weight's shape: 1 − mask (used by the `masked` gradient). */
  readonly keep: tf.Tensor;
}

/**
 * Applies a precomputed trim with the chosen gradient. Why a custom gradient: the trim is
 * piecewise constant in w, so its true gradient would freeze trimmed weights for good;
 * straight-through lets them keep learning and come back at the next refresh (docs/method.md#reverse-pruning).
 * The mask enters the forward pass only; the `masked` backward uses a saved copy of `keep`, so
 * the cached tensors may be replaced between forward and backward.
 *
 * @example
 * const out = applyTrim(w, trim, { operation: 'clamp', gradient: 'straight-through' });
 */
export function applyTrim(w: tf.Tensor, trim: TrimMask, options: { operation: TrimOperation; gradient: TrimGradient }): tf.Tensor {
  const { operation, gradient } = options;
  const op = tf.customGrad((x, save) => {
    const xt = x as tf.Tensor;
    const value = operation === 'zero' ? tf.where(trim.mask, tf.zerosLike(xt), xt) : tf.where(trim.mask, tf.mul(tf.sign(xt), trim.tau), xt);
    if (gradient === 'masked') (save as tf.GradSaveFunc)([trim.keep]);
    return {
      value,
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => (gradient === 'masked' ? tf.mul(dy, saved[0]!) : dy),
    };
  });
  return op(w);
}
