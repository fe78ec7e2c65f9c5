import { QuantTrimError } from '@quant-trim/errors';
import * as tf from '../tf.js';
import type { Collective } from './collective.js';
import { replicaShare, setReplicaCollective, setReplicaShare, sumOverReplicas } from './replicaContext.js';

/** One gradient as an optimizer receives it in list form. */
interface NamedGradient {
  readonly name: string;
  readonly tensor: tf.Tensor;
}

/** Rows [start, start + count) of a batch. */
export interface Shard {
  readonly start: number;
  readonly count: number;
  /**
   * The batch had fewer rows than replicas and this replica has none of its own: it trains on a
   * copy of row `start` that counts for nothing (its share is 0), so every replica still takes
   * the step's synchronisation points.
   */
  readonly padding?: true;
}

/**
 * One replica of a data-parallel training run (package README, "Data-parallel training"): every
 * replica holds the same model, trains on its rows of each global batch, and the replicas stay
 * identical because every step exchanges what depends on the whole batch:
 * - the gradients, summed over replicas with each replica's share of the batch as its weight, so
 *   the optimizer (attached with `attach`) applies the global batch's mean-loss gradient everywhere;
 * - BatchNorm's batch statistics and their gradient sums (synchronised BatchNorm);
 * - activation observers' batch ranges, tail-trim quantile samples and calibrator histograms.
 * Results equal one process training on the whole batch up to float summation order, and are
 * deterministic for a given number of replicas. Creating a replica installs its collective for
 * this thread; `dispose` removes it.
 *
 * @example
 * const replica = new DataParallelReplica(sharedMemoryCollective(buffer, rank, size));
 * model.compile({ optimizer: tf.train.adam(1e-3), loss: 'categoricalCrossentropy' });
 * replica.attach(model);
 * const loss = await replica.trainOnBatch(model, x, y); // x, y: the whole global batch
 */
export class DataParallelReplica {
  readonly #attached = new WeakSet<tf.Optimizer>();

  constructor(readonly collective: Collective) {
    setReplicaCollective(collective);
  }

  get rank(): number {
    return this.collective.rank;
  }

  get size(): number {
    return this.collective.size;
  }

  /**
   * This replica's rows of a global batch of `count` (≥ 1): contiguous, in rank order, sizes
   * differing by at most one (the first `count % size` replicas take one more). When the batch
   * has fewer rows than replicas, the replicas without one get a padding row (`Shard.padding`).
   */
  shard(count: number): Shard {
    if (!Number.isInteger(count) || count < 1)
      throw new QuantTrimError({ code: 'QT_INVALID_ARGUMENT', message: `DataParallelReplica.shard: expected a batch of at least 1 row, got ${count}` });
    const { size, rank } = this;
    if (rank >= count) return { start: 0, count: 1, padding: true };
    const base = Math.floor(count / size);
    const extra = count % size;
    return { start: rank * base + Math.min(rank, extra), count: base + (rank < extra ? 1 : 0) };
  }

  /**
   * Makes `model`'s optimizer (compile it first) sum gradients over replicas before it applies
   * them. Idempotent.
   */
  attach(model: tf.LayersModel): void {
    const optimizer = model.optimizer as tf.Optimizer | undefined;
    if (optimizer === undefined)
      throw new QuantTrimError({ code: 'QT_INVALID_ARGUMENT', message: 'DataParallelReplica.attach: compile the model first (it has no optimizer)' });
    if (this.#attached.has(optimizer) || this.size === 1) return;
    this.#attached.add(optimizer);
    const apply = optimizer.applyGradients.bind(optimizer);
    optimizer.applyGradients = (grads: tf.NamedTensorMap | NamedGradient[]) => {
      const named = Array.isArray(grads) ? grads : Object.entries(grads).map(([name, tensor]) => ({ name, tensor }));
      // Weighted by this replica's share of the batch and summed over replicas, in one exchange.
      const summed = sumOverReplicas(
        this.collective,
        named.map((g) => g.tensor),
        replicaShare(),
      );
      try {
        apply(Object.fromEntries(named.map((g, i) => [g.name, summed[i]!])));
      } finally {
        // The replica's own gradients are disposed by the optimizer's caller (minimize); these are ours.
        tf.dispose(summed);
      }
    };
  }

  /**
   * One training step on this replica's rows `x`, `y` of a global batch of `total` rows (the
   * model attached): returns the global batch's mean loss, the same on every replica. With
   * `padding`, `x` and `y` are a padding row (see `shard`).
   */
  async trainOnShard(model: tf.LayersModel, x: tf.Tensor, y: tf.Tensor, total: number, padding = false): Promise<number> {
    this.attach(model);
    const share = padding ? 0 : x.shape[0]! / total;
    setReplicaShare(share);
    const loss = (await model.trainOnBatch(x, y)) as number;
    return this.size === 1 ? loss : this.collective.allReduce(Float32Array.of(loss * share), 'sum')[0]!;
  }

  /** `trainOnShard` on this replica's rows (`shard`) of the global batch `x`, `y`. */
  async trainOnBatch(model: tf.LayersModel, x: tf.Tensor, y: tf.Tensor): Promise<number> {
    const total = x.shape[0]!;
    const { start, count, padding } = this.shard(total);
    const [xs, ys] = tf.tidy(() => [x.slice(start, count), y.slice(start, count)]);
    try {
      return await this.trainOnShard(model, xs!, ys!, total, padding === true);
    } finally {
      tf.dispose([xs!, ys!]);
    }
  }

  /** Sums `values` over replicas (e.g. correct-prediction counts of each replica's test rows). */
  sum(values: Float32Array): Float32Array {
    return this.size === 1 ? Float32Array.from(values) : this.collective.allReduce(values, 'sum');
  }

  /** Removes this replica's collective from the thread (ops run single-process again). */
  dispose(): void {
    setReplicaCollective(undefined);
  }
}
