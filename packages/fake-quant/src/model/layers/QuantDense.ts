import * as tf from '../../tf.js';
import { inputShapeOf } from './QuantConvLayer.js';
import { type LayerArgs, QuantLayer, type QuantLayerArgs } from './QuantLayer.js';

export interface QuantDenseArgs extends LayerArgs, QuantLayerArgs {
  units: number;
}

/** A Dense layer whose kernel [in, out] is fake-quantized per output unit (axis 1) or in groups along the input (axis 0). */
export class QuantDense extends QuantLayer {
  static className = 'QuantTrimDense';
  readonly units: number;
  kernel: tf.LayerVariable | undefined;

  constructor(args: QuantDenseArgs) {
    super(args);
    this.units = args.units;
  }

  override build(inputShape: tf.Shape | tf.Shape[]): void {
    const shape = inputShapeOf(inputShape);
    const kernelShape = [shape[shape.length - 1] as number, this.units];
    this.kernel = this.addWeight('kernel', kernelShape, 'float32', tf.initializers.glorotUniform({}));
    if (this.useBias) this.bias = this.addWeight('bias', [this.units], 'float32', tf.initializers.zeros());
    this.addLearnedScale('kernel', kernelShape, 1, 0);
    this.built = true;
  }

  override computeOutputShape(inputShape: tf.Shape | tf.Shape[]): tf.Shape {
    return [...inputShapeOf(inputShape).slice(0, -1), this.units];
  }

  override call(inputs: tf.Tensor | tf.Tensor[], kwargs: Record<string, unknown>): tf.Tensor {
    return tf.tidy(() => {
      const x = Array.isArray(inputs) ? inputs[0]! : inputs;
      const w = this.quantizedWeight(this.kernel!, 'kernel', 1, 0, kwargs) as tf.Tensor2D;
      const flat = x.rank === 2 ? (x as tf.Tensor2D) : x.reshape([-1, x.shape[x.rank - 1]!]);
      const y = tf.matMul(flat as tf.Tensor2D, w);
      const out = this.finish(y);
      return x.rank === 2 ? out : out.reshape([...x.shape.slice(0, -1), this.units]);
    });
  }

  override getConfig(): tf.serialization.ConfigDict {
    return { ...super.getConfig(), units: this.units };
  }
}
