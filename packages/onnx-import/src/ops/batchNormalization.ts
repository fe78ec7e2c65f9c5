import * as tf from '@tensorflow/tfjs';
import { out } from './attributes.js';
import { batchNormParams, checkBatchNorm } from './batchNormParams.js';
import type { OpConverter } from './types.js';

/**
 * ONNX `BatchNormalization` (inference form) → a trainable tfjs BatchNormalization over the
 * channel axis with the ONNX statistics and momentum. With `batchNorm: 'fold'` the Conv / Gemm
 * before it absorbs it instead, where it is that tensor's only reader.
 */
export const BatchNormalization: OpConverter = {
  check(node, ctx) {
    const shape = ctx.shapeOf(node.inputs[0]!);
    if (shape && shape.length !== 4 && shape.length !== 2) return `inputs of rank ${shape.length} (only 2 or 4)`;
    return checkBatchNorm(node, ctx);
  },
  convert(node, ctx) {
    const v = ctx.value(node.inputs[0]!);
    const x = v.shape.length === 4 ? ctx.asNhwc(v) : ctx.asOnnx(v);
    const p = batchNormParams(node, ctx);
    const c = p.gamma.length;
    const layer = tf.layers.batchNormalization({ axis: -1, epsilon: p.epsilon, momentum: p.momentum, name: ctx.name(node.name || 'batch_norm') });
    const sym = ctx.apply(
      layer,
      x.sym,
      [p.gamma, p.beta, p.mean, p.variance].map((data) => ({ data, shape: [c] })),
    );
    ctx.set(out(node), { sym, shape: x.shape, layout: x.layout });
  },
};
