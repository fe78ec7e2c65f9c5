import * as tf from '@tensorflow/tfjs';
import { convOutput } from './QuantConv2D.js';
import { type LayerArgs, QuantLayer, type QuantLayerArgs, activationFn, pair } from './QuantLayer.js';

export interface QuantDepthwiseConv2DArgs extends LayerArgs, QuantLayerArgs {
  kernelSize: number | number[];
  depthMultiplier?: number;
  strides?: number | number[];
  padding?: 'same' | 'valid';
  dilationRate?: number | number[];
  activation?: string;
  useBias?: boolean;
}

/** A channels-last depthwise conv whose kernel is fake-quantized per output channel (C·M). */
export class QuantDepthwiseConv2D extends QuantLayer {
  static className = 'QuantTrimDepthwiseConv2D';
  readonly kernelSize: [number, number];
  readonly depthMultiplier: number;
  readonly strides: [number, number];
  readonly padding: 'same' | 'valid';
  readonly dilationRate: [number, number];
  readonly activation: string;
  readonly useBias: boolean;
  depthwiseKernel: tf.LayerVariable | undefined;
  bias: tf.LayerVariable | undefined;
  readonly #activate: ((x: tf.Tensor) => tf.Tensor) | undefined;

  constructor(args: QuantDepthwiseConv2DArgs) {
    super(args);
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
    if (this.useBias) this.bias = this.addWeight('bias', [channels * this.depthMultiplier], 'float32', tf.initializers.zeros());
    this.addLearnedScale('depthwise_kernel', [...this.kernelSize, channels, this.depthMultiplier], 2, 2, [...this.kernelSize, channels * this.depthMultiplier]);
    this.built = true;
  }

  override computeOutputShape(inputShape: tf.Shape | tf.Shape[]): tf.Shape {
    const shape = (Array.isArray(inputShape[0]) ? inputShape[0] : inputShape) as tf.Shape;
    const channels = shape[shape.length - 1] as number;
    return [shape[0]!, ...convOutput(shape, this.kernelSize, this.strides, this.padding, this.dilationRate), channels * this.depthMultiplier];
  }

  /**
   * The depthwise kernel [kh, kw, C, M] as used this call. Per output channel means per (C, M)
   * pair, as ONNX's [C·M, 1, kh, kw] layout has it, so it is quantized viewed as [kh, kw, C·M]
   * (per-group: blocks of adjacent output channels).
   */
  depthwiseWeight(kwargs: Record<string, unknown>): tf.Tensor4D {
    const [kh, kw, c, m] = this.depthwiseKernel!.shape as [number, number, number, number];
    return this.quantizedWeight(this.depthwiseKernel!, 'depthwise_kernel', 2, 2, kwargs, [kh, kw, c * m]) as tf.Tensor4D;
  }

  override call(inputs: tf.Tensor | tf.Tensor[], kwargs: Record<string, unknown>): tf.Tensor {
    return tf.tidy(() => {
      const x = (Array.isArray(inputs) ? inputs[0]! : inputs) as tf.Tensor4D;
      let y: tf.Tensor = tf.depthwiseConv2d(x, this.depthwiseWeight(kwargs), this.strides, this.padding, 'NHWC', this.dilationRate);
      if (this.bias !== undefined) y = y.add(this.bias.read());
      return this.#activate ? this.#activate(y) : y;
    });
  }

  override getConfig(): tf.serialization.ConfigDict {
    return {
      ...super.getConfig(),
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
