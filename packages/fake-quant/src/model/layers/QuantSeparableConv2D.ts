import * as tf from '../../tf.js';
import { QuantConvLayer, type QuantConvArgs, inputShapeOf } from './QuantConvLayer.js';

export interface QuantSeparableConv2DArgs extends QuantConvArgs {
  filters: number;
  depthMultiplier?: number;
}

/**
 * A channels-last separable conv: depthwise kernel [kh, kw, C, M] (quantized per C·M output
 * channel) then pointwise kernel [1, 1, C·M, F] (per output channel, or groups along C·M).
 */
export class QuantSeparableConv2D extends QuantConvLayer {
  static className = 'QuantTrimSeparableConv2D';
  override readonly foldedWeightName = 'pointwise_kernel';
  readonly filters: number;
  readonly depthMultiplier: number;
  depthwiseKernel: tf.LayerVariable | undefined;
  pointwiseKernel: tf.LayerVariable | undefined;

  constructor(args: QuantSeparableConv2DArgs) {
    super(args);
    this.filters = args.filters;
    this.depthMultiplier = args.depthMultiplier ?? 1;
  }

  protected outputChannels(): number {
    return this.filters;
  }

  override build(inputShape: tf.Shape | tf.Shape[]): void {
    const shape = inputShapeOf(inputShape);
    const channels = shape[shape.length - 1] as number;
    const depthwiseShape = [...this.kernelSize, channels, this.depthMultiplier];
    const pointwiseShape = [1, 1, channels * this.depthMultiplier, this.filters];
    this.depthwiseKernel = this.addWeight('depthwise_kernel', depthwiseShape, 'float32', tf.initializers.glorotUniform({}));
    this.pointwiseKernel = this.addWeight('pointwise_kernel', pointwiseShape, 'float32', tf.initializers.glorotUniform({}));
    if (this.useBias) this.bias = this.addWeight('bias', [this.filters], 'float32', tf.initializers.zeros());
    this.addLearnedScale('depthwise_kernel', depthwiseShape, 2, 2, [...this.kernelSize, channels * this.depthMultiplier]);
    this.addLearnedScale('pointwise_kernel', pointwiseShape, 3, 2);
    this.built = true;
  }

  override call(inputs: tf.Tensor | tf.Tensor[], kwargs: Record<string, unknown>): tf.Tensor {
    return tf.tidy(() => {
      const x = (Array.isArray(inputs) ? inputs[0]! : inputs) as tf.Tensor4D;
      const [kh, kw, c, m] = this.depthwiseKernel!.shape as [number, number, number, number];
      const depthwise = this.quantizedWeight(this.depthwiseKernel!, 'depthwise_kernel', 2, 2, kwargs, [kh, kw, c * m]) as tf.Tensor4D;
      const pointwise = this.quantizedWeight(this.pointwiseKernel!, 'pointwise_kernel', 3, 2, kwargs) as tf.Tensor4D;
      return this.finish(tf.separableConv2d(x, depthwise, pointwise, this.strides, this.padding, this.dilationRate, 'NHWC'));
    });
  }

  override getConfig(): tf.serialization.ConfigDict {
    return { ...super.getConfig(), filters: this.filters, depthMultiplier: this.depthMultiplier };
  }
}
