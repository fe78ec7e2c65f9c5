import * as tf from '@tensorflow/tfjs';
import { convOutput } from './QuantConv2D.js';
import { type LayerArgs, QuantLayer, type QuantLayerArgs, activationFn, pair } from './QuantLayer.js';

export interface QuantSeparableConv2DArgs extends LayerArgs, QuantLayerArgs {
  filters: number;
  kernelSize: number | number[];
  depthMultiplier?: number;
  strides?: number | number[];
  padding?: 'same' | 'valid';
  dilationRate?: number | number[];
  activation?: string;
  useBias?: boolean;
}

/**
 * A channels-last separable conv: depthwise kernel [kh, kw, C, M] (quantized per C·M output
 * channel) then pointwise kernel [1, 1, C·M, F] (per output channel, or groups along C·M).
 */
export class QuantSeparableConv2D extends QuantLayer {
  static className = 'QuantTrimSeparableConv2D';
  readonly filters: number;
  readonly kernelSize: [number, number];
  readonly depthMultiplier: number;
  readonly strides: [number, number];
  readonly padding: 'same' | 'valid';
  readonly dilationRate: [number, number];
  readonly activation: string;
  readonly useBias: boolean;
  depthwiseKernel: tf.LayerVariable | undefined;
  pointwiseKernel: tf.LayerVariable | undefined;
  bias: tf.LayerVariable | undefined;
  readonly #activate: ((x: tf.Tensor) => tf.Tensor) | undefined;

  constructor(args: QuantSeparableConv2DArgs) {
    super(args);
    this.filters = args.filters;
    this.kernelSize = pair(args.kernelSize, 1);
    this.depthMultiplier = args.depthMultiplier ?? 1;
    this.strides = pair(args.strides, 1);
    this.padding = args.padding ?? 'valid';
    this.dilationRate = pair(args.dilationRate, 1);
    this.activation = args.activation ?? 'linear';
    this.useBias = args.useBias ?? true;
    this.#activate = activationFn(this.activation);
  }

  override build(inputShape: tf.Shape | tf.Shape[]): void {
    const shape = (Array.isArray(inputShape[0]) ? inputShape[0] : inputShape) as tf.Shape;
    const channels = shape[shape.length - 1] as number;
    this.depthwiseKernel = this.addWeight('depthwise_kernel', [...this.kernelSize, channels, this.depthMultiplier], 'float32', tf.initializers.glorotUniform({}));
    this.pointwiseKernel = this.addWeight('pointwise_kernel', [1, 1, channels * this.depthMultiplier, this.filters], 'float32', tf.initializers.glorotUniform({}));
    if (this.useBias) this.bias = this.addWeight('bias', [this.filters], 'float32', tf.initializers.zeros());
    this.addLearnedScale('depthwise_kernel', [...this.kernelSize, channels, this.depthMultiplier], 2, 2, [...this.kernelSize, channels * this.depthMultiplier]);
    this.addLearnedScale('pointwise_kernel', [1, 1, channels * this.depthMultiplier, this.filters], 3, 2);
    this.built = true;
  }

  override computeOutputShape(inputShape: tf.Shape | tf.Shape[]): tf.Shape {
    const shape = (Array.isArray(inputShape[0]) ? inputShape[0] : inputShape) as tf.Shape;
    return [shape[0]!, ...convOutput(shape, this.kernelSize, this.strides, this.padding, this.dilationRate), this.filters];
  }

  override call(inputs: tf.Tensor | tf.Tensor[], kwargs: Record<string, unknown>): tf.Tensor {
    return tf.tidy(() => {
      const x = (Array.isArray(inputs) ? inputs[0]! : inputs) as tf.Tensor4D;
      const [kh, kw, c, m] = this.depthwiseKernel!.shape as [number, number, number, number];
      const depthwise = this.quantizedWeight(this.depthwiseKernel!, 'depthwise_kernel', 2, 2, kwargs, [kh, kw, c * m]) as tf.Tensor4D;
      const pointwise = this.quantizedWeight(this.pointwiseKernel!, 'pointwise_kernel', 3, 2, kwargs) as tf.Tensor4D;
      let y: tf.Tensor = tf.separableConv2d(x, depthwise, pointwise, this.strides, this.padding, this.dilationRate, 'NHWC');
      if (this.bias !== undefined) y = y.add(this.bias.read());
      return this.#activate ? this.#activate(y) : y;
    });
  }

  override getConfig(): tf.serialization.ConfigDict {
    return {
      ...super.getConfig(),
      filters: this.filters,
      kernelSize: this.kernelSize,
      depthMultiplier: this.depthMultiplier,
      strides: this.strides,
      padding: this.padding,
      dilationRate: this.dilationRate,
      activation: this.activation,
      useBias: this.useBias,
    };
  }
}
