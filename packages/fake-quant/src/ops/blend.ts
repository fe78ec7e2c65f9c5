import * as tf from '../tf.js';
import { checkFloat32Tensor, describe, fail, shapeString } from './checks.js';

/**
 * Progressive fake quantization (docs/method.md#progressive-fake-quantization): x̃ = x + λ · stopgrad(x̂ − x).
 *
 * Forward: computed exactly as written, in float32 (x + λ·(xq − x)), i.e. (1 − λ)·x + λ·xq up to
 * rounding; at λ = 0 it is x bit for bit. Backward: ∂x̃/∂x = 1 (the gradient with respect to `x`
 * is `dy` itself), and nothing flows into `xq` or `lambda`: they are read by the forward pass only,
 * so tfjs does not even walk back through whatever produced `xq`.
 *
 * Pass λ as a `tf.Scalar` (for example a non-trainable `tf.Variable` updated with `assign` each
 * step): nothing is rebuilt and nothing leaks when it changes. A plain number in [0, 1] works too.
 * A tensor λ is not read back, so its range is not checked.
 *
 * @example
 * const lambda = tf.variable(tf.scalar(0), false); // trainable: false
 * lambda.assign(tf.scalar(0.25));
 * const y = tf.tidy(() => blend(w, fakeQuantize(w, qparams, scheme), lambda));
 */
export function blend(x: tf.Tensor, xq: tf.Tensor, lambda: tf.Scalar | number): tf.Tensor {
  const fn = 'blend';
  checkFloat32Tensor(fn, 'x', x);
  checkFloat32Tensor(fn, 'xq', xq);
  if (x.rank !== xq.rank || x.shape.some((d, i) => d !== xq.shape[i])) {
    fail('QT_SHAPE_MISMATCH', fn, 'xq', `expected the shape of \`x\` ${shapeString(x.shape)}, got ${shapeString(xq.shape)}`);
  }
  if (typeof lambda === 'number') {
    if (!(lambda >= 0 && lambda <= 1)) fail('QT_INVALID_ARGUMENT', fn, 'lambda', `expected a number in [0, 1], got ${lambda}`);
  } else {
    checkFloat32Tensor(fn, 'lambda', lambda);
    if (lambda.rank !== 0) fail('QT_INVALID_ARGUMENT', fn, 'lambda', `expected a scalar (rank 0), got ${describe(lambda)}`);
  }
  return tf.tidy(() => {
    const lam = typeof lambda === 'number' ? tf.scalar(lambda) : lambda;
    // xq and λ are used by the forward pass only, so capturing them is safe; x is the one input.
    const op = tf.customGrad((...args) => {
      const input = args[0] as tf.Tensor;
      const value = tf.add(input, tf.mul(lam, tf.sub(xq, input)));
      return { value, gradFunc: (dy: tf.Tensor) => [dy.clone()] };
    });
    return op(x);
  });
}
