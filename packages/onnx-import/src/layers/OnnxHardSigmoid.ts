import * as tf from '@tensorflow/tfjs';

export interface OnnxHardSigmoidArgs {
  alpha: number;
  beta: number;
  name?: string;
}

/**
 * ONNX `HardSigmoid`: y = clip(α·x + β, 0, 1) for any α, β (tfjs's 'hardSigmoid' activation fixes
 * α = 0.2, β = 0.5; PyTorch exports α = 1/6). Registered as `QuantTrimOnnxHardSigmoid`.
 */
export class OnnxHardSigmoid extends tf.layers.Layer {
  static className = 'QuantTrimOnnxHardSigmoid';
  readonly alpha: number;
  readonly beta: number;

  constructor(args: OnnxHardSigmoidArgs) {
    super(args.name !== undefined ? { name: args.name } : {});
    this.alpha = args.alpha;
    this.beta = args.beta;
  }

  override computeOutputShape(inputShape: tf.Shape | tf.Shape[]): tf.Shape | tf.Shape[] {
    return inputShape;
  }

  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    return tf.tidy(() => {
      const x = Array.isArray(inputs) ? inputs[0]! : inputs;
      return tf.clipByValue(tf.add(tf.mul(x, this.alpha), this.beta), 0, 1);
    });
  }

  override getConfig(): tf.serialization.ConfigDict {
    return { ...super.getConfig(), alpha: this.alpha, beta: this.beta };
  }
}
