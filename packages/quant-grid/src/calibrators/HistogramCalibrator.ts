import { QuantTrimError } from '@quant-trim/errors';
import { type QParams, qparamsForRange } from '../math/computeQParams.js';
import { fakeQuantize } from '../math/fakeQuantize.js';
import { type GroupLayout, forEachRun } from '../math/layout.js';
import type { QuantScheme } from '../scheme.js';
import { GroupTracker } from './groupStats.js';
import { Histogram, type HistogramState } from './Histogram.js';
import type { BaseCalibratorOptions, Calibrator, CalibratorState } from './types.js';

/** Options every histogram calibrator accepts. */
export interface HistogramOptions extends BaseCalibratorOptions {
  /** Bins per side of 0 when a group's histogram is created (the |x| view has this many). Default 2048. */
  bins?: number;
}

export interface HistogramCalibratorState {
  batches: number;
  paramShape: number[] | null;
  groups: HistogramState[];
}

/** Throws `QT_INVALID_CALIBRATOR` naming `calibrator.option`. */
export function invalidOption(calibrator: string, option: string, expected: string, got: unknown): never {
  throw new QuantTrimError({
    code: 'QT_INVALID_CALIBRATOR',
    message: `${calibrator}.${option}: expected ${expected}, got ${JSON.stringify(got)}`,
    details: { option },
  });
}

/** Checks an optional integer option ≥ `min` and returns it or its default. */
export function integerOption(calibrator: string, option: string, value: number | undefined, fallback: number, min: number): number {
  const v = value ?? fallback;
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min) invalidOption(calibrator, option, `an integer ≥ ${min}`, v);
  return v;
}

/** Checks an optional string option against its allowed values. */
export function choiceOption<T extends string>(calibrator: string, option: string, value: T | undefined, allowed: readonly T[]): T {
  const v = value ?? allowed[0]!;
  if (!allowed.includes(v)) invalidOption(calibrator, option, `one of ${allowed.map((a) => `'${a}'`).join(', ')}`, v);
  return v;
}

/**
 * The range a clipping threshold T gives: [−T, T] for signed symmetric schemes, [0, T] for
 * unsigned symmetric ones, and [max(min, −T), min(max, T)] for asymmetric ones (never wider than
 * what was observed, so the integer grid is not wasted on values that never occur).
 */
export function thresholdRange(t: number, min: number, max: number, scheme: QuantScheme): [number, number] {
  if (scheme.symmetric) return scheme.signed ? [-t, t] : [0, t];
  const hi = Math.min(max, t);
  return [Math.min(Math.max(min, -t), hi), hi];
}

/**
 * Non-empty bins of a histogram as float32 values (bin centres) and weights, with a scratch output,
 * so candidate grids can be scored by `fakeQuantize` itself (the same clamp and rounding as data).
 */
export class BinSample {
  readonly values: Float32Array;
  readonly weights: Float64Array;
  readonly #out: Float32Array;
  readonly #qparams: QParams = { scale: new Float32Array(1), zeroPoint: new Int32Array(1), shape: [] };
  #total = 0;

  constructor(counts: Float64Array, lo: number, width: number) {
    let n = 0;
    for (const c of counts) if (c > 0) n++;
    this.values = new Float32Array(n);
    this.weights = new Float64Array(n);
    this.#out = new Float32Array(n);
    for (let t = 0, j = 0; t < counts.length; t++) {
      const c = counts[t]!;
      if (c <= 0) continue;
      this.values[j] = lo + (t + 0.5) * width;
      this.weights[j++] = c;
      this.#total += c;
    }
  }

  /** Σ H·(x̂ − c)² / ΣH over the bins for one (scale, zero point); `scheme` must be per-tensor. */
  error(scale: number, zeroPoint: number, scheme: QuantScheme): number {
    this.#qparams.scale[0] = scale;
    this.#qparams.zeroPoint[0] = zeroPoint;
    const q = fakeQuantize(this.values, [this.values.length], this.#qparams, scheme, this.#out);
    const { values, weights } = this;
    let sum = 0;
    for (let j = 0; j < values.length; j++) {
      const d = q[j]! - values[j]!;
      sum += weights[j]! * d * d;
    }
    return sum / this.#total;
  }
}

/** Rows per block when a channels-last batch is walked channel by channel (256 rows × C floats stay in L2). */
const BLOCK_ROWS = 256;

/**
 * Like `forEachRun`, but a per-channel layout whose channel axis is innermost (inner = 1, where
 * `forEachRun` yields runs of one element) is walked as strided runs of up to `BLOCK_ROWS` rows per
 * channel. Histogram counts do not depend on the visiting order.
 */
export function forEachBlockedRun(layout: GroupLayout, visit: (offset: number, stride: number, length: number, group: number) => void): void {
  const { kind, outer, dim, inner } = layout;
  if (kind !== 'per-channel' || inner !== 1 || outer < 2) {
    forEachRun(layout, visit);
    return;
  }
  for (let o = 0; o < outer; o += BLOCK_ROWS) {
    const length = Math.min(BLOCK_ROWS, outer - o);
    for (let k = 0; k < dim; k++) visit(o * dim + k, dim, length, k);
  }
}

/** `scheme` with per-tensor granularity, to score one group's candidates with `fakeQuantize`. */
export function perTensor(scheme: QuantScheme): QuantScheme {
  return { ...scheme, granularity: { kind: 'per-tensor' } };
}

/**
 * Base of the histogram calibrators (docs/backends.md#histograms): one streaming `Histogram` per
 * parameter group, JSON-safe state, and `compute(scheme)` that turns each group's histogram into
 * (scale, zero point). Subclasses give the range (`rangeFor`); those that produce the grid
 * directly (SQNR, power-of-two) override `qparamsFor` too. Statistics are gathered once; any
 * number of schemes (bit widths, symmetric or not) can then be computed from them.
 *
 * @example
 * class MaxAbsCalibrator extends HistogramCalibrator<HistogramOptions> {
 *   constructor(options: HistogramOptions = {}) { super('max-abs', options); }
 *   protected rangeFor(h: Histogram, scheme: QuantScheme): [number, number] {
 *     return thresholdRange(Math.max(-h.min, h.max), h.min, h.max, scheme);
 *   }
 * }
 */
export abstract class HistogramCalibrator<TOptions extends HistogramOptions> implements Calibrator<TOptions, HistogramCalibratorState> {
  readonly #tracker: GroupTracker;
  readonly #bins: number;
  #hists: Histogram[] = [];
  #batches = 0;

  constructor(
    readonly name: string,
    readonly options: TOptions,
  ) {
    if (typeof options !== 'object' || options === null) invalidOption(name, 'options', 'an options object', options);
    this.#bins = integerOption(name, 'bins', options.bins, 2048, 1);
    this.#tracker = new GroupTracker(name, options.granularity ?? { kind: 'per-tensor' });
  }

  get batches(): number {
    return this.#batches;
  }

  /** One histogram per parameter group (empty before the first batch). */
  get histograms(): readonly Histogram[] {
    return this.#hists;
  }

  observe(x: Float32Array, shape?: readonly number[]): void {
    const layout = this.#tracker.layout(x, shape);
    if (this.#hists.length === 0) this.#hists = Array.from({ length: layout.count }, () => new Histogram(this.#bins));
    const hists = this.#hists;
    for (const h of hists) h.beginBatch();
    forEachBlockedRun(layout, (offset, stride, length, g) => hists[g]!.scan(x, offset, stride, length));
    for (const h of hists) h.prepare();
    forEachBlockedRun(layout, (offset, stride, length, g) => hists[g]!.add(x, offset, stride, length));
    this.#batches++;
  }

  /** Range of one group for `scheme` (called only for groups with a nonzero finite value). */
  protected abstract rangeFor(h: Histogram, scheme: QuantScheme): [number, number];

  /** (scale, zero point) of one group; the default applies the scheme's range rule to `rangeFor`. */
  protected qparamsFor(h: Histogram, scheme: QuantScheme): { scale: number; zeroPoint: number } {
    const rule = scheme.qparamsRule ?? qparamsForRange;
    if (h.width === 0) return rule(0, 0, scheme);
    const [lo, hi] = this.rangeFor(h, scheme);
    return rule(lo, hi, scheme);
  }

  #checked(scheme: QuantScheme): readonly number[] {
    const shape = this.#tracker.checkScheme(scheme);
    if (!this.#hists.some((h) => h.total > 0)) {
      throw new QuantTrimError({ code: 'QT_CALIBRATOR_EMPTY', message: `${this.name}.compute: no finite value has been observed yet` });
    }
    return shape;
  }

  /** The range each group's parameters represent (a group with only zeros gives [0, 0]). */
  ranges(scheme: QuantScheme): { min: Float64Array; max: Float64Array; shape: readonly number[] } {
    const shape = this.#checked(scheme);
    const min = new Float64Array(this.#hists.length);
    const max = new Float64Array(this.#hists.length);
    this.#hists.forEach((h, g) => {
      if (h.width > 0) [min[g], max[g]] = this.rangeFor(h, scheme);
    });
    return { min, max, shape };
  }

  /**
   * The range this calibrator chooses for one histogram that it did not gather itself (a running
   * histogram kept elsewhere, e.g. by a fake-quant activation quantizer); `scheme` is read as
   * per-tensor. A histogram with no nonzero value gives [0, 0]. Same search as `ranges`.
   */
  rangeForHistogram(h: Histogram, scheme: QuantScheme): [number, number] {
    if (h.width === 0) return [0, 0];
    return this.rangeFor(h, perTensor(scheme));
  }

  /** (scale, zero point) this calibrator chooses for one external histogram (see `rangeForHistogram`). */
  qparamsForHistogram(h: Histogram, scheme: QuantScheme): { scale: number; zeroPoint: number } {
    return this.qparamsFor(h, perTensor(scheme));
  }

  compute(scheme: QuantScheme): QParams {
    const shape = this.#checked(scheme);
    const scale = new Float32Array(this.#hists.length);
    const zeroPoint = new Int32Array(this.#hists.length);
    this.#hists.forEach((h, g) => {
      const p = this.qparamsFor(h, scheme);
      scale[g] = p.scale;
      zeroPoint[g] = p.zeroPoint;
    });
    return { scale, zeroPoint, shape: [...shape] };
  }

  reset(): void {
    this.#hists = [];
    this.#batches = 0;
    this.#tracker.paramShape = undefined;
  }

  toJSON(): CalibratorState<TOptions, HistogramCalibratorState> {
    const shape = this.#tracker.paramShape;
    return {
      name: this.name,
      version: 1,
      options: this.options,
      state: { batches: this.#batches, paramShape: shape === undefined ? null : [...shape], groups: this.#hists.map((h) => h.toJSON()) },
    };
  }

  load(state: HistogramCalibratorState): this {
    const groups = typeof state === 'object' && state !== null ? state.groups : undefined;
    const shape = typeof state === 'object' && state !== null ? state.paramShape : undefined;
    const count = Array.isArray(shape) ? shape.reduce((a, b) => a * b, 1) : 0;
    if (!Array.isArray(groups) || (shape !== null && !Array.isArray(shape)) || groups.length !== (shape === null ? 0 : count)) {
      throw new QuantTrimError({
        code: 'QT_INVALID_CALIBRATOR',
        message: `${this.name}.load: expected { paramShape, groups: [] } with one histogram per parameter`,
        details: { option: 'state' },
      });
    }
    this.#hists = groups.map((g) => new Histogram(this.#bins).load(g));
    this.#batches = state.batches;
    this.#tracker.paramShape = shape ?? undefined;
    return this;
  }
}
