/** One training step as the controller saw it. */
export interface StepInfo {
  step: number;
  totalSteps: number;
  lambda: number;
  strength: number;
  observersFrozen: boolean;
  batchNormFrozen: boolean;
  /** Names of the schemes sampled this step under scheme randomisation. */
  weightScheme?: string;
  activationScheme?: string;
  /** Training logs of the step (loss, metrics), when the trainer reports them. */
  logs?: Record<string, number>;
}

/**
 * Progress hooks, all optional. The library never prints: a CLI or app decides what to show.
 * Hooks may return a promise; the tfjs callback awaits it.
 */
export interface Reporter {
  onRunStart?(info: { totalSteps: number; step: number }): void | Promise<void>;
  onStep?(info: StepInfo): void | Promise<void>;
  onEpochEnd?(info: { epoch: number; step: number; lambda: number; logs: Record<string, number> }): void | Promise<void>;
  onRunEnd?(info: { step: number; lambda: number }): void | Promise<void>;
}
