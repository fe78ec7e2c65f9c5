import * as tf from '@tensorflow/tfjs';

/**
 * ONNX `HardSwish` (and PyTorch's opset-13 export of it, `x · HardSigmoid(x; 1/6, 0.5)`):
 * y = x · clip(x/6 + 0.5, 0, 1). Registered as `QuantTrimOnnxHardSwish`.
 */
export class OnnxHardSwish extends tf.layers.Layer {
  static className = 'QuantTrimOnnxHardSwish';

  override computeOutputShape(inputShape: tf.Shape | tf.Shape[]): tf.Shape | tf.Shape[] {
    return inputShape;
  }

  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    return tf.tidy(() => {
      const x = Array.isArray(inputs) ? inputs[0]! : inputs;
      return tf.mul(x, tf.clipByValue(tf.add(tf.div(x, 6), 0.5), 0, 1));
    });
  }
}
