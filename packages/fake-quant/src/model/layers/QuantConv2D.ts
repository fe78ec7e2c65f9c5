import * as tf from '../../tf.js';
import { QuantConvLayer, type QuantConvArgs, inputShapeOf } from './QuantConvLayer.js';

export interface QuantConv2DArgs extends QuantConvArgs {
  filters: number;
}

/**
 * A channels-last Conv2D whose kernel [kh, kw, in, out] is fake-quantized per output channel
 * (axis 3) or in groups along the input channels (axis 2).
 */
export class QuantConv2D extends QuantConvLayer {
  static className = 'QuantTrimConv2D';
  readonly filters: number;
  kernel: tf.LayerVariable | undefined;

  constructor(args: QuantConv2DArgs) {
    super(args);
    this.filters = args.filters;
  }

  protected outputChannels(): number {
    return this.filters;
  }

  override build(inputShape: tf.Shape | tf.Shape[]): void {
    const shape = inputShapeOf(inputShape);
    const kernelShape = [...this.kernelSize, shape[shape.length - 1] as number, this.filters];
    this.kernel = this.addWeight('kernel', kernelShape, 'float32', tf.initializers.glorotUniform({}));
    if (this.useBias) this.bias = this.addWeight('bias', [this.filters], 'float32', tf.initializers.zeros());
    this.addLearnedScale('kernel', kernelShape, 3, 2);
    this.built = true;
  }

  override call(inputs: tf.Tensor | tf.Tensor[], kwargs: Record<string, unknown>): tf.Tensor {
    return tf.tidy(() => {
      const x = (Array.isArray(inputs) ? inputs[0]! : inputs) as tf.Tensor4D;
      const w = this.quantizedWeight(this.kernel!, 'kernel', 3, 2, kwargs) as tf.Tensor4D;
      return this.finish(tf.conv2d(x, w, this.strides, this.padding, 'NHWC', this.dilationRate));
    });
  }

  override getConfig(): tf.serialization.ConfigDict {
    return { ...super.getConfig(), filters: this.filters };
  }
}
