import { QuantTrimError } from '@quant-trim/errors';
import { checkFloat32 } from '../math/checks.js';
import { type QParams, computeQParams } from '../math/computeQParams.js';
import { groupExtrema } from '../math/computeRanges.js';
import { checkShape } from '../math/layout.js';
import type { QuantScheme } from '../scheme.js';
import { GroupTracker, finiteOrNull, fromNullable } from './groupStats.js';
import type { BaseCalibratorOptions, Calibrator, CalibratorState } from './types.js';

export type MinMaxMode = 'absolute' | 'ema' | 'mean';

export interface MinMaxOptions extends BaseCalibratorOptions {}
export interface EmaMinMaxOptions extends BaseCalibratorOptions {
  /** Weight of the running value: v ← momentum·v + (1 − momentum)·v_batch. Default 0.99 (ORT's c = 0.01). */
  momentum?: number;
}
export interface MeanMinMaxOptions extends BaseCalibratorOptions {
  /** Average per sample (first axis of the batch) rather than per batch. Default false. */
  perSample?: boolean;
}

interface MinMaxState {
  batches: number;
  /** Number of (batch or sample) extrema summed, for the mean mode. */
  count: number;
  paramShape: number[] | null;
  min: (number | null)[];
  max: (number | null)[];
}

/**
 * The min/max family (docs/backends.md#minmax-calibrators): `absolute` running extremes (TFLite, ORT, TensorRT
 * MinMax), `ema` moving average of per-batch extremes (ORT moving_average, PyTorch
 * MovingAverageMinMaxObserver) and `mean` of per-batch (or per-sample) extremes (NNCF).
 */
export class MinMaxCalibrator<TOptions extends BaseCalibratorOptions = MinMaxOptions> implements Calibrator<TOptions, MinMaxState> {
  readonly #tracker: GroupTracker;
  #batches = 0;
  #count = 0;
  #min = new Float64Array(0);
  #max = new Float64Array(0);
  readonly #momentum: number;
  readonly #perSample: boolean;

  constructor(
    readonly name: string,
    readonly mode: MinMaxMode,
    readonly options: TOptions,
  ) {
    this.#tracker = new GroupTracker(name, options.granularity ?? { kind: 'per-tensor' });
    const momentum = (options as EmaMinMaxOptions).momentum ?? 0.99;
    if (mode === 'ema' && !(momentum >= 0 && momentum < 1)) {
      throw new QuantTrimError({ code: 'QT_INVALID_CALIBRATOR', message: `${name}.momentum: expected a number in [0, 1), got ${momentum}` });
    }
    this.#momentum = momentum;
    this.#perSample = mode === 'mean' && ((options as MeanMinMaxOptions).perSample ?? false);
    const g = options.granularity;
    if (this.#perSample && g !== undefined && g.kind !== 'per-tensor' && g.axis >= 0) {
      throw new QuantTrimError({
        code: 'QT_INVALID_CALIBRATOR',
        message: `${name}.granularity.axis: with perSample the first axis is the sample axis; give the channel axis counted from the end (e.g. -1), got ${g.axis}`,
      });
    }
  }

  get batches(): number {
    return this.#batches;
  }

  observe(x: Float32Array, shape?: readonly number[]): void {
    const s = shape ?? [x.length];
    if (this.#perSample) {
      checkFloat32(`${this.name}.observe`, 'x', x);
      checkShape(`${this.name}.observe`, 'x', x.length, s);
      const n = s[0] ?? 1;
      const per = n === 0 ? 0 : x.length / n;
      for (let k = 0; k < n; k++) this.#observeOne(x.subarray(k * per, (k + 1) * per), s.slice(1));
    } else {
      this.#observeOne(x, s);
    }
    this.#batches++;
  }

  #observeOne(x: Float32Array, shape: readonly number[]): void {
    const layout = this.#tracker.layout(x, shape);
    const { min: bmin, max: bmax } = groupExtrema(x, layout);
    if (this.#min.length === 0) {
      this.#min = new Float64Array(layout.count).fill(Infinity);
      this.#max = new Float64Array(layout.count).fill(-Infinity);
    }
    let anyFinite = false;
    for (let g = 0; g < layout.count; g++) {
      const lo = bmin[g]!;
      const hi = bmax[g]!;
      if (lo === Infinity) continue; // group had no finite value in this batch
      anyFinite = true;
      const curLo = this.#min[g]!;
      const curHi = this.#max[g]!;
      if (this.mode === 'absolute' || curLo === Infinity) {
        this.#min[g] = Math.min(curLo, lo);
        this.#max[g] = Math.max(curHi, hi);
      } else if (this.mode === 'ema') {
        const m = this.#momentum;
        this.#min[g] = m * curLo + (1 - m) * lo;
        this.#max[g] = m * curHi + (1 - m) * hi;
      } else {
        // Running mean: the stored values are the mean of `count` extrema.
        const c = this.#count;
        this.#min[g] = curLo + (lo - curLo) / (c + 1);
        this.#max[g] = curHi + (hi - curHi) / (c + 1);
      }
    }
    if (anyFinite) this.#count++;
  }

  /** Current ranges per group (widened to include 0 only later, by `computeQParams`). */
  ranges(): { min: Float64Array; max: Float64Array; shape: readonly number[] } {
    const shape = this.#tracker.paramShape;
    if (shape === undefined || this.#count === 0) {
      throw new QuantTrimError({ code: 'QT_CALIBRATOR_EMPTY', message: `${this.name}.compute: no finite value has been observed yet` });
    }
    const min = this.#min.map((v) => (v === Infinity ? 0 : v));
    const max = this.#max.map((v) => (v === -Infinity ? 0 : v));
    return { min, max, shape };
  }

  compute(scheme: QuantScheme): QParams {
    this.#tracker.checkScheme(scheme);
    return computeQParams(this.ranges(), scheme);
  }

  reset(): void {
    this.#batches = 0;
    this.#count = 0;
    this.#min = new Float64Array(0);
    this.#max = new Float64Array(0);
    this.#tracker.paramShape = undefined;
  }

  toJSON(): CalibratorState<TOptions, MinMaxState> {
    const shape = this.#tracker.paramShape;
    return {
      name: this.name,
      version: 1,
      options: this.options,
      state: {
        batches: this.#batches,
        count: this.#count,
        paramShape: shape === undefined ? null : [...shape],
        min: finiteOrNull(this.#min),
        max: finiteOrNull(this.#max),
      },
    };
  }

  load(state: MinMaxState): this {
    if (typeof state !== 'object' || state === null || !Array.isArray(state.min) || !Array.isArray(state.max) || state.min.length !== state.max.length) {
      throw new QuantTrimError({ code: 'QT_INVALID_CALIBRATOR', message: `${this.name}.load: expected { min: [], max: [] } of equal length` });
    }
    this.#batches = state.batches;
    this.#count = state.count;
    this.#tracker.paramShape = state.paramShape ?? undefined;
    this.#min = fromNullable(state.min, Infinity);
    this.#max = fromNullable(state.max, -Infinity);
    return this;
  }
}
