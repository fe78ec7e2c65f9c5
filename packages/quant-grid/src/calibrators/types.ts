import type { QParams } from '../math/computeQParams.js';
import type { Granularity, QuantScheme } from '../scheme.js';

/** Options every calibrator accepts. */
export interface BaseCalibratorOptions {
  /**
   * Which elements share statistics (and so parameters). Must match the granularity of the scheme
   * later passed to `compute`. Default per-tensor.
   */
  granularity?: Granularity;
}

/** The JSON form of a calibrator: enough to rebuild it, mid-calibration, through a registry. */
export interface CalibratorState<TOptions = unknown, TState = unknown> {
  /** Registered calibrator name. */
  readonly name: string;
  /** Format version of `state`. */
  readonly version: number;
  readonly options: TOptions;
  readonly state: TState;
}

/**
 * An observer: feed it batches with `observe`, then ask for parameters with `compute(scheme)`.
 * Calibrators never hold the observed data, only running statistics, so any number of batches
 * streams through in constant memory.
 */
export interface Calibrator<TOptions = unknown, TState = unknown> {
  readonly name: string;
  /** Number of `observe` calls so far. */
  readonly batches: number;
  /**
   * Records statistics of one batch. `shape` defaults to `[x.length]`; it is needed for
   * per-channel / per-group granularity. NaN values are skipped.
   */
  observe(x: Float32Array, shape?: readonly number[]): void;
  /** Quantization parameters for `scheme` from everything observed. */
  compute(scheme: QuantScheme): QParams;
  /** Forgets every observation. */
  reset(): void;
  /** JSON-safe state (no Infinity, no typed arrays). */
  toJSON(): CalibratorState<TOptions, TState>;
  /** Restores a state produced by `toJSON` of a calibrator with the same name and options. */
  load(state: TState): this;
}

/** A calibrator plugin: a name and a factory, as `defineCalibrator` returns it. */
// biome-ignore lint/suspicious/noExplicitAny: the default must accept every plugin's options type (unknown would not: create's parameter is contravariant)
export interface CalibratorDefinition<TOptions = any> {
  readonly name: string;
  readonly description?: string;
  create(options?: TOptions): Calibrator<TOptions>;
}
