import * as tf from '../../tf.js';
import { QuantConvLayer, type QuantConvArgs, inputShapeOf } from './QuantConvLayer.js';

export interface QuantDepthwiseConv2DArgs extends QuantConvArgs {
  depthMultiplier?: number;
}

/**
 * A channels-last depthwise conv. Its kernel [kh, kw, C, M] is quantized per output channel, i.e.
 * per (C, M) pair as ONNX's [C·M, 1, kh, kw] layout has it, so it is viewed as [kh, kw, C·M]
 * while quantizing (per-group: blocks of adjacent output channels).
 */
export class QuantDepthwiseConv2D extends QuantConvLayer {
  static className = 'QuantTrimDepthwiseConv2D';
  override readonly foldedWeightName = 'depthwise_kernel';
  readonly depthMultiplier: number;
  depthwiseKernel: tf.LayerVariable | undefined;

  constructor(args: QuantDepthwiseConv2DArgs) {
    super(args);
    this.depthMultiplier = args.depthMultiplier ?? 1;
  }

  protected outputChannels(channels: number): number {
    return channels * this.depthMultiplier;
  }

  override build(inputShape: tf.Shape | tf.Shape[]): void {
    const shape = inputShapeOf(inputShape);
    const channels = shape[shape.length - 1] as number;
    const kernelShape = [...this.kernelSize, channels, this.depthMultiplier];
    this.depthwiseKernel = this.addWeight('depthwise_kernel', kernelShape, 'float32', tf.initializers.glorotUniform({}));
    if (this.useBias) this.bias = this.addWeight('bias', [channels * this.depthMultiplier], 'float32', tf.initializers.zeros());
    this.addLearnedScale('depthwise_kernel', kernelShape, 2, 2, [...this.kernelSize, channels * this.depthMultiplier]);
    this.built = true;
  }

  override call(inputs: tf.Tensor | tf.Tensor[], kwargs: Record<string, unknown>): tf.Tensor {
    return tf.tidy(() => {
      const x = (Array.isArray(inputs) ? inputs[0]! : inputs) as tf.Tensor4D;
      const [kh, kw, c, m] = this.depthwiseKernel!.shape as [number, number, number, number];
      const kernel = this.quantizedWeight(this.depthwiseKernel!, 'depthwise_kernel', 2, 2, kwargs, [kh, kw, c * m]) as tf.Tensor4D;
      return this.finish(tf.depthwiseConv2d(x, kernel, this.strides, this.padding, 'NHWC', this.dilationRate));
    });
  }

  override getConfig(): tf.serialization.ConfigDict {
    return { ...super.getConfig(), depthMultiplier: this.depthMultiplier };
  }
}
