import * as tf from '@tensorflow/tfjs';
import type { QuantState } from '../../quantizers/QuantState.js';
import type { LayerArgs } from './QuantLayer.js';

export interface QuantBatchNormalizationArgs extends LayerArgs {
  momentum?: number;
  epsilon?: number;
  center?: boolean;
  scale?: boolean;
  /**
   * Name of the weighted layer before it whose weight is fake-quantized folded with this layer's
   * statistics (`batchNorm: 'fold'`); the deployed model folds it there. Absent: kept as its own layer.
   */
  foldedInto?: string;
}

/** Smallest |γ/σ| a fold factor takes, so dividing the folded weight back never divides by zero. */
const MIN_FOLD_FACTOR = 1e-12;

/**
 * Channels-last BatchNormalization that trains as BatchNorm: while training it normalises with the
 * batch statistics and updates its moving statistics, until the controller freezes BatchNorm
 * (late in training); after that, and at inference, it normalises with the moving statistics.
 *
 * With `foldedInto`, the weighted layer before it fake-quantizes W·γ/σ (σ from the moving
 * variance) and divides the result back by γ/σ, the way PyTorch's fused ConvBn QAT modules do, so
 * the grid training sees is the grid of the folded weight a backend deploys; once the statistics
 * freeze, conv + this layer compute exactly the folded layer.
 */
export class QuantBatchNormalization extends tf.layers.Layer {
  static className = 'QuantTrimBatchNormalization';
  quantState: QuantState | undefined;
  readonly momentum: number;
  readonly epsilon: number;
  readonly center: boolean;
  readonly scale: boolean;
  readonly foldedInto: string | undefined;
  gamma: tf.LayerVariable | undefined;
  beta: tf.LayerVariable | undefined;
  movingMean: tf.LayerVariable | undefined;
  movingVariance: tf.LayerVariable | undefined;

  constructor(args: QuantBatchNormalizationArgs) {
    super(args);
    this.momentum = args.momentum ?? 0.99;
    this.epsilon = args.epsilon ?? 1e-3;
    this.center = args.center ?? true;
    this.scale = args.scale ?? true;
    this.foldedInto = args.foldedInto;
  }

  override build(inputShape: tf.Shape | tf.Shape[]): void {
    const shape = (Array.isArray(inputShape[0]) ? inputShape[0] : inputShape) as tf.Shape;
    const c = shape[shape.length - 1] as number;
    if (this.scale) this.gamma = this.addWeight('gamma', [c], 'float32', tf.initializers.ones());
    if (this.center) this.beta = this.addWeight('beta', [c], 'float32', tf.initializers.zeros());
    this.movingMean = this.addWeight('moving_mean', [c], 'float32', tf.initializers.zeros(), undefined, false);
    this.movingVariance = this.addWeight('moving_variance', [c], 'float32', tf.initializers.ones(), undefined, false);
    this.built = true;
  }

  override computeOutputShape(inputShape: tf.Shape | tf.Shape[]): tf.Shape | tf.Shape[] {
    return inputShape;
  }

  /**
   * γ/√(moving variance + ε) per channel (1/√(…) without scale), kept away from 0: the factor the
   * producer's weight is folded with. Undefined before the layer is built.
   */
  foldFactor(): tf.Tensor1D | undefined {
    if (this.movingVariance === undefined) return undefined;
    return tf.tidy(() => {
      let f = tf.rsqrt(this.movingVariance!.read().add(this.epsilon));
      if (this.gamma !== undefined) f = f.mul(this.gamma.read());
      // sign(f), with +1 at 0 (built from differentiable ops: the factor is on the gradient tape).
      const s = tf.sign(f);
      const sign = s.add(tf.scalar(1).sub(s.abs()));
      return f.abs().maximum(MIN_FOLD_FACTOR).mul(sign) as tf.Tensor1D;
    });
  }

  override call(inputs: tf.Tensor | tf.Tensor[], kwargs: Record<string, unknown>): tf.Tensor {
    return tf.tidy(() => {
      const x = Array.isArray(inputs) ? inputs[0]! : inputs;
      const gamma = this.gamma?.read();
      const beta = this.beta?.read();
      const frozen = this.quantState?.batchNormFrozen === true;
      if (kwargs['training'] !== true || frozen) {
        return tf.batchNorm(x, this.movingMean!.read(), this.movingVariance!.read(), beta, gamma, this.epsilon);
      }
      const axes = Array.from({ length: x.rank - 1 }, (_, i) => i);
      const { mean, variance } = tf.moments(x, axes);
      const m = this.momentum;
      this.movingMean!.write(this.movingMean!.read().mul(m).add(mean.mul(1 - m)));
      this.movingVariance!.write(this.movingVariance!.read().mul(m).add(variance.mul(1 - m)));
      return tf.batchNorm(x, mean, variance, beta, gamma, this.epsilon);
    });
  }

  override getConfig(): tf.serialization.ConfigDict {
    return {
      ...super.getConfig(),
      momentum: this.momentum,
      epsilon: this.epsilon,
      center: this.center,
      scale: this.scale,
      ...(this.foldedInto !== undefined ? { foldedInto: this.foldedInto } : {}),
    };
  }
}
