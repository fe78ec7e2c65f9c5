import * as tf from '@tensorflow/tfjs';

export interface OnnxGroupedConv2DArgs {
  filters: number;
  kernelSize: [number, number];
  strides: [number, number];
  dilationRate: [number, number];
  groups: number;
  useBias: boolean;
  name?: string;
}

/**
 * A grouped convolution with 1 < groups < channels (ResNeXt, ShuffleNet), which tfjs has no layer
 * for: the input channels split into `groups` slices, each convolved ('valid' padding; the
 * importer pads first) with its slice of the kernel [kh, kw, C/groups, filters], then concatenated,
 * as ONNX `Conv` with `group`. Weights `kernel` and `bias` are trainable. Registered as
 * `QuantTrimOnnxGroupedConv2D`; `quantizeModel` leaves it float.
 */
export class OnnxGroupedConv2D extends tf.layers.Layer {
  static className = 'QuantTrimOnnxGroupedConv2D';
  readonly filters: number;
  readonly kernelSize: [number, number];
  readonly strides: [number, number];
  readonly dilationRate: [number, number];
  readonly groups: number;
  readonly useBias: boolean;
  private kernel: tf.LayerVariable | undefined;
  private bias: tf.LayerVariable | undefined;

  constructor(args: OnnxGroupedConv2DArgs) {
    super(args.name !== undefined ? { name: args.name } : {});
    this.filters = args.filters;
    this.kernelSize = args.kernelSize;
    this.strides = args.strides;
    this.dilationRate = args.dilationRate;
    this.groups = args.groups;
    this.useBias = args.useBias;
  }

  override build(inputShape: tf.Shape | tf.Shape[]): void {
    const s = (Array.isArray(inputShape[0]) ? inputShape[0] : inputShape) as tf.Shape;
    const channels = s[3] as number;
    this.kernel = this.addWeight('kernel', [...this.kernelSize, channels / this.groups, this.filters], 'float32', tf.initializers.glorotUniform({}));
    if (this.useBias) this.bias = this.addWeight('bias', [this.filters], 'float32', tf.initializers.zeros());
    super.build(inputShape);
  }

  override computeOutputShape(inputShape: tf.Shape | tf.Shape[]): tf.Shape | tf.Shape[] {
    const s = (Array.isArray(inputShape[0]) ? inputShape[0] : inputShape) as tf.Shape;
    const out = (size: number | null, k: number, st: number, d: number) => (size === null ? null : Math.floor((size - (k - 1) * d - 1) / st) + 1);
    return [
      s[0] ?? null,
      out(s[1] ?? null, this.kernelSize[0], this.strides[0], this.dilationRate[0]),
      out(s[2] ?? null, this.kernelSize[1], this.strides[1], this.dilationRate[1]),
      this.filters,
    ];
  }

  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    return tf.tidy(() => {
      const x = (Array.isArray(inputs) ? inputs[0]! : inputs) as tf.Tensor4D;
      const xs = tf.split(x, this.groups, 3) as tf.Tensor4D[];
      const ks = tf.split(this.kernel!.read() as tf.Tensor4D, this.groups, 3) as tf.Tensor4D[];
      const ys = xs.map((xi, g) => tf.conv2d(xi, ks[g]!, this.strides, 'valid', 'NHWC', this.dilationRate));
      const y = tf.concat(ys, 3);
      return this.bias ? tf.add(y, this.bias.read()) : y;
    });
  }

  override getConfig(): tf.serialization.ConfigDict {
    return {
      ...super.getConfig(),
      filters: this.filters,
      kernelSize: this.kernelSize,
      strides: this.strides,
      dilationRate: this.dilationRate,
      groups: this.groups,
      useBias: this.useBias,
    };
  }
}
