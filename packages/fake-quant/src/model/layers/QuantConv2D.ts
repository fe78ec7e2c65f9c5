import * as tf from '@tensorflow/tfjs';
import { type LayerArgs, QuantLayer, type QuantLayerArgs, activationFn, pair } from './QuantLayer.js';

export interface QuantConv2DArgs extends LayerArgs, QuantLayerArgs {
  filters: number;
  kernelSize: number | number[];
  strides?: number | number[];
  padding?: 'same' | 'valid';
  dilationRate?: number | number[];
  activation?: string;
  useBias?: boolean;
}

/**
 * A channels-last Conv2D whose kernel [kh, kw, in, out] is fake-quantized per output channel
 * (axis 3) or in groups along the input channels (axis 2).
 */
export class QuantConv2D extends QuantLayer {
  static className = 'QuantTrimConv2D';
  readonly filters: number;
  readonly kernelSize: [number, number];
  readonly strides: [number, number];
  readonly padding: 'same' | 'valid';
  readonly dilationRate: [number, number];
  readonly activation: string;
  readonly useBias: boolean;
  kernel: tf.LayerVariable | undefined;
  bias: tf.LayerVariable | undefined;
  readonly #activate: ((x: tf.Tensor) => tf.Tensor) | undefined;

  constructor(args: QuantConv2DArgs) {
    super(args);
    this.filters = args.filters;
    this.kernelSize = pair(args.kernelSize, 1);
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
    this.kernel = this.addWeight('kernel', [...this.kernelSize, channels, this.filters], 'float32', tf.initializers.glorotUniform({}));
    if (this.useBias) this.bias = this.addWeight('bias', [this.filters], 'float32', tf.initializers.zeros());
    this.addLearnedScale('kernel', [...this.kernelSize, channels, this.filters], 3, 2);
    this.built = true;
  }

  override computeOutputShape(inputShape: tf.Shape | tf.Shape[]): tf.Shape {
    const shape = (Array.isArray(inputShape[0]) ? inputShape[0] : inputShape) as tf.Shape;
    return [shape[0]!, ...convOutput(shape, this.kernelSize, this.strides, this.padding, this.dilationRate), this.filters];
  }

  override call(inputs: tf.Tensor | tf.Tensor[], kwargs: Record<string, unknown>): tf.Tensor {
    return tf.tidy(() => {
      const x = (Array.isArray(inputs) ? inputs[0]! : inputs) as tf.Tensor4D;
      const w = this.quantizedWeight(this.kernel!, 'kernel', 3, 2, kwargs) as tf.Tensor4D;
      let y: tf.Tensor = tf.conv2d(x, w, this.strides, this.padding, 'NHWC', this.dilationRate);
      if (this.bias !== undefined) y = y.add(this.bias.read());
      return this.#activate ? this.#activate(y) : y;
    });
  }

  override getConfig(): tf.serialization.ConfigDict {
    return {
      ...super.getConfig(),
      filters: this.filters,
      kernelSize: this.kernelSize,
      strides: this.strides,
      padding: this.padding,
      dilationRate: this.dilationRate,
      activation: this.activation,
      useBias: this.useBias,
    };
  }
}

/** Spatial output size of a conv or pool (tfjs semantics for 'same' and 'valid'). */
export function convOutput(shape: tf.Shape, kernel: [number, number], strides: [number, number], padding: 'same' | 'valid', dilation: [number, number]): [number | null, number | null] {
  const out = (size: number | null, k: number, s: number, d: number): number | null => {
    if (size === null) return null;
    const effective = (k - 1) * d + 1;
    return padding === 'same' ? Math.ceil(size / s) : Math.ceil((size - effective + 1) / s);
  };
  return [out(shape[1] ?? null, kernel[0], strides[0], dilation[0]), out(shape[2] ?? null, kernel[1], strides[1], dilation[1])];
}
