import { QuantTrimError } from '@quant-trim/errors';
import type { Granularity } from '../scheme.js';

/**
 * How a tensor of `shape` splits into parameter groups. Data is viewed as (outer, dim, inner)
 * around the quantization axis; element (o, k, i) uses parameter
 * `(o * groupsAlongAxis + floor(k / groupSize)) * paramInner + i * (paramInner > 1 ? 1 : 0)`.
 * Per-tensor is the degenerate case with one group.
 */
export interface GroupLayout {
  readonly kind: Granularity['kind'];
  /** Non-negative axis (0 for per-tensor). */
  readonly axis: number;
  readonly outer: number;
  readonly dim: number;
  readonly inner: number;
  /** Indices along the axis sharing a parameter: 1 per-channel, g per-group, dim per-tensor. */
  readonly groupSize: number;
  readonly groupsAlongAxis: number;
  /** Number of (scale, zero point) pairs. */
  readonly count: number;
  /** Shape of the parameter tensor: [] per-tensor, [C] per-channel, rank-preserving per-group (ONNX blocked layout). */
  readonly paramShape: readonly number[];
  /** 1 unless per-group, where parameters also vary along the inner dimensions. */
  readonly paramInner: number;
}

export function shapeSize(shape: readonly number[]): number {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}

/** Validates a shape against a data length. */
export function checkShape(fn: string, arg: string, length: number, shape: readonly number[]): void {
  if (!Array.isArray(shape) || shape.some((d) => !Number.isInteger(d) || d < 0)) {
    throw new QuantTrimError({
      code: 'QT_INVALID_ARGUMENT',
      message: `argument \`shape\` of \`${fn}\`: expected an array of non-negative integers, got ${JSON.stringify(shape)}`,
    });
  }
  const size = shapeSize(shape);
  if (size !== length) {
    throw new QuantTrimError({
      code: 'QT_SHAPE_MISMATCH',
      message: `argument \`${arg}\` of \`${fn}\`: shape [${shape.join(', ')}] holds ${size} elements but the data has ${length}`,
    });
  }
}

export function groupLayout(shape: readonly number[], granularity: Granularity): GroupLayout {
  const size = shapeSize(shape);
  if (granularity.kind === 'per-tensor') {
    return {
      kind: 'per-tensor',
      axis: 0,
      outer: 1,
      dim: size,
      inner: 1,
      groupSize: Math.max(size, 1),
      groupsAlongAxis: 1,
      count: 1,
      paramShape: [],
      paramInner: 1,
    };
  }
  const rank = shape.length;
  const axis = granularity.axis < 0 ? granularity.axis + rank : granularity.axis;
  if (axis < 0 || axis >= rank) {
    throw new QuantTrimError({
      code: 'QT_INVALID_GRANULARITY',
      message: `granularity.axis ${granularity.axis} is out of range for a tensor of rank ${rank} (shape [${shape.join(', ')}])`,
    });
  }
  const dim = shape[axis]!;
  const outer = shapeSize(shape.slice(0, axis));
  const inner = shapeSize(shape.slice(axis + 1));
  if (granularity.kind === 'per-channel') {
    return { kind: 'per-channel', axis, outer, dim, inner, groupSize: 1, groupsAlongAxis: dim, count: dim, paramShape: [dim], paramInner: 1 };
  }
  const groupSize = granularity.groupSize;
  const groupsAlongAxis = Math.ceil(dim / groupSize);
  const paramShape = shape.map((d, i) => (i === axis ? groupsAlongAxis : d));
  return { kind: 'per-group', axis, outer, dim, inner, groupSize, groupsAlongAxis, count: outer * groupsAlongAxis * inner, paramShape, paramInner: inner };
}

/**
 * Calls `visit(start, stride, length, param)` for every contiguous run of elements that share one
 * parameter index. Runs are as long as the layout allows, so callers write tight inner loops.
 */
export function forEachRun(layout: GroupLayout, visit: (offset: number, stride: number, length: number, param: number) => void): void {
  const { outer, dim, inner, groupSize, groupsAlongAxis, kind } = layout;
  if (kind === 'per-tensor') {
    visit(0, 1, dim, 0);
    return;
  }
  if (kind === 'per-channel') {
    // Elements of channel k: for each outer o, the contiguous block [(o*dim + k)*inner, +inner).
    for (let o = 0; o < outer; o++) {
      for (let k = 0; k < dim; k++) visit((o * dim + k) * inner, 1, inner, k);
    }
    return;
  }
  // per-group: for fixed (o, i) the group spans up to groupSize indices along the axis, stride inner.
  for (let o = 0; o < outer; o++) {
    for (let g = 0; g < groupsAlongAxis; g++) {
      const k0 = g * groupSize;
      const length = Math.min(groupSize, dim - k0);
      for (let i = 0; i < inner; i++) visit((o * dim + k0) * inner + i, inner, length, (o * groupsAlongAxis + g) * inner + i);
    }
  }
}
