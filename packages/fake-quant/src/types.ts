import type { Tensor } from './tf.js';

/**
 * Gradient of fake quantization with respect to its input:
 * - `ste`: straight-through, ∂x̂/∂x = 1 everywhere (the default, docs/method.md#gradients);
 * - `clipped-ste`: 1 inside the representable range, 0 where x clips;
 * - `lsq`: clipped STE for x plus LSQ gradients for a learnable scale (and zero point).
 */
export type GradientMode = 'ste' | 'clipped-ste' | 'lsq';

/**
 * Scale and zero point as float32 tensors that broadcast against the quantized tensor: a scalar
 * per-tensor, shape [1, …, C, …, 1] per-channel (C at the axis), and the data's shape with
 * ceil(dim / groupSize) at the axis per-group (expanded to the data's shape inside the op).
 */
export interface TensorQParams {
  readonly scale: Tensor;
  readonly zeroPoint: Tensor;
}
