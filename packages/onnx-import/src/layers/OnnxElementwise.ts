import * as tf from '@tensorflow/tfjs';

export type ElementwiseOp = 'add' | 'sub' | 'mul' | 'div';

export interface OnnxElementwiseArgs {
  op: ElementwiseOp;
  /**
   * Shape of a constant operand (a non-trainable weight named `constant`, already in the tfjs
   * layout of the other operand); absent for two tensor inputs.
   */
  constantShape?: number[] | null;
  /** The constant is the left operand (`c − x`, `c / x`). */
  constantFirst?: boolean;
  name?: string;
}

const OPS = { add: tf.add, sub: tf.sub, mul: tf.mul, div: tf.div } as const;

/**
 * ONNX `Add` / `Sub` / `Mul` / `Div` with NumPy broadcasting, between two tensors or a tensor and
 * a constant (normalisation constants, scales) kept as a non-trainable weight, so checkpoints
 * carry it. Equal-shape tensor pairs import as tfjs's own Add / Multiply layers instead.
 * Registered as `QuantTrimOnnxElementwise`.
 */
export class OnnxElementwise extends tf.layers.Layer {
  static className = 'QuantTrimOnnxElementwise';
  readonly op: ElementwiseOp;
  readonly constantShape: number[] | null;
  readonly constantFirst: boolean;
  private constant: tf.LayerVariable | undefined;

  constructor(args: OnnxElementwiseArgs) {
    super(args.name !== undefined ? { name: args.name } : {});
    this.op = args.op;
    this.constantShape = args.constantShape ?? null;
    this.constantFirst = args.constantFirst ?? false;
  }

  override build(inputShape: tf.Shape | tf.Shape[]): void {
    if (this.constantShape !== null) this.constant = this.addWeight('constant', this.constantShape, 'float32', tf.initializers.zeros(), undefined, false);
    super.build(inputShape);
  }

  override computeOutputShape(inputShape: tf.Shape | tf.Shape[]): tf.Shape | tf.Shape[] {
    const shapes = (Array.isArray(inputShape[0]) || inputShape[0] === undefined ? inputShape : [inputShape]) as tf.Shape[];
    const all = this.constantShape === null ? shapes : [...shapes, this.constantShape];
    const rank = Math.max(...all.map((s) => s.length));
    const out: (number | null)[] = [];
    for (let i = 0; i < rank; i++) {
      const dims = all.map((s) => s[s.length - rank + i]).filter((d): d is number | null => d !== undefined);
      out.push(dims.includes(null) && dims.every((d) => d === null || d === 1) ? null : Math.max(...dims.map((d) => d ?? 1)));
    }
    return out;
  }

  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    return tf.tidy(() => {
      const xs = Array.isArray(inputs) ? inputs : [inputs];
      const f = OPS[this.op];
      if (this.constant === undefined) return f(xs[0]!, xs[1]!);
      const c = this.constant.read();
      return this.constantFirst ? f(c, xs[0]!) : f(xs[0]!, c);
    });
  }

  override getConfig(): tf.serialization.ConfigDict {
    return { ...super.getConfig(), op: this.op, constantShape: this.constantShape, constantFirst: this.constantFirst };
  }
}
