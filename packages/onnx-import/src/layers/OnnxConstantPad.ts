import * as tf from '@tensorflow/tfjs';

export interface OnnxConstantPadArgs {
  /** [[top, bottom], [left, right]] on NHWC inputs. */
  padding: [[number, number], [number, number]];
  /** The fill value; −Infinity (max pooling's padding) is stored as the lowest float32. */
  value: number;
  name?: string;
}

const LOWEST = -3.4028234663852886e38;

/**
 * Spatial padding of NHWC tensors with any constant (tfjs's ZeroPadding2D only pads zeros): ONNX
 * `Pad` with a non-zero value, and the −∞ padding of a MaxPool whose pads TensorFlow's 'same'
 * cannot express on inputs that may be negative. Registered as `QuantTrimOnnxConstantPad`.
 */
export class OnnxConstantPad extends tf.layers.Layer {
  static className = 'QuantTrimOnnxConstantPad';
  readonly padding: [[number, number], [number, number]];
  readonly value: number;

  constructor(args: OnnxConstantPadArgs) {
    super(args.name !== undefined ? { name: args.name } : {});
    this.padding = args.padding;
    this.value = Math.max(args.value, LOWEST);
  }

  override computeOutputShape(inputShape: tf.Shape | tf.Shape[]): tf.Shape | tf.Shape[] {
    const s = (Array.isArray(inputShape[0]) ? inputShape[0] : inputShape) as tf.Shape;
    const [[t, b], [l, r]] = this.padding;
    return [s[0] ?? null, s[1] == null ? null : s[1] + t + b, s[2] == null ? null : s[2] + l + r, s[3] ?? null];
  }

  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    return tf.tidy(() => {
      const x = (Array.isArray(inputs) ? inputs[0]! : inputs) as tf.Tensor4D;
      return tf.pad(x, [[0, 0], this.padding[0], this.padding[1], [0, 0]], this.value);
    });
  }

  override getConfig(): tf.serialization.ConfigDict {
    return { ...super.getConfig(), padding: this.padding, value: this.value };
  }
}
