import * as tf from '../tf.js';
import type { RoundingMode } from '@quant-trim/quant-grid';
import type { GradientMode } from '../types.js';
import { clampCode, roundTensor } from './roundTensor.js';
import { type TensorLayout, sumPerParam } from './tensorLayout.js';

/** @internal Everything the kernel needs besides its three tensor inputs (plain numbers only). */
export interface FakeQuantizeConfig {
  readonly qmin: number;
  readonly qmax: number;
  readonly rounding: RoundingMode;
  readonly symmetric: boolean;
  readonly gradient: GradientMode;
  /** LSQ gradient scale g. */
  readonly gradScale: number;
  /** False when scale and zero point are constants built from typed arrays: no LSQ sums then. */
  readonly learnable: boolean;
  readonly layout: TensorLayout;
}

/**
 * @internal The integer side of the grid for broadcast-compatible x, s, z (float32):
 * v = x / s, r = R(v), q = r + z (the unclamped code), c = clamp(q) with NaN → qmin.
 * q = r + z is exact wherever it matters (|r| < 2^24; larger codes clamp either way), and adding
 * z turns a rounded −0 into +0, so (c − z)·s never yields −0.
 */
function codes(x: tf.Tensor, s: tf.Tensor, z: tf.Tensor, config: FakeQuantizeConfig): { v: tf.Tensor; q: tf.Tensor; c: tf.Tensor } {
  const v = tf.div(x, s);
  const q = tf.add(roundTensor(v, config.rounding), z);
  return { v, q, c: clampCode(q, config.qmin, config.qmax) };
}

/**
 * @internal Fake quantization of a view (see `TensorLayout`) with the gradient rule of
 * `config.gradient`, as a `tf.customGrad` whose inputs are x, the scale and the zero point.
 *
 * Forward: x̂ = (clamp(R(x / s) + z, qmin, qmax) − z) · s, all in float32, which is quant-grid's
 * fround((clamp(R(fround(x/s)), qmin − z, qmax − z)) · s) bit for bit.
 *
 * Backward, with inside = (qmin ≤ R(x/s) + z ≤ qmax) on the rounded code (NaN is outside):
 * - `ste`: dx = dy; ds = dz = 0. Saves nothing (the backward reads no tensor).
 * - `clipped-ste`: dx = dy where inside, 0 elsewhere; ds = dz = 0. Saves x, s, z.
 * - `lsq`: dx as clipped STE; per element ∂x̂/∂s = (q − z) − x/s inside, qmin − z below,
 *   qmax − z above (NaN counts as below, as the forward maps it to qmin); ∂x̂/∂z = 0 inside and
 *   −s outside (asymmetric schemes only; z stays fixed for symmetric ones). Both are summed per
 *   parameter and multiplied by g. Saves x, s, z.
 * Tensors needed backward are always saved, never captured: a captured tensor is disposed by the
 * time the backward pass runs.
 */
export function fakeQuantizeKernel(config: FakeQuantizeConfig): (x: tf.Tensor, s: tf.Tensor, z: tf.Tensor) => tf.Tensor {
  return tf.customGrad((...args) => {
    const [x, s, z, save] = args as [tf.Tensor, tf.Tensor, tf.Tensor, tf.GradSaveFunc];
    if (config.gradient !== 'ste') save([x, s, z]);
    const { c } = codes(x, s, z, config);
    const value = tf.mul(tf.sub(c, z), s);
    const sShape = s.shape;
    const zShape = z.shape;
    const gradFunc = (dy: tf.Tensor, saved: tf.Tensor[]): tf.Tensor[] => {
      if (config.gradient === 'ste') return [dy.clone(), tf.zeros(sShape), tf.zeros(zShape)];
      const [xs, ss, zs] = saved as [tf.Tensor, tf.Tensor, tf.Tensor];
      const { v, q, c: code } = codes(xs, ss, zs, config);
      const inside = tf.logicalAnd(tf.greaterEqual(q, config.qmin), tf.lessEqual(q, config.qmax));
      const dx = tf.where(inside, dy, tf.zerosLike(dy));
      if (config.gradient === 'clipped-ste' || !config.learnable) return [dx, tf.zeros(sShape), tf.zeros(zShape)];
      const offset = tf.sub(code, zs); // q − z inside, qmin − z / qmax − z where clipped
      const perElement = tf.where(inside, tf.sub(offset, v), offset);
      const ds = tf.mul(sumPerParam(tf.mul(dy, perElement), config.layout), config.gradScale);
      const dz = config.symmetric ? tf.zeros(zShape) : tf.mul(sumPerParam(tf.sub(dy, dx), config.layout), tf.mul(ss, -config.gradScale));
      return [dx, ds, dz];
    };
    return { value, gradFunc };
  }) as (x: tf.Tensor, s: tf.Tensor, z: tf.Tensor) => tf.Tensor;
}
