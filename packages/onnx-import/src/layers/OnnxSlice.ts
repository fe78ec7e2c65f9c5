import * as tf from '@tensorflow/tfjs';

export interface OnnxSliceArgs {
  /** Start per tfjs axis, batch axis included (0 there). */
  begin: number[];
  /** Length per tfjs axis; −1 keeps the rest (the batch axis). */
  size: number[];
  name?: string;
}

/**
 * A contiguous slice of a tensor along non-batch axes (tfjs has no slicing layer): ONNX `Slice` with
 * step 1 and each output of `Split`, as channel-split blocks (ShuffleNet's `chunk`) export.
 * Registered as `QuantTrimOnnxSlice`.
 */
export class OnnxSlice extends tf.layers.Layer {
  static className = 'QuantTrimOnnxSlice';
  readonly begin: number[];
  readonly size: number[];

  constructor(args: OnnxSliceArgs) {
    super(args.name !== undefined ? { name: args.name } : {});
    this.begin = args.begin;
    this.size = args.size;
  }

  override computeOutputShape(inputShape: tf.Shape | tf.Shape[]): tf.Shape | tf.Shape[] {
    const s = (Array.isArray(inputShape[0]) ? inputShape[0] : inputShape) as tf.Shape;
    return s.map((d, i) => (this.size[i] === -1 ? (d === null ? null : d - this.begin[i]!) : this.size[i]!));
  }

  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    return tf.tidy(() => tf.slice(Array.isArray(inputs) ? inputs[0]! : inputs, this.begin, this.size));
  }

  override getConfig(): tf.serialization.ConfigDict {
    return { ...super.getConfig(), begin: this.begin, size: this.size };
  }
}
