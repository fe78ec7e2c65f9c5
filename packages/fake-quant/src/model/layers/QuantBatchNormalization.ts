import * as tf from '@tensorflow/tfjs';
import type { QuantState } from '../../quantizers/QuantState.js';
import type { LayerArgs } from './QuantLayer.js';

export interface QuantBatchNormalizationArgs extends LayerArgs {
  momentum?: number;
  epsilon?: number;
  center?: boolean;
  scale?: boolean;
}

/**
 * Channels-last BatchNormalization kept in float ("keep" mode) whose moving statistics stop
 * updating once the controller freezes BatchNorm (METHOD.md §5: freeze BN late in training);
 * after that it normalises with the moving statistics even while training.
 */
export class QuantBatchNormalization extends tf.layers.Layer {
  static className = 'QuantTrimBatchNormalization';
  quantState: QuantState | undefined;
  readonly momentum: number;
  readonly epsilon: number;
  readonly center: boolean;
  readonly scale: boolean;
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
    return { ...super.getConfig(), momentum: this.momentum, epsilon: this.epsilon, center: this.center, scale: this.scale };
  }
}
