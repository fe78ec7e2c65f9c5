import * as tf from '../tf.js';
import type { Granularity } from '@quant-trim/quant-grid';
import { checkFloat32Tensor, fail, shapeString } from './checks.js';
import { tensorLayout, toView } from './tensorLayout.js';

/**
 * Min and max of `x` per parameter group, on the device (quant-grid's `computeRanges` for
 * tensors), shaped as `TensorQParams` expects: [] per-tensor, [1, …, C, …, 1] per-channel, the
 * blocked parameter shape per-group (a shorter last group is handled). Two reductions, plus two
 * pads when the group size does not divide the axis; nothing is read back.
 *
 * Unlike `computeRanges`, NaN is not skipped: a group holding NaN gets a NaN range (on cpu and
 * wasm), which `tensorQParamsFromRange` turns into the smallest scale.
 *
 * @example
 * const { min, max } = tensorRanges(w, { kind: 'per-channel', axis: -1 }); // shapes [1, 1, 1, C]
 */
export function tensorRanges(x: tf.Tensor, granularity: Granularity): { min: tf.Tensor; max: tf.Tensor } {
  const fn = 'tensorRanges';
  checkFloat32Tensor(fn, 'x', x);
  if (x.size === 0) fail('QT_INVALID_ARGUMENT', fn, 'x', `expected a non-empty tensor, got shape ${shapeString(x.shape)}`);
  const layout = tensorLayout(fn, 'granularity', x.shape, granularity);
  return tf.tidy(() => {
    if (layout.kind === 'per-tensor') return { min: tf.min(x), max: tf.max(x) };
    const axes = layout.reduceAxes as number[];
    const shape = layout.broadcastShape as number[];
    // Padding only matters for a short last group: +Infinity never wins a min, −Infinity never a max.
    const min = tf.reshape(tf.min(toView(x, layout, Infinity), axes), shape);
    const max = tf.reshape(tf.max(toView(x, layout, -Infinity), axes), shape);
    return { min, max };
  });
}
