import * as tf from '@tensorflow/tfjs';
import type { QuantScheme } from '@quant-trim/quant-grid';
import { fakeQuantize } from '../ops/fakeQuantize.js';
import { roundTensor } from '../ops/roundTensor.js';
import { tensorQParamsFromRange } from '../ops/tensorQParamsFromRange.js';
import { tensorRanges } from '../ops/tensorRanges.js';
import type { TensorQParams } from '../types.js';
import type { QuantState } from './QuantState.js';

/**
 * Where x's integer code R(x/s) + z lies in [qmin, qmax] (clipped STE's mask), as float32 0/1.
 * `qparams` must broadcast against x.
 */
export function insideMask(x: tf.Tensor, qparams: TensorQParams, scheme: QuantScheme): tf.Tensor {
  const code = tf.add(roundTensor(tf.div(x, qparams.scale), scheme.rounding), qparams.zeroPoint);
  return tf.cast(tf.logicalAnd(tf.greaterEqual(code, scheme.qmin), tf.lessEqual(code, scheme.qmax)), 'float32');
}

/** Where a quantization point gets its range: from the tensor itself (default) or an observer. */
export type RangeSource = (x: tf.Tensor) => { min: tf.Tensor; max: tf.Tensor };

/**
 * One quantization point as a single custom-gradient op with x as its only input:
 * forward x̃ = x + λ·(x̂ − x) (exactly x̂ at λ = 1), with x̂ the fake quantization of x on ranges
 * from `range`; backward ∂x̃/∂x = 1 (STE) or 1 − λ + λ·mask (clipped STE).
 *
 * The range reductions, parameter math and observer updates run inside the forward function,
 * where tfjs records no tape, so the backward pass never differentiates them; and the gradient
 * is a reshape of dy (no copy). This is what keeps a QAT step close to a float step.
 */
export function quantizePoint(x: tf.Tensor, scheme: QuantScheme, state: QuantState, options: { clipped?: boolean; range?: RangeSource } = {}): tf.Tensor {
  const lambda = state.lambdaValue;
  const lambdaTensor = state.lambda;
  const clipped = options.clipped === true;
  const op = tf.customGrad((...args) => {
    const input = args[0] as tf.Tensor;
    const save = args[args.length - 1] as tf.GradSaveFunc;
    const { min, max } = options.range ? options.range(input) : tensorRanges(input, scheme.granularity);
    const qparams = tensorQParamsFromRange(min, max, scheme);
    const xq = fakeQuantize(input, qparams, scheme);
    if (clipped) save([insideMask(input, qparams, scheme)]);
    const value = lambda === 1 ? xq : tf.add(input, tf.mul(lambdaTensor, tf.sub(xq, input)));
    return {
      value,
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
        if (!clipped) return [tf.reshape(dy, dy.shape)];
        const mask = saved[0]!;
        return [lambda === 1 ? tf.mul(dy, mask) : tf.mul(dy, tf.add(tf.mul(mask, lambda), 1 - lambda))];
      },
    };
  });
  return op(x);
}
