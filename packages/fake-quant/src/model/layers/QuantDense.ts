import * as tf from '@tensorflow/tfjs';
import { type LayerArgs, QuantLayer, type QuantLayerArgs, activationFn } from './QuantLayer.js';

export interface QuantDenseArgs extends LayerArgs, QuantLayerArgs {
  units: number;
  activation?: string;
  useBias?: boolean;
}

/** A Dense layer whose kernel [in, out] is fake-quantized per output unit (axis 1) or in groups along the input (axis 0). */
export class QuantDense extends QuantLayer {
  static className = 'QuantTrimDense';
  readonly units: number;
  readonly activation: string;
  readonly useBias: boolean;
  kernel: tf.LayerVariable | undefined;
  bias: tf.LayerVariable | undefined;
  readonly #activate: ((x: tf.Tensor) => tf.Tensor) | undefined;

  constructor(args: QuantDenseArgs) {
    super(args);
    this.units = args.units;
    this.activation = args.activation ?? 'linear';
    this.useBias = args.useBias ?? true;
    this.#activate = activationFn(this.activation);
  }

  override build(inputShape: tf.Shape | tf.Shape[]): void {
    const shape = (Array.isArray(inputShape[0]) ? inputShape[0] : inputShape) as tf.Shape;
    const inDim = shape[shape.length - 1] as number;
    this.kernel = this.addWeight('kernel', [inDim, this.units], 'float32', tf.initializers.glorotUniform({}));
    if (this.useBias) this.bias = this.addWeight('bias', [this.units], 'float32', tf.initializers.zeros());
    this.addLearnedScale('kernel', [inDim, this.units], 1, 0);
    this.built = true;
  }

  override computeOutputShape(inputShape: tf.Shape | tf.Shape[]): tf.Shape {
    const shape = (Array.isArray(inputShape[0]) ? inputShape[0] : inputShape) as tf.Shape;
    return [...shape.slice(0, -1), this.units];
  }

  override call(inputs: tf.Tensor | tf.Tensor[], kwargs: Record<string, unknown>): tf.Tensor {
    return tf.tidy(() => {
      const x = Array.isArray(inputs) ? inputs[0]! : inputs;
      const w = this.quantizedWeight(this.kernel!, 'kernel', 1, 0, kwargs) as tf.Tensor2D;
      const flat = x.rank === 2 ? (x as tf.Tensor2D) : x.reshape([-1, x.shape[x.rank - 1]!]);
      let y: tf.Tensor = tf.matMul(flat as tf.Tensor2D, w);
      if (this.bias !== undefined) y = y.add(this.bias.read());
      if (x.rank !== 2) y = y.reshape([...x.shape.slice(0, -1), this.units]);
      return this.#activate ? this.#activate(y) : y;
    });
  }

  override getConfig(): tf.serialization.ConfigDict {
    return { ...super.getConfig(), units: this.units, activation: this.activation, useBias: this.useBias };
  }
}
