import type * as tf from '../../tf.js';
import { type LayerArgs, QuantLayer, type QuantLayerArgs, pair } from './QuantLayer.js';

/** The spatial config every channels-last 2-D conv shares. */
export interface QuantConvArgs extends LayerArgs, QuantLayerArgs {
  kernelSize: number | number[];
  strides?: number | number[];
  padding?: 'same' | 'valid';
  dilationRate?: number | number[];
}

/** Base of the quantized 2-D convs: kernel size, strides, padding, dilation and output shape. */
export abstract class QuantConvLayer extends QuantLayer {
  readonly kernelSize: [number, number];
  readonly strides: [number, number];
  readonly padding: 'same' | 'valid';
  readonly dilationRate: [number, number];

  constructor(args: QuantConvArgs) {
    super(args);
    this.kernelSize = pair(args.kernelSize, 1);
    this.strides = pair(args.strides, 1);
    this.padding = args.padding ?? 'valid';
    this.dilationRate = pair(args.dilationRate, 1);
  }

  /** Output channels for an input with `channels` channels. */
  protected abstract outputChannels(channels: number): number;

  override computeOutputShape(inputShape: tf.Shape | tf.Shape[]): tf.Shape {
    const shape = inputShapeOf(inputShape);
    return [
      shape[0]!,
      ...convOutput(shape, this.kernelSize, this.strides, this.padding, this.dilationRate),
      this.outputChannels(shape[shape.length - 1] as number),
    ];
  }

  override getConfig(): tf.serialization.ConfigDict {
    return { ...super.getConfig(), kernelSize: this.kernelSize, strides: this.strides, padding: this.padding, dilationRate: this.dilationRate };
  }
}

/** The first input's shape. */
export function inputShapeOf(inputShape: tf.Shape | tf.Shape[]): tf.Shape {
  return (Array.isArray(inputShape[0]) ? inputShape[0] : inputShape) as tf.Shape;
}

/** Spatial output size of a conv or pool (tfjs semantics for 'same' and 'valid'). */
export function convOutput(
  shape: tf.Shape,
  kernel: [number, number],
  strides: [number, number],
  padding: 'same' | 'valid',
  dilation: [number, number],
): [number | null, number | null] {
  const out = (size: number | null, k: number, s: number, d: number): number | null => {
    if (size === null) return null;
    const effective = (k - 1) * d + 1;
    return padding === 'same' ? Math.ceil(size / s) : Math.ceil((size - effective + 1) / s);
  };
  return [out(shape[1] ?? null, kernel[0], strides[0], dilation[0]), out(shape[2] ?? null, kernel[1], strides[1], dilation[1])];
}
