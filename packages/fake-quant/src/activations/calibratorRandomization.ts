import type * as tf from '../tf.js';
import { Histogram, HistogramCalibrator, type HistogramState, type QuantGridRegistry, type QuantScheme, defaultRegistry } from '@quant-trim/quant-grid';
import { QuantTrimError, failExpected } from '@quant-trim/errors';
import { stridedSample } from '../parallel/replicaContext.js';

/** One calibrator of the randomised set: a quant-grid registry name, with options and a label. */
export type RandomCalibratorSpec = string | { readonly name: string; readonly label?: string; readonly options?: Record<string, unknown> };

/**
 * Calibrator randomisation: each training step an activation quantizer takes its range from one
 * calibrator of a set (min/max, percentile, entropy, MSE, SQNR — quant-grid's registry
 * calibrators) computed on a running histogram of its input, sampled deterministically from
 * (seed, step, quantizer), so the network learns to tolerate whichever clipping a backend's
 * calibrator chooses. The EMA observer keeps running alongside: its range is what inference and
 * export use.
 */
export interface CalibratorRandomizationConfig {
  /**
   * The set. Default `DEFAULT_RANDOM_CALIBRATORS`: minmax, percentile 99.99, entropy, mse, sqnr.
   * `minmax` is the histogram's exact min/max; every other entry must be a `HistogramCalibrator`.
   */
  calibrators?: readonly RandomCalibratorSpec[];
  /** Steps between histogram observations (a strided subsample of the batch is read back and binned). Default 10. */
  observeEvery?: number;
  /**
   * Steps between range refreshes: every calibrator searches the histogram of the observations since
   * the last refresh, then a new histogram starts (so it follows the changing distribution). The
   * searches dominate the cost (~0.1 s per quantizer at 2048 bins, measured). Default 200.
   */
  refreshEvery?: number;
  /** Values read back per observation. Default 4096. */
  sampleSize?: number;
  /** Histogram bins per side (TensorRT: 2048). Default 2048. */
  bins?: number;
  /** Seed of the per-step choice. Default 0. */
  seed?: number;
}

/** minmax, percentile 99.99 (|x|, TensorRT), entropy (TensorRT KL), mse (TensorRT MSE), sqnr (AIMET, γ = 3). */
export const DEFAULT_RANDOM_CALIBRATORS: readonly RandomCalibratorSpec[] = [
  'minmax',
  { name: 'percentile', options: { percentile: 99.99 } },
  'entropy',
  'mse',
  'sqnr',
];

/** The JSON state of a randomiser (saved with the checkpoint through the quantizer's calibrator state). */
export interface CalibratorRandomizationState {
  version: 1;
  /** Observations so far. */
  observations: number;
  /** The next observation starts a new histogram (a refresh just consumed this one). */
  restart: boolean;
  histogram: HistogramState | null;
  /** Each calibrator's range [lo, hi] from the last refresh (null before the first). */
  ranges: [number, number][] | null;
}

function bad(field: string, expected: string, got: unknown): never {
  return failExpected(`observer.randomCalibration.${field}`, expected, got);
}

function integer(field: string, value: unknown, fallback: number, min: number): number {
  const v = value ?? fallback;
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min) bad(field, `an integer ≥ ${min}`, v);
  return v;
}

/**
 * Deterministic choice in [0, n) from (seed, step, salt): a resumed run picks exactly what the
 * uninterrupted one did; `salt` (a hash of the quantizer's layer name) decorrelates quantizers.
 */
export function sampleCalibratorIndex(seed: number, step: number, salt: number, n: number): number {
  let t = (Math.imul(seed ^ 0x9e3779b9, 0x85ebca6b) ^ Math.imul(step + 1, 0xc2b2ae35) ^ Math.imul(salt ^ 0x27d4eb2f, 0x165667b1)) >>> 0;
  t = Math.imul(t ^ (t >>> 16), 0x7feb352d) >>> 0;
  t = Math.imul(t ^ (t >>> 15), 0x846ca68b) >>> 0;
  return ((t ^ (t >>> 16)) >>> 0) % n;
}

/** FNV-1a of a string (the quantizer's salt). */
export function hashName(name: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < name.length; i++) h = Math.imul(h ^ name.charCodeAt(i), 0x01000193) >>> 0;
  return h;
}

/**
 * The randomised calibrator set of one activation quantizer: a quant-grid `Histogram` fed every
 * `observeEvery` steps with a strided subsample read back from the device, every calibrator's
 * range recomputed from it every `refreshEvery` steps (then a new histogram starts), and one range
 * chosen per step.
 */
export class CalibratorRandomizer {
  readonly labels: readonly string[];
  readonly observeEvery: number;
  readonly refreshEvery: number;
  readonly sampleSize: number;
  readonly bins: number;
  readonly seed: number;
  readonly #calibrators: (HistogramCalibrator<never> | 'minmax')[];
  #histogram: Histogram | undefined;
  #observations = 0;
  #restart = false;
  #ranges: [number, number][] | undefined;

  constructor(config: CalibratorRandomizationConfig | true, registry: QuantGridRegistry = defaultRegistry) {
    const c: CalibratorRandomizationConfig = config === true ? {} : config;
    if (typeof c !== 'object' || c === null) bad('', 'an options object or true', config);
    this.observeEvery = integer('observeEvery', c.observeEvery, 10, 1);
    this.refreshEvery = integer('refreshEvery', c.refreshEvery, 200, 1);
    this.sampleSize = integer('sampleSize', c.sampleSize, 4096, 16);
    this.bins = integer('bins', c.bins, 2048, 16);
    const seed = c.seed ?? 0;
    if (typeof seed !== 'number' || !Number.isInteger(seed)) bad('seed', 'an integer', seed);
    this.seed = seed;
    const specs = c.calibrators ?? DEFAULT_RANDOM_CALIBRATORS;
    if (!Array.isArray(specs) || specs.length === 0) bad('calibrators', 'a non-empty array of calibrator names or { name, options? }', specs);
    const labels: string[] = [];
    this.#calibrators = specs.map((spec, i) => {
      const s = typeof spec === 'string' ? { name: spec } : spec;
      if (typeof s?.name !== 'string') bad(`calibrators.${i}`, 'a calibrator name or { name, label?, options? }', spec);
      labels.push(s.label ?? s.name);
      if (s.name === 'minmax') return 'minmax';
      let calibrator: unknown;
      try {
        calibrator = registry.calibratorDefinition(s.name).create({ ...(s.options ?? {}), bins: this.bins });
      } catch (e) {
        throw new QuantTrimError({
          code: 'QT_INVALID_ARGUMENT',
          message: `observer.randomCalibration.calibrators.${i}: ${(e as Error).message}`,
          cause: e,
          details: { field: `observer.randomCalibration.calibrators.${i}` },
        });
      }
      if (!(calibrator instanceof HistogramCalibrator))
        bad(`calibrators.${i}`, "'minmax' or a histogram calibrator (percentile, entropy, mse, sqnr, pow2, or a HistogramCalibrator plugin)", s.name);
      return calibrator as HistogramCalibrator<never>;
    });
    this.labels = labels;
  }

  /**
   * One training step (observers live): bins a subsample of `x` when an observation is due (every
   * `observeEvery` steps, or while there are no ranges yet), then recomputes every range when a
   * refresh is due (every `refreshEvery` steps, or the first time there is data).
   */
  step(x: tf.Tensor, step: number, scheme: QuantScheme): void {
    if (step % this.observeEvery === 0 || this.#ranges === undefined) this.#observe(x);
    if ((step % this.refreshEvery === 0 || this.#ranges === undefined) && this.#histogram !== undefined && this.#histogram.total > 0) {
      this.#recompute(scheme);
      this.#restart = true;
    }
  }

  #observe(x: tf.Tensor): void {
    const values = stridedSample(x, this.sampleSize);
    if (this.#histogram === undefined || this.#restart) this.#histogram = new Histogram(this.bins);
    this.#restart = false;
    this.#histogram.observe(values);
    this.#observations++;
  }

  #recompute(scheme: QuantScheme): void {
    const h = this.#histogram!;
    this.#ranges = this.#calibrators.map((c) => (c === 'minmax' ? [h.min, h.max] : c.rangeForHistogram(h, scheme)));
  }

  /** Each calibrator's current range (undefined before the first refresh with a finite value). */
  ranges(): readonly (readonly [number, number])[] | undefined {
    return this.#ranges;
  }

  /** The calibrator index chosen at `step` for the quantizer salted `salt`. */
  choice(step: number, salt: number): number {
    return sampleCalibratorIndex(this.seed, step, salt, this.#calibrators.length);
  }

  /** The range chosen at `step` (undefined before the first refresh). */
  rangeAt(step: number, salt: number): { min: number; max: number; label: string } | undefined {
    const ranges = this.#ranges;
    if (ranges === undefined) return undefined;
    const i = this.choice(step, salt);
    return { min: ranges[i]![0], max: ranges[i]![1], label: this.labels[i]! };
  }

  toJSON(): CalibratorRandomizationState {
    return {
      version: 1,
      observations: this.#observations,
      restart: this.#restart,
      histogram: this.#histogram?.toJSON() ?? null,
      ranges: this.#ranges?.map((r) => [r[0], r[1]]) ?? null,
    };
  }

  load(state: CalibratorRandomizationState): void {
    if (state?.version !== 1 || !Number.isInteger(state.observations) || typeof state.restart !== 'boolean') {
      throw new QuantTrimError({
        code: 'QT_INVALID_ARGUMENT',
        message: 'calibrator randomisation state: expected { version: 1, observations, restart, histogram, ranges } as produced by toJSON()',
      });
    }
    this.#observations = state.observations;
    this.#restart = state.restart;
    this.#histogram = state.histogram === null ? undefined : new Histogram(this.bins).load(state.histogram);
    if (state.ranges !== null && (!Array.isArray(state.ranges) || state.ranges.length !== this.#calibrators.length)) {
      throw new QuantTrimError({
        code: 'QT_INVALID_ARGUMENT',
        message: `calibrator randomisation state: expected ${this.#calibrators.length} ranges, got ${JSON.stringify(state.ranges)}`,
      });
    }
    this.#ranges = state.ranges === null ? undefined : state.ranges.map((r) => [r[0], r[1]]);
  }
}
