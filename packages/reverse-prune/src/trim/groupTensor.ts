import type * as tf from '../tf.js';
import { QuantTrimError } from '@quant-trim/errors';
import type { TrimGranularity } from './types.js';

/** A tensor rearranged as one row per threshold group, with the way back. */
export interface GroupedTensor {
  /** [groups, n]: row g holds the n elements of group g. */
  readonly rows: tf.Tensor2D;
  /** Thresholds shape in quant-grid's parameter order ([] per-tensor, [C], blocked per-group). */
  readonly paramShape: readonly number[];
  /** Rearranges a [groups, n] tensor back into the original layout. */
  ungroup(t: tf.Tensor): tf.Tensor;
}

/**
 * Views `x` as [groups, n] on the device (a reshape and at most one transpose), in quant-grid's
 * group order, so thresholds come from one `topk` or `moments` over the last axis. Per-group
 * blocks must divide the axis here (`QT_INVALID_GRANULARITY` otherwise): rows need equal length.
 *
 * @example
 * const { rows, ungroup } = groupTensor(tf.zeros([3, 3, 8, 16]), { kind: 'per-channel', axis: -1 }); // rows [16, 72]
 */
export function groupTensor(x: tf.Tensor, granularity: TrimGranularity, where = 'groupTensor'): GroupedTensor {
  const shape = x.shape;
  const size = x.size;
  if (granularity.kind === 'per-tensor') return { rows: x.reshape([1, size]), paramShape: [], ungroup: (t) => t.reshape(shape) };
  const rank = shape.length;
  const axis = granularity.axis < 0 ? granularity.axis + rank : granularity.axis;
  if (axis < 0 || axis >= rank) {
    throw new QuantTrimError({
      code: 'QT_INVALID_GRANULARITY',
      message: `${where}: granularity.axis ${granularity.axis} is out of range for a tensor of rank ${rank} (shape [${shape.join(', ')}])`,
    });
  }
  const dim = shape[axis]!;
  const outer = shape.slice(0, axis).reduce((a, b) => a * b, 1);
  const inner = shape.slice(axis + 1).reduce((a, b) => a * b, 1);
  if (granularity.kind === 'per-channel') {
    if (outer === 1) return { rows: x.reshape([dim, inner]), paramShape: [dim], ungroup: (t) => t.reshape(shape) };
    const rows = x
      .reshape([outer, dim, inner])
      .transpose([1, 0, 2])
      .reshape([dim, outer * inner]) as tf.Tensor2D;
    return { rows, paramShape: [dim], ungroup: (t) => t.reshape([dim, outer, inner]).transpose([1, 0, 2]).reshape(shape) };
  }
  const g = granularity.groupSize;
  if (dim % g !== 0) {
    throw new QuantTrimError({
      code: 'QT_INVALID_GRANULARITY',
      message: `${where}: granularity.groupSize ${g} must divide axis ${axis} of shape [${shape.join(', ')}] (size ${dim}) for tensors`,
    });
  }
  const blocks = dim / g;
  const paramShape = shape.map((d, i) => (i === axis ? blocks : d));
  if (inner === 1) return { rows: x.reshape([outer * blocks, g]), paramShape, ungroup: (t) => t.reshape(shape) };
  const rows = x
    .reshape([outer, blocks, g, inner])
    .transpose([0, 1, 3, 2])
    .reshape([outer * blocks * inner, g]) as tf.Tensor2D;
  return { rows, paramShape, ungroup: (t) => t.reshape([outer, blocks, inner, g]).transpose([0, 1, 3, 2]).reshape(shape) };
}
