/** Trim statistics of one weight since its last mask refresh (JSON-safe). */
export interface WeightTrimStats {
  readonly layer: string;
  readonly weight: string;
  /** The (viewed) shape the mask was computed on. */
  readonly shape: readonly number[];
  readonly size: number;
  /** Weights trimmed by the current mask. */
  readonly trimmed: number;
  /** trimmed / size. */
  readonly share: number;
  /** Weights trimmed by the previous mask and not by the current one. */
  readonly cameBack: number;
  /** The step of the last refresh. */
  readonly refreshedAt: number;
  /** Strength at the last refresh (after the `strength` schedule, if any). */
  readonly strength: number;
  /** τ over the groups at the last refresh; null when nothing is trimmed. */
  readonly thresholds: { readonly min: number; readonly mean: number; readonly max: number } | null;
}

/** What `ReversePrune.stats()` returns. */
export interface ReversePruneStats {
  readonly name: 'reverse-prune';
  /** The step of the last `beginStep`, or null before the first. */
  readonly step: number | null;
  readonly trimmed: number;
  readonly size: number;
  readonly share: number;
  readonly cameBack: number;
  readonly weights: readonly WeightTrimStats[];
}
