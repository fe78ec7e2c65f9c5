import { groupLayout } from '@quant-trim/quant-grid';
import type { TrimGranularity } from './types.js';

/** Elements of a tensor bucketed by threshold group, for the typed-array trim. */
export interface ElementGroups {
  /** Number of groups. */
  readonly count: number;
  /** Group of each element (row-major). */
  readonly groupOf: Int32Array;
  /** `members.subarray(start[g], start[g + 1])` lists the elements of group g in ascending order. */
  readonly start: Int32Array;
  readonly members: Int32Array;
}

/**
 * Splits a tensor of `shape` into threshold groups with quant-grid's layout (so a trim group is
 * exactly a quantization parameter group). Throws `QT_INVALID_GRANULARITY` for an axis out of range.
 *
 * @example
 * const { count, groupOf } = groupElements([2, 3], { kind: 'per-channel', axis: -1 }); // 3, [0,1,2,0,1,2]
 */
export function groupElements(shape: readonly number[], granularity: TrimGranularity): ElementGroups {
  const layout = groupLayout(shape, granularity);
  const { outer, dim, inner, count } = layout;
  const n = outer * dim * inner;
  const groupOf = new Int32Array(n);
  if (layout.kind === 'per-channel') {
    for (let e = 0; e < n; e++) groupOf[e] = Math.floor(e / inner) % dim;
  } else if (layout.kind === 'per-group') {
    const { groupSize, groupsAlongAxis } = layout;
    for (let o = 0, e = 0; o < outer; o++) {
      for (let k = 0; k < dim; k++) {
        const base = (o * groupsAlongAxis + Math.floor(k / groupSize)) * inner;
        for (let i = 0; i < inner; i++, e++) groupOf[e] = base + i;
      }
    }
  }
  const start = new Int32Array(count + 1);
  for (let e = 0; e < n; e++) start[groupOf[e]! + 1]!++;
  for (let g = 0; g < count; g++) start[g + 1]! += start[g]!;
  const fill = start.slice(0, count);
  const members = new Int32Array(n);
  for (let e = 0; e < n; e++) members[fill[groupOf[e]!]!++] = e;
  return { count, groupOf, start, members };
}
