/** A long-running phase shown as one progress bar (TTY) or start/end lines (plain). */
export type Phase = 'load' | 'train' | 'calibrate' | 'evaluate' | 'export' | 'report';

export interface RunStartEvent {
  readonly command: string;
  /** The exact command line, for reports and logs. */
  readonly argv: readonly string[];
}

export interface PhaseStartEvent {
  readonly phase: Phase;
  /** Human label, e.g. `train quant-trim (cnn)`. */
  readonly label: string;
  /** Units of work in this phase (steps, profiles, samples); absent when unknown. */
  readonly total?: number;
}

export interface ProgressEvent {
  readonly phase: Phase;
  readonly label: string;
  readonly done: number;
  readonly total: number;
  /** Short status after the bar, e.g. `loss 0.312`. */
  readonly detail?: string;
}

export interface EpochEndEvent {
  readonly method: string;
  readonly epoch: number;
  readonly epochs: number;
  readonly loss: number;
  readonly testAccuracy: number;
  readonly seconds: number;
  /** The checkpoint directory written for this epoch. */
  readonly checkpoint?: string;
  /** The activation tensor the calibration methods disagree on most (ratio of widest to narrowest range). */
  readonly disagreement?: { readonly layer: string; readonly ratio: number };
}

export interface EvalEndEvent {
  readonly model: string;
  readonly profile: string;
  readonly status: 'ok' | 'error';
  readonly accuracy?: number;
  readonly drop?: number;
  readonly error?: string;
}

export interface ArtifactEvent {
  readonly kind: 'checkpoint' | 'onnx' | 'encodings' | 'report-json' | 'report-html' | 'table';
  readonly path: string;
}

export interface RunEndEvent {
  readonly ok: boolean;
  readonly seconds: number;
}

/**
 * Where commands send progress; libraries never print. Built-in reporters: `default` (progress
 * bars with ETA on a TTY, plain lines otherwise, colour off under NO_COLOR / CI) and `json`
 * (one NDJSON event per line on stdout). Every hook is optional.
 */
export interface Reporter {
  onRunStart?(e: RunStartEvent): void;
  onPhaseStart?(e: PhaseStartEvent): void;
  onProgress?(e: ProgressEvent): void;
  onPhaseEnd?(e: { readonly phase: Phase; readonly label: string; readonly seconds: number }): void;
  onEpochEnd?(e: EpochEndEvent): void;
  onEvalEnd?(e: EvalEndEvent): void;
  onArtifact?(e: ArtifactEvent): void;
  /** A line of result text (tables, summaries) meant for the user. */
  onResult?(text: string): void;
  onWarning?(message: string): void;
  onRunEnd?(e: RunEndEvent): void;
}
