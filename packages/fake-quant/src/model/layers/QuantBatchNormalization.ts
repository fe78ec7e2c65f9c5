import * as tf from '../../tf.js';
import type { QuantState } from '../../quantizers/QuantState.js';
import { activeCollective, allReduceSums, replicaContributes, replicaShare } from '../../parallel/replicaContext.js';
import type { LayerArgs } from './QuantLayer.js';

export interface QuantBatchNormalizationArgs extends LayerArgs {
  momentum?: number;
  epsilon?: number;
  center?: boolean;
  scale?: boolean;
  /**
   * Name of the weighted layer before it whose weight is fake-quantized folded with this layer's
   * statistics (`batchNorm: 'fold'`); the deployed model folds it there. Absent: kept as its own
   * layer. Serialised as `{ name }`: tfjs turns every other string of a layer config to camelCase
   * on load (`stem_conv` → `stemConv`), but keeps `name` values as they are.
   */
  foldedInto?: string | { name: string };
}

/** Smallest |γ/σ| a fold factor takes, so dividing the folded weight back never divides by zero. */
const MIN_FOLD_FACTOR = 1e-12;

/**
 * Channels-last BatchNormalization that trains as BatchNorm: while training it normalises with the
 * batch statistics and updates its moving statistics, until the controller freezes BatchNorm
 * (late in training); after that, and at inference, it normalises with the moving statistics.
 *
 * With `foldedInto`, the weighted layer before it fake-quantizes W·γ/σ (σ from the moving
 * variance) and divides the result back by γ/σ, the way PyTorch's fused ConvBn QAT modules do, so
 * the grid training sees is the grid of the folded weight a backend deploys; once the statistics
 * freeze, conv + this layer compute exactly the folded layer.
 */
export class QuantBatchNormalization extends tf.layers.Layer {
  static className = 'QuantTrimBatchNormalization';
  quantState: QuantState | undefined;
  readonly momentum: number;
  readonly epsilon: number;
  readonly center: boolean;
  readonly scale: boolean;
  readonly foldedInto: string | undefined;
  gamma: tf.LayerVariable | undefined;
  beta: tf.LayerVariable | undefined;
  movingMean: tf.LayerVariable | undefined;
  movingVariance: tf.LayerVariable | undefined;

  constructor(args: QuantBatchNormalizationArgs) {
    super(args);
    this.momentum = args.momentum ?? 0.99;
    this.epsilon = args.epsilon ?? 1e-3;
    this.center = args.center ?? true;
    this.scale = args.scale ?? true;
    this.foldedInto = typeof args.foldedInto === 'object' && args.foldedInto !== null ? args.foldedInto.name : args.foldedInto;
  }

  override build(inputShape: tf.Shape | tf.Shape[]): void {
    const shape = (Array.isArray(inputShape[0]) ? inputShape[0] : inputShape) as tf.Shape;
    const c = shape[shape.length - 1] as number;
    if (this.scale) this.gamma = this.addWeight('gamma', [c], 'float32', tf.initializers.ones());
    if (this.center) this.beta = this.addWeight('beta', [c], 'float32', tf.initializers.zeros());
    this.movingMean = this.addWeight('moving_mean', [c], 'float32', tf.initializers.zeros(), undefined, false);
    this.movingVariance = this.addWeight('moving_variance', [c], 'float32', tf.initializers.ones(), undefined, false);
    this.built = true;
  }

  override computeOutputShape(inputShape: tf.Shape | tf.Shape[]): tf.Shape | tf.Shape[] {
    return inputShape;
  }

  /**
   * γ/√(moving variance + ε) per channel (1/√(…) without scale), kept away from 0: the factor the
   * producer's weight is folded with. Undefined before the layer is built.
   */
  foldFactor(): tf.Tensor1D | undefined {
    if (this.movingVariance === undefined) return undefined;
    return tf.tidy(() => {
      let f = tf.rsqrt(this.movingVariance!.read().add(this.epsilon));
      if (this.gamma !== undefined) f = f.mul(this.gamma.read());
      // sign(f), with +1 at 0 (built from differentiable ops: the factor is on the gradient tape).
      const s = tf.sign(f);
      const sign = s.add(tf.scalar(1).sub(s.abs()));
      return f.abs().maximum(MIN_FOLD_FACTOR).mul(sign) as tf.Tensor1D;
    });
  }

  override call(inputs: tf.Tensor | tf.Tensor[], kwargs: Record<string, unknown>): tf.Tensor {
    return tf.tidy(() => {
      const x = Array.isArray(inputs) ? inputs[0]! : inputs;
      const gamma = this.gamma?.read();
      const beta = this.beta?.read();
      const frozen = this.quantState?.batchNormFrozen === true;
      if (kwargs['training'] !== true || frozen) {
        return tf.batchNorm(x, this.movingMean!.read(), this.movingVariance!.read(), beta, gamma, this.epsilon);
      }
      return this.normalizeInTraining(x, gamma, beta);
    });
  }

  /** Training mode: batch statistics, which also update the moving statistics. */
  private normalizeInTraining(x: tf.Tensor, gamma: tf.Tensor | undefined, beta: tf.Tensor | undefined): tf.Tensor {
    const m = this.momentum;
    return batchNormInTraining(x, gamma, beta, this.epsilon, (mean, variance) => {
      this.movingMean!.write(
        this.movingMean!.read()
          .mul(m)
          .add(mean.mul(1 - m)),
      );
      this.movingVariance!.write(
        this.movingVariance!.read()
          .mul(m)
          .add(variance.mul(1 - m)),
      );
    });
  }

  override getConfig(): tf.serialization.ConfigDict {
    return {
      ...super.getConfig(),
      momentum: this.momentum,
      epsilon: this.epsilon,
      center: this.center,
      scale: this.scale,
      ...(this.foldedInto !== undefined ? { foldedInto: { name: this.foldedInto } } : {}),
    };
  }
}

/**
 * @internal Training-mode BatchNorm over the last axis as one `tf.customGrad`, the op behind
 * `QuantBatchNormalization` while it trains. The forward is tfjs' own: the kernels of `tf.moments`
 * over all axes but the last (in the same order; the deviations x − μ are kept for the backward),
 * then `tf.batchNorm` with those statistics, so its values are those of
 * `tf.batchNorm(x, ...tf.moments(x, axes), β, γ, ε)`. `onMoments` receives the batch mean and
 * variance (for the moving statistics; tensors it creates are released with the op's forward).
 *
 * The backward replaces tfjs' autodiff through `FusedBatchNorm` and `tf.moments`, a couple of dozen
 * kernels that broadcast and tile full-size tensors, by the closed form. With xc = x − μ,
 * r = 1/√(σ² + ε), M the number of reduced elements per channel, S₁ = Σ dy and S₂ = Σ dy·xc per
 * channel:
 *   dβ = S₁,   dγ = r·S₂,   dx = γr·dy − γr·S₁/M − γr³·S₂/M · xc,
 * i.e. dx = γ/σ·(dy − mean(dy) − x̂·mean(dy·x̂)) with x̂ = r·xc. Full-size work backward: the
 * product dy·xc, the two per-channel sums, one `FusedBatchNorm` kernel for γr·dy − γr·S₁/M and
 * one multiply-add for the xc term.
 *
 * It saves xc, r and γ (saved, never captured). tfjs' `IS_TEST` per-kernel leak check counts
 * saved intermediates as leaked data, and on wasm any saved tensor (its `clone` copies); they are
 * released with the gradient tape like every kernel's saved tensors.
 */
export function batchNormInTraining(
  x: tf.Tensor,
  gamma: tf.Tensor | undefined,
  beta: tf.Tensor | undefined,
  epsilon: number,
  onMoments: (mean: tf.Tensor1D, variance: tf.Tensor1D) => void,
): tf.Tensor {
  const rank = x.rank;
  const axes = Array.from({ length: rank - 1 }, (_, i) => i);
  const c = x.shape[rank - 1]!;
  const keepDims = [...Array<number>(rank - 1).fill(1), c];
  const inputs = [x, ...(gamma !== undefined ? [gamma] : []), ...(beta !== undefined ? [beta] : [])];
  const synced = activeCollective() !== undefined;
  const op = tf.customGrad((...args) => {
    const xs = args[0] as tf.Tensor;
    const g = gamma !== undefined ? (args[1] as tf.Tensor1D) : undefined;
    const b = beta !== undefined ? (args[gamma !== undefined ? 2 : 1] as tf.Tensor1D) : undefined;
    const save = args[inputs.length] as tf.GradSaveFunc;
    const { mean, xc, variance, count: m } = synced ? syncedMoments(xs, axes, keepDims) : localMoments(xs, axes, keepDims);
    onMoments(mean, variance);
    const value = tf.batchNorm(xs, mean, variance, b, g, epsilon);
    save([xc, tf.rsqrt(tf.add(variance, epsilon)), ...(g !== undefined ? [g] : [])]);
    const gradFunc = (dy: tf.Tensor, saved: tf.Tensor[]): tf.Tensor[] => {
      const [xcSaved, r, gSaved] = saved as [tf.Tensor, tf.Tensor1D, tf.Tensor1D | undefined];
      const s1 = tf.sum(dy, axes) as tf.Tensor1D;
      const s2 = tf.sum(tf.mul(dy, xcSaved), axes) as tf.Tensor1D;
      const gr = gSaved !== undefined ? tf.mul(gSaved, r) : r;
      // The batch terms: this batch's sums, or (data-parallel) the global ones over this replica's share.
      const [t1, t2] = synced ? syncedGradientSums(s1, s2) : [s1, s2];
      // γr·dy − γr·S₁/M as one batchNorm kernel: mean 0, variance 1, ε 0, scale γr.
      const affine = tf.batchNorm(dy, tf.zeros([c]), tf.ones([c]), tf.mul(gr, t1).mul(-1 / m), gr, 0);
      const k = tf.mul(tf.mul(gr, tf.square(r)), t2).mul(-1 / m);
      const dx = tf.add(affine, tf.mul(xcSaved, tf.reshape(k, keepDims)));
      // dγ and dβ are this replica's own: the optimizer sums them over replicas.
      return [dx, ...(gamma !== undefined ? [tf.mul(r, s2)] : []), ...(beta !== undefined ? [s1] : [])];
    };
    return { value, gradFunc };
  });
  return op(...inputs);
}

/** tf.moments(x, axes), kernel for kernel, keeping x − μ. */
function localMoments(x: tf.Tensor, axes: number[], keepDims: number[]): { mean: tf.Tensor1D; xc: tf.Tensor; variance: tf.Tensor1D; count: number } {
  const mean = tf.mean(x, axes) as tf.Tensor1D;
  const xc = tf.sub(tf.cast(x, 'float32'), tf.reshape(mean, keepDims));
  const variance = tf.mean(tf.square(xc), axes) as tf.Tensor1D;
  return { mean, xc, variance, count: x.size / keepDims[keepDims.length - 1]! };
}

/**
 * The moments of the global batch of a data-parallel run (synchronised BatchNorm): the
 * per-channel sums and counts are summed over replicas, then the squared deviations from the
 * global mean (two passes, as `localMoments`, so the variance is not a difference of squares).
 */
function syncedMoments(x: tf.Tensor, axes: number[], keepDims: number[]): { mean: tf.Tensor1D; xc: tf.Tensor; variance: tf.Tensor1D; count: number } {
  // A padding replica's rows count for nothing.
  const own = replicaContributes() ? 1 : 0;
  const rows = (own * x.size) / keepDims[keepDims.length - 1]!;
  const [sum, n] = allReduceSums([tf.mul(tf.sum(x, axes), own), tf.scalar(rows)]);
  const mean = tf.div(sum!, n!) as tf.Tensor1D;
  const xc = tf.sub(tf.cast(x, 'float32'), tf.reshape(mean, keepDims));
  const [squares] = allReduceSums([tf.mul(tf.sum(tf.square(xc), axes), own)]);
  return { mean, xc, variance: tf.div(squares!, n!) as tf.Tensor1D, count: n!.dataSync()[0]! };
}

/**
 * The backward's batch sums S₁ = Σ dy and S₂ = Σ dy·xc over the global batch, divided by this
 * replica's share w of the batch. Each replica's upstream gradient is that of its own mean loss,
 * which the optimizer later weights by w; summing w·S over replicas gives the global sums, and
 * dividing by w here makes the later weighting exact for the dx terms that come from other
 * replicas' rows. A padding replica (w = 0) gets zeros: its gradients are weighted by 0.
 */
function syncedGradientSums(s1: tf.Tensor1D, s2: tf.Tensor1D): [tf.Tensor1D, tf.Tensor1D] {
  const w = replicaShare();
  const [t1, t2] = allReduceSums([tf.mul(s1, w), tf.mul(s2, w)]);
  return w > 0 ? [tf.div(t1!, w) as tf.Tensor1D, tf.div(t2!, w) as tf.Tensor1D] : [tf.zerosLike(t1!) as tf.Tensor1D, tf.zerosLike(t2!) as tf.Tensor1D];
}
