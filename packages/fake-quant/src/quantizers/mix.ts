import * as tf from '../tf.js';
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

/**
 * Runs `fn` off the gradient tape: its ops are not recorded, so no backward pass ever walks
 * through them (tfjs records nothing inside a custom-gradient forward; the dummy input is not
 * derived from any variable, so the node itself is dropped from every tape too).
 */
export function untaped(fn: () => tf.Tensor): tf.Tensor {
  const op = tf.customGrad((...args) => ({ value: fn(), gradFunc: () => [tf.zerosLike(args[0] as tf.Tensor)] }));
  return op(tf.scalar(0));
}

/** Storage of a learned (LSQ) scale: a trainable variable and whether it has been initialised. */
export interface LearnedScale {
  read(): tf.Tensor;
  write(value: tf.Tensor): void;
  ready(): boolean;
  markReady(): void;
}

/**
 * LSQ: fake quantization with a learned scale (initialised once from the range statistics),
 * the zero point derived off the tape from `min` and the current scale (asymmetric schemes), and
 * LSQ's gradients to the scale; blended with λ (x̂ itself at λ = 1).
 */
export function quantizeLearned(
  x: tf.Tensor,
  scheme: QuantScheme,
  state: QuantState,
  learned: LearnedScale,
  range: () => { min: tf.Tensor; max: tf.Tensor },
): tf.Tensor {
  if (!learned.ready()) {
    tf.tidy(() => {
      const { min, max } = range();
      learned.write(tensorQParamsFromRange(min, max, scheme).scale);
    });
    learned.markReady();
  }
  const scale = learned.read();
  const zeroPoint = scheme.symmetric
    ? tf.zerosLike(scale)
    : untaped(() => {
        const lo = tf.minimum(range().min, 0);
        return tf.clipByValue(tf.round(tf.sub(scheme.qmin, tf.div(lo, scale))), scheme.qmin, scheme.qmax);
      });
  const xq = fakeQuantize(x, { scale, zeroPoint }, scheme, { gradient: 'lsq' });
  return state.lambdaValue === 1 ? xq : tf.add(x, tf.mul(state.lambda, tf.sub(xq, x)));
}
