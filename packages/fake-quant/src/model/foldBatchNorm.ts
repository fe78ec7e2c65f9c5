import * as tf from '../tf.js';

/**
 * Folds an inference-mode BatchNormalization into the weighted layer before it:
 * W' = W · γ/√(σ² + ε) per output channel, b' = (b − μ)·γ/√(σ² + ε) + β.
 * `weights` are the producer's [kernel(s)…, bias?]; returns [kernel(s)…, bias] with the last kernel
 * (the one whose output channels BN normalises) scaled.
 */
export function foldBatchNorm(className: string, weights: tf.Tensor[], hasBias: boolean, bn: tf.layers.Layer): tf.Tensor[] {
  return tf.tidy(() => {
    const config = bn.getConfig();
    const epsilon = (config['epsilon'] as number | undefined) ?? 1e-3;
    const center = (config['center'] as boolean | undefined) ?? true;
    const scaleOn = (config['scale'] as boolean | undefined) ?? true;
    const bnWeights = bn.getWeights();
    let i = 0;
    const gamma = scaleOn ? bnWeights[i++]! : undefined;
    const beta = center ? bnWeights[i++]! : undefined;
    const mean = bnWeights[i++]!;
    const variance = bnWeights[i++]!;
    let factor = tf.rsqrt(variance.add(epsilon));
    if (gamma !== undefined) factor = factor.mul(gamma);
    const kernels = hasBias ? weights.slice(0, -1) : weights.slice();
    const bias = hasBias ? weights[weights.length - 1]! : tf.zerosLike(mean);
    const last = kernels.length - 1;
    const kernel = kernels[last]!;
    if (className === 'DepthwiseConv2D') {
      const [, , c, m] = kernel.shape as [number, number, number, number];
      kernels[last] = kernel.mul(factor.reshape([1, 1, c, m]));
    } else {
      kernels[last] = kernel.mul(factor);
    }
    let folded = bias.sub(mean).mul(factor);
    if (beta !== undefined) folded = folded.add(beta);
    return [...kernels, folded];
  });
}
