import type * as tf from '../tf.js';
import type { TrimContext, TrimStepContext, TrimWeightInfo } from '../trim/types.js';
import type { Schedule, ScheduleConfig } from '@quant-trim/schedulers';

// The weight-transform interfaces (structural copies of fake-quant's) live in `../trim/types.ts`.

/** What `apply` sees for one weight in one forward pass (magnitude pruning ignores `strength`). */
export type MagnitudeTransformContext = TrimContext;
/** One quantized weight of a model, as `beginStep` sees it. */
export type MagnitudeWeight = TrimWeightInfo;
/** What `beginStep` sees before each training step. */
export type MagnitudeStepContext = TrimStepContext;

/** How the pruned count is taken: per weight tensor, or across every weight at once. */
export type MagnitudeScope = 'local' | 'global';

export interface MagnitudePruningOptions {
  /**
   * The target share of pruned weights in [0, 1] at each step: a schedule (`polynomialSparsity`,
   * `constantSparsity`, any `@quant-trim/schedulers` schedule), its JSON, or a constant number.
   */
  sparsity: Schedule | ScheduleConfig | number;
  /** `'local'` (default): ⌊s·n⌋ per weight tensor; `'global'`: ⌊s·N⌋ over all weights together. */
  scope?: MagnitudeScope;
  /** Masks are recomputed every this many steps from `startStep` (integer ≥ 1, default 100). */
  refreshEvery?: number;
  /** No pruning before this step (default 0). */
  startStep?: number;
  /** No new pruning after this step; the masks stay (default: never stops). */
  endStep?: number;
}

/** Pruning state of one weight tensor; JSON-safe. */
export interface MagnitudeWeightStats {
  /** `${layer}/${weight}`, the key of `masks()`. */
  readonly key: string;
  readonly layer: string;
  readonly weight: string;
  /** Number of elements. */
  readonly size: number;
  /** Number of pruned (masked to zero) elements. */
  readonly pruned: number;
  /** `pruned / size`, the sparsity achieved. */
  readonly sparsity: number;
  /** The schedule's sparsity at the last refresh (global scope: the global target). */
  readonly targetSparsity: number;
  /** The step of the last refresh. */
  readonly lastRefreshStep: number;
}

/** Pruning state of the whole model; JSON-safe. Before the first refresh the totals are 0 and the step is null. */
export interface MagnitudePruningStats {
  readonly scope: MagnitudeScope;
  readonly size: number;
  readonly pruned: number;
  readonly sparsity: number;
  readonly targetSparsity: number;
  readonly lastRefreshStep: number | null;
  readonly weights: readonly MagnitudeWeightStats[];
}

/** A `WeightTransform` for `quantizeModel` that prunes the smallest weights, with reports. */
export interface MagnitudePruning {
  readonly name: 'magnitude-prune';
  /** Refreshes the masks at refresh steps; the controller calls it before every step. */
  beginStep(context: MagnitudeStepContext): void;
  /** `weight · mask`; the gradient at pruned positions is exactly 0. Identity for a weight without a mask. */
  apply(weight: tf.Tensor, context: MagnitudeTransformContext): tf.Tensor;
  stats(): MagnitudePruningStats;
  /** Copies of the current masks (1 = kept, 0 = pruned) in the variables' element order, by `${layer}/${weight}`. */
  masks(): Map<string, Uint8Array>;
  /** Disposes the mask tensors and forgets every mask: the next `beginStep` starts from scratch. */
  dispose(): void;
}
