import * as tf from '../tf.js';
import type { Collective } from './collective.js';

/**
 * The data-parallel state of this thread: the collective its replicas share and this replica's
 * share of the current global batch (its rows / all rows). Set by `DataParallelReplica`; while it
 * is unset (or has one replica) every op below is the plain single-process computation.
 */
interface ReplicaContext {
  readonly collective: Collective;
  share: number;
}

let context: ReplicaContext | undefined;

/** @internal Installs (or, with undefined, removes) this thread's collective. */
export function setReplicaCollective(collective: Collective | undefined): void {
  context = collective === undefined || collective.size <= 1 ? undefined : { collective, share: 1 / collective.size };
}

/** @internal Sets this replica's share of the current global batch (its rows / all rows). */
export function setReplicaShare(share: number): void {
  if (context !== undefined) context.share = share;
}

/** The collective of this thread's data-parallel run, or undefined when training alone. */
export function activeCollective(): Collective | undefined {
  return context?.collective;
}

/** @internal This replica's share of the current global batch (1 when training alone). */
export function replicaShare(): number {
  return context?.share ?? 1;
}

/**
 * @internal Whether this replica's rows count (share > 0). A replica with share 0 holds a padding
 * row (the final batch had fewer rows than replicas): it runs the step so that every replica
 * reaches the same synchronisation points, but its rows leave no trace in statistics.
 */
export function replicaContributes(): boolean {
  return (context?.share ?? 1) > 0;
}

/**
 * @internal Element-wise min of `min` and max of `max` over every replica (one exchange), as
 * tensors of the same shapes: the batch range of the global batch from each replica's rows.
 * Returns the inputs themselves when training alone.
 */
export function allReduceRange(range: { min: tf.Tensor; max: tf.Tensor }): { min: tf.Tensor; max: tf.Tensor } {
  const c = context?.collective;
  if (c === undefined) return range;
  const lo = range.min.dataSync() as Float32Array;
  const hi = range.max.dataSync() as Float32Array;
  // min(lo) and min(−hi) in one exchange; a padding replica sends +∞, which never wins.
  const both = new Float32Array(lo.length + hi.length).fill(Number.POSITIVE_INFINITY);
  if (replicaContributes()) {
    both.set(lo);
    for (let i = 0; i < hi.length; i++) both[lo.length + i] = -hi[i]!;
  }
  const reduced = c.allReduce(both, 'min');
  return {
    min: tf.tensor(reduced.subarray(0, lo.length), range.min.shape),
    max: tf.tensor(
      reduced.subarray(lo.length).map((v) => -v),
      range.max.shape,
    ),
  };
}

/**
 * @internal Sums of per-channel vectors over every replica (one exchange), as tensors of the
 * same shapes. Returns the inputs themselves when training alone.
 */
export function allReduceSums<T extends tf.Tensor>(tensors: readonly T[]): T[] {
  const c = context?.collective;
  return c === undefined ? [...tensors] : sumOverReplicas(c, tensors);
}

/**
 * @internal `tensors`, each value multiplied by `scale`, summed element-wise over the replicas of
 * `c` in one exchange; new tensors of the same shapes.
 */
export function sumOverReplicas<T extends tf.Tensor>(c: Collective, tensors: readonly T[], scale = 1): T[] {
  const parts = tensors.map((t) => t.dataSync() as Float32Array);
  const flat = new Float32Array(parts.reduce((n, p) => n + p.length, 0));
  let offset = 0;
  for (const p of parts) {
    if (scale === 1) flat.set(p, offset);
    else for (let i = 0; i < p.length; i++) flat[offset + i] = p[i]! * scale;
    offset += p.length;
  }
  const reduced = c.allReduce(flat, 'sum');
  offset = 0;
  return tensors.map((t, i) => {
    const n = parts[i]!.length;
    const out = tf.tensor(reduced.slice(offset, offset + n), t.shape) as T;
    offset += n;
    return out;
  });
}

/**
 * @internal The values of `x` (batch on axis 0) over the global batch: every replica's rows in
 * rank order, with the shape of the whole. `x`'s own values and shape when training alone.
 */
export function gatherBatch(x: tf.Tensor): { values: Float32Array; shape: number[] } {
  const c = context?.collective;
  const own = c === undefined || replicaContributes() ? (x.dataSync() as Float32Array) : new Float32Array(0);
  if (c === undefined) return { values: own, shape: [...x.shape] };
  const values = c.allGather(own);
  const rowSize = x.shape.slice(1).reduce((a, b) => a * b, 1);
  return { values, shape: [rowSize === 0 ? 0 : values.length / rowSize, ...x.shape.slice(1)] };
}

/**
 * @internal Every ⌈n / sampleSize⌉-th value of `x` flattened (at most `sampleSize` values), n
 * counting the global batch: each replica picks the positions that fall in its rows and the
 * picks are gathered in rank order, so the sample is the one a single process would take from
 * the whole batch. Only the sample is exchanged. (Reading the tensor and striding in JS is
 * cheaper on wasm than a StridedSlice kernel, measured.)
 */
export function stridedSample(x: tf.Tensor, sampleSize: number): Float32Array {
  const c = context?.collective;
  const own = c === undefined || replicaContributes() ? (x.dataSync() as Float32Array) : new Float32Array(0);
  let offset = 0;
  let total = own.length;
  if (c !== undefined) {
    const lengths = c.allGather(Float32Array.of(own.length));
    for (let r = 0; r < c.rank; r++) offset += lengths[r]!;
    total = lengths.reduce((a, b) => a + b, 0);
  }
  const stride = Math.max(1, Math.ceil(total / sampleSize));
  const first = Math.ceil(offset / stride) * stride - offset;
  const picks = new Float32Array(first >= own.length ? 0 : Math.ceil((own.length - first) / stride));
  for (let i = first, j = 0; i < own.length; i += stride) picks[j++] = own[i]!;
  return c === undefined ? picks : c.allGather(picks);
}
