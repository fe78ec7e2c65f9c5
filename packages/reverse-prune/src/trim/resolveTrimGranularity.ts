import { QuantTrimError } from '@quant-trim/errors';
import type { TrimCriterion, TrimGranularity } from './types.js';

/** Granularity of `createReversePrune`, relative to each weight's output-channel axis. */
export type ReversePruneGranularity = 'per-tensor' | 'per-channel' | { readonly groupSize: number; readonly axis?: number };

/**
 * The concrete granularity for a weight of `shape` whose output channels lie on `channelAxis`:
 * per-channel uses that axis; per-group blocks run along `axis`, by default the axis before the
 * channel axis when channels are last (Conv2D [kh, kw, in, out] → in; Dense [in, out] → in),
 * else the last axis.
 *
 * @example
 * resolveTrimGranularity({ groupSize: 4 }, [3, 3, 8, 16], -1); // { kind: 'per-group', axis: 2, groupSize: 4 }
 */
export function resolveTrimGranularity(g: ReversePruneGranularity, shape: readonly number[], channelAxis: number): TrimGranularity {
  const rank = shape.length;
  const channel = channelAxis < 0 ? channelAxis + rank : channelAxis;
  if (g === 'per-tensor') return { kind: 'per-tensor' };
  if (g === 'per-channel') return { kind: 'per-channel', axis: channel };
  const axis = g.axis ?? (channel === rank - 1 ? rank - 2 : rank - 1);
  return { kind: 'per-group', axis, groupSize: g.groupSize };
}

/** Elements per group (all groups are equal on the tensor path). */
export function groupLength(shape: readonly number[], g: TrimGranularity): number {
  const size = shape.reduce((a, b) => a * b, 1);
  if (g.kind === 'per-tensor') return size;
  const axis = g.axis < 0 ? g.axis + shape.length : g.axis;
  const dim = shape[axis];
  if (dim === undefined)
    throw new QuantTrimError({ code: 'QT_INVALID_GRANULARITY', message: `granularity.axis ${g.axis} is out of range for shape [${shape.join(', ')}]` });
  return g.kind === 'per-channel' ? (dim === 0 ? 0 : size / dim) : g.groupSize;
}

/**
 * The criterion in force at strength `s` (clamped to [0, 1]), or undefined when it trims nothing:
 * quantile p = pMax·s, trimming ⌈p·(n − 1)⌉ values (interpolated quantile), nothing when p = 0;
 * sigma and median-ratio apply as given for any s > 0. `signature` changes when the number of
 * trimmed values can change with s (τ itself moves continuously and is refreshed every k steps).
 */
export function criterionAt(base: TrimCriterion, pMax: number, strength: number, n: number): { criterion: TrimCriterion | undefined; signature: number } {
  const s = Math.min(1, Math.max(0, Number.isFinite(strength) ? strength : 0));
  if (base.kind !== 'quantile') return s > 0 ? { criterion: base, signature: 1 } : { criterion: undefined, signature: 0 };
  const p = pMax * s;
  const m = p > 0 && n > 1 ? Math.ceil(p * (n - 1)) : 0;
  return m > 0 ? { criterion: { kind: 'quantile', p }, signature: m } : { criterion: undefined, signature: 0 };
}
