import type { Granularity } from '../scheme.js';
import { checkFloat32 } from './checks.js';
import { type GroupLayout, checkShape, forEachRun, groupLayout } from './layout.js';

/** Observed value range per parameter group (NaN skipped; an all-NaN or empty group stays [0, 0]). */
export interface Ranges {
  readonly min: Float64Array;
  readonly max: Float64Array;
  /** Parameter shape (see `GroupLayout.paramShape`): [] per-tensor. */
  readonly shape: readonly number[];
}

/**
 * Min and max of `x` per group of `granularity`.
 *
 * @example
 * computeRanges(new Float32Array([1, -2, 3, 4]), [2, 2], { kind: 'per-channel', axis: 0 });
 * // { min: [-2, 3], max: [1, 4], shape: [2] }
 */
export function computeRanges(x: Float32Array, shape: readonly number[], granularity: Granularity = { kind: 'per-tensor' }): Ranges {
  checkFloat32('computeRanges', 'x', x);
  checkShape('computeRanges', 'x', x.length, shape);
  const layout = groupLayout(shape, granularity);
  const { min, max } = groupExtrema(x, layout);
  for (let p = 0; p < layout.count; p++) {
    if (min[p] === Infinity) {
      min[p] = 0;
      max[p] = 0;
    }
  }
  return { min, max, shape: layout.paramShape };
}

/**
 * @internal Min and max per group; a group without a finite value keeps [+Infinity, −Infinity].
 * Trusts its inputs (callers validate).
 */
export function groupExtrema(x: Float32Array, layout: GroupLayout): { min: Float64Array<ArrayBuffer>; max: Float64Array<ArrayBuffer> } {
  const min = new Float64Array(layout.count).fill(Infinity);
  const max = new Float64Array(layout.count).fill(-Infinity);
  forEachRun(layout, (offset, stride, length, p) => {
    let lo = min[p]!;
    let hi = max[p]!;
    for (let j = 0, idx = offset; j < length; j++, idx += stride) {
      const v = x[idx]!;
      if (v < lo) lo = v;
      if (v > hi) hi = v;
    }
    min[p] = lo;
    max[p] = hi;
  });
  return { min, max };
}
