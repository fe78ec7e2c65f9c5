import * as tf from '../tf.js';
import { groupLayout } from '@quant-trim/quant-grid';
import type { Granularity } from '@quant-trim/quant-grid';
import { isQuantTrimError } from '@quant-trim/errors';
import { describe, fail } from './checks.js';

/**
 * @internal How a tensor is viewed so that its quantization parameters broadcast against it with
 * plain element-wise ops, and how per-element values are summed back per parameter:
 * - per-tensor: the tensor as it is, parameters of shape [];
 * - per-channel: [outer, C, inner] against [1, C, 1];
 * - per-group: the axis padded to a multiple of the group size (the last group may be shorter),
 *   then [outer, G, groupSize, inner] against [outer, G, 1, inner] (quant-grid's blocked
 *   parameter layout read in the same order).
 */
export interface TensorLayout {
  readonly kind: Granularity['kind'];
  /** Non-negative axis (0 for per-tensor). */
  readonly axis: number;
  readonly outer: number;
  readonly dim: number;
  readonly inner: number;
  /** Number of (scale, zero point) pairs. */
  readonly count: number;
  /** quant-grid's parameter shape: [] per-tensor, [C] per-channel, the blocked shape per-group. */
  readonly paramShape: readonly number[];
  /** The broadcastable TensorQParams shape: [] per-tensor, [1, …, C, …, 1] per-channel, `paramShape` per-group. */
  readonly broadcastShape: readonly number[];
  /** Elements appended to the axis so it splits into whole groups (per-group only). */
  readonly pad: number;
  /** Shape of the view of the data. */
  readonly viewShape: readonly number[];
  /** Shape of the parameters in the view. */
  readonly paramViewShape: readonly number[];
  /** Axes of the view a per-parameter sum runs over; `null` means all of them. */
  readonly reduceAxes: readonly number[] | null;
}

/** @internal The view of `shape` for `granularity`; errors name `arg` of `fn`. */
export function tensorLayout(fn: string, arg: string, shape: readonly number[], granularity: Granularity): TensorLayout {
  const g = granularity as Partial<{ kind: unknown; axis: unknown; groupSize: unknown }> | null;
  const kind = g?.kind;
  if (typeof g !== 'object' || g === null || (kind !== 'per-tensor' && kind !== 'per-channel' && kind !== 'per-group')) {
    fail('QT_INVALID_GRANULARITY', fn, arg, `expected a granularity { kind: 'per-tensor' | 'per-channel' | 'per-group', ... }, got ${describe(granularity)}`);
  }
  if (kind !== 'per-tensor' && !Number.isInteger(g.axis))
    fail('QT_INVALID_GRANULARITY', fn, arg, `granularity.axis: expected an integer, got ${String(g.axis)}`);
  if (kind === 'per-group' && !(Number.isInteger(g.groupSize) && (g.groupSize as number) >= 1)) {
    fail('QT_INVALID_GRANULARITY', fn, arg, `granularity.groupSize: expected a positive integer, got ${String(g.groupSize)}`);
  }
  let base: ReturnType<typeof groupLayout>;
  try {
    base = groupLayout(shape, granularity);
  } catch (e) {
    if (isQuantTrimError(e)) fail(e.code, fn, arg, e.message);
    throw e;
  }
  const { axis, outer, dim, inner, count, paramShape } = base;
  if (base.kind === 'per-tensor') {
    return {
      kind: 'per-tensor',
      axis: 0,
      outer: 1,
      dim: base.dim,
      inner: 1,
      count,
      paramShape: [],
      broadcastShape: [],
      pad: 0,
      viewShape: [...shape],
      paramViewShape: [],
      reduceAxes: null,
    };
  }
  if (base.kind === 'per-channel') {
    const broadcastShape = shape.map((d, i) => (i === axis ? d : 1));
    return {
      kind: 'per-channel',
      axis,
      outer,
      dim,
      inner,
      count,
      paramShape,
      broadcastShape,
      pad: 0,
      viewShape: [outer, dim, inner],
      paramViewShape: [1, dim, 1],
      reduceAxes: [0, 2],
    };
  }
  const groups = base.groupsAlongAxis;
  const groupSize = base.groupSize;
  return {
    kind: 'per-group',
    axis,
    outer,
    dim,
    inner,
    count,
    paramShape,
    broadcastShape: paramShape,
    pad: groups * groupSize - dim,
    viewShape: [outer, groups, groupSize, inner],
    paramViewShape: [outer, groups, 1, inner],
    reduceAxes: [2],
  };
}

/** @internal `x` in the layout's view; a padded axis is filled with `padValue`. */
export function toView(x: tf.Tensor, layout: TensorLayout, padValue = 0): tf.Tensor {
  if (layout.pad === 0) return layout.kind === 'per-tensor' ? x : tf.reshape(x, layout.viewShape as number[]);
  const x3 = tf.reshape(x, [layout.outer, layout.dim, layout.inner]);
  const padded = tf.pad(
    x3,
    [
      [0, 0],
      [0, layout.pad],
      [0, 0],
    ],
    padValue,
  );
  return tf.reshape(padded, layout.viewShape as number[]);
}

/** @internal The inverse of `toView`: back to `shape`, dropping any padding. */
export function fromView(y: tf.Tensor, layout: TensorLayout, shape: readonly number[]): tf.Tensor {
  if (layout.pad === 0) return layout.kind === 'per-tensor' ? y : tf.reshape(y, shape as number[]);
  const y3 = tf.reshape(y, [layout.outer, layout.dim + layout.pad, layout.inner]);
  return tf.reshape(tf.slice(y3, [0, 0, 0], [layout.outer, layout.dim, layout.inner]), shape as number[]);
}

/** @internal Per-parameter sums of a view-shaped tensor, in `paramViewShape`. */
export function sumPerParam(t: tf.Tensor, layout: TensorLayout): tf.Tensor {
  const total = layout.reduceAxes === null ? tf.sum(t) : tf.sum(t, layout.reduceAxes as number[]);
  return tf.reshape(total, layout.paramViewShape as number[]);
}

/** @internal Whether `shape` is one of the parameter shapes TensorQParams accepts for this layout. */
export function acceptsParamShape(layout: TensorLayout, shape: readonly number[]): boolean {
  const same = (a: readonly number[], b: readonly number[]) => a.length === b.length && a.every((d, i) => d === b[i]);
  switch (layout.kind) {
    case 'per-tensor':
      return shape.every((d) => d === 1);
    case 'per-channel':
      return same(shape, layout.paramShape) || same(shape, layout.broadcastShape);
    case 'per-group':
      return same(shape, layout.paramShape);
  }
}

/** @internal The accepted parameter shapes, for messages. */
export function expectedParamShapes(layout: TensorLayout): string {
  const str = (s: readonly number[]) => `[${s.join(', ')}]`;
  switch (layout.kind) {
    case 'per-tensor':
      return 'a single value (shape [] or all ones)';
    case 'per-channel':
      return layout.broadcastShape.length === 1 ? str(layout.paramShape) : `${str(layout.paramShape)} or ${str(layout.broadcastShape)}`;
    case 'per-group':
      return str(layout.paramShape);
  }
}
