import * as tf from '../tf.js';
import { type Calibrator, type CalibratorState, type QuantGridRegistry, type QuantScheme, defaultRegistry } from '@quant-trim/quant-grid';
import { QuantTrimError } from '@quant-trim/errors';
import type { GradientMode } from '../types.js';
import type { QuantState } from './QuantState.js';
import { type LearnedScale, quantizeLearned, quantizePoint } from './mix.js';
import { tensorRanges } from '../ops/tensorRanges.js';
import { allReduceRange, gatherBatch } from '../parallel/replicaContext.js';
import {
  type CalibratorRandomizationConfig,
  type CalibratorRandomizationState,
  CalibratorRandomizer,
  hashName,
} from '../activations/calibratorRandomization.js';
import { type ResolvedTailTrim, type TailTrimConfig, resolveTailTrim } from '../activations/tailTrim.js';

/** `CalibratorState.name` of a quantizer whose state carries calibrator randomisation (and its calibrator observer, if any). */
export const RANDOMIZED_OBSERVER_STATE = 'quant-trim:randomized-observer';

/**
 * How an activation quantizer finds its range (docs/method.md#scales-and-activation-observers):
 * - `ema` (default): exponential moving average of per-batch min/max while training, frozen on
 *   request; inference uses the stored range;
 * - `dynamic`: the current batch's range every call, training or not (backends with dynamic
 *   activation scaling);
 * - `calibrator`: any quant-grid calibrator (by registry name) observes each training batch;
 *   this reads the activations back to the CPU, so it is slower than `ema`.
 */
export interface ObserverConfig {
  mode?: 'ema' | 'dynamic' | 'calibrator';
  /** EMA weight of the running range: v ← m·v + (1 − m)·v_batch. Default 0.99. */
  momentum?: number;
  /** For `calibrator` mode: registry name and options. */
  calibrator?: { name: string; options?: Record<string, unknown> };
  /**
   * Activation tail trimming (off by default; `true` = defaults): clamp the input at a running
   * quantile trimming the share pMax · strength of each tail, in training and (default) deployment.
   * The observer sees the clamped values. See `TailTrimConfig`.
   */
  tailTrim?: TailTrimConfig | true;
  /**
   * Calibrator randomisation (off by default; `true` = defaults; per-tensor activation schemes):
   * each training step the quantizer uses the range of one calibrator of a set, computed on a
   * running histogram of its input; the observer's range stays what inference and export use.
   * Not applied with the `lsq` gradient. See `CalibratorRandomizationConfig`.
   */
  randomCalibration?: CalibratorRandomizationConfig | true;
}

/** Where a quantizer keeps its range (layer weights, or plain variables). */
export interface RangeStore {
  read(): tf.Tensor;
  write(value: tf.Tensor): void;
}

export interface ActivationQuantizerOptions {
  scheme: QuantScheme;
  gradient?: GradientMode;
  observer?: ObserverConfig;
  registry?: QuantGridRegistry;
  /** Name of the quantization point (salts the randomised calibrator choice). Default ''. */
  name?: string;
}

/**
 * Observes and fake-quantizes one activation tensor. Per-tensor or per-channel (any axis)
 * schemes; the range lives in `RangeStore`s so a layer can keep it among its weights and it is
 * saved with the checkpoint.
 */
export class ActivationQuantizer {
  readonly scheme: QuantScheme;
  readonly gradient: GradientMode;
  readonly mode: 'ema' | 'dynamic' | 'calibrator';
  readonly momentum: number;
  readonly calibrator: Calibrator | undefined;
  /** Whether a range has been observed (or loaded); before that every call uses the batch range. */
  initialized = false;
  /** Tail-trim settings (the running estimate lives with the layer, see `FakeQuant`). */
  readonly tailTrim: ResolvedTailTrim | undefined;
  /** Calibrator randomisation, when on. */
  readonly randomizer: CalibratorRandomizer | undefined;
  /** Salt of the randomised choice: a hash of the quantizer's name. */
  readonly salt: number;

  constructor(options: ActivationQuantizerOptions) {
    this.scheme = options.scheme;
    this.gradient = options.gradient ?? 'ste';
    const observer = options.observer ?? {};
    this.mode = observer.mode ?? 'ema';
    this.momentum = observer.momentum ?? 0.99;
    if (!(this.momentum >= 0 && this.momentum < 1)) {
      throw new QuantTrimError({ code: 'QT_INVALID_ARGUMENT', message: `observer.momentum: expected a number in [0, 1), got ${this.momentum}` });
    }
    if (this.mode === 'calibrator') {
      if (observer.calibrator === undefined) {
        throw new QuantTrimError({ code: 'QT_INVALID_ARGUMENT', message: "observer.calibrator: mode 'calibrator' needs { name, options? }" });
      }
      const registry = options.registry ?? defaultRegistry;
      this.calibrator = registry.calibrator(observer.calibrator.name, { ...(observer.calibrator.options ?? {}), granularity: this.scheme.granularity });
    }
    this.tailTrim = observer.tailTrim === undefined ? undefined : resolveTailTrim(observer.tailTrim);
    if (observer.randomCalibration !== undefined && this.scheme.granularity.kind !== 'per-tensor') {
      throw new QuantTrimError({
        code: 'QT_INVALID_ARGUMENT',
        message: `observer.randomCalibration: needs a per-tensor activation scheme, got ${this.scheme.granularity.kind}`,
        details: { field: 'observer.randomCalibration' },
      });
    }
    this.randomizer =
      observer.randomCalibration === undefined ? undefined : new CalibratorRandomizer(observer.randomCalibration, options.registry ?? defaultRegistry);
    this.salt = hashName(options.name ?? '');
  }

  /**
   * Under calibrator randomisation, the range this training step quantizes with: refreshes the
   * running histogram first when due (training, observers not frozen), then picks one
   * calibrator's range from (seed, step, salt). undefined when off, not training, or before the
   * first refresh.
   */
  randomRange(x: tf.Tensor, state: QuantState, training: boolean): { min: number; max: number; label: string } | undefined {
    const r = this.randomizer;
    if (r === undefined || !training || this.gradient === 'lsq') return undefined;
    if (!state.observersFrozen) r.step(x, state.step, this.scheme);
    return r.rangeAt(state.step, this.salt);
  }

  /** The scheme in force this step (a randomised activation scheme keeps this one's granularity). */
  activeScheme(state: QuantState): QuantScheme {
    return state.sampledActivationScheme ?? this.scheme;
  }

  /** Observe (when training and not frozen), then fake-quantize and blend. Call inside `tf.tidy`. */
  apply(
    x: tf.Tensor,
    state: QuantState,
    range: { min: RangeStore; max: RangeStore },
    training: boolean,
    learned?: LearnedScale,
    clamp?: { min: number; max: number },
  ): tf.Tensor {
    const observe = training && !state.observersFrozen;
    const random = this.randomRange(x, state, training);
    if (state.lambdaValue === 0) {
      // Float forward; observers still learn the range (the curriculum's warm-up calibrates them).
      if (observe && this.mode !== 'dynamic') tf.tidy(() => void this.#range(x, range, true));
      return x;
    }
    if (this.gradient === 'lsq') {
      if (learned === undefined)
        throw new QuantTrimError({ code: 'QT_INVALID_ARGUMENT', message: "activation quantizer: gradient 'lsq' needs a learned scale variable" });
      // Clones: the range may be the observer's own variables, which must outlive this call.
      const observed = tf.tidy(() => {
        const r = this.#range(x, range, observe);
        return [r.min.clone(), r.max.clone()] as const;
      });
      try {
        return quantizeLearned(x, this.scheme, state, learned, () => ({ min: observed[0], max: observed[1] }));
      } finally {
        tf.dispose([...observed]);
      }
    }
    const base =
      random === undefined ? (input: tf.Tensor) => this.#range(input, range, observe) : (input: tf.Tensor) => this.#randomized(input, range, observe, random);
    // Under tail trimming the grid never reaches past the clamp (the observer's EMA may lag it).
    const source =
      clamp === undefined
        ? base
        : (input: tf.Tensor) => {
            const r = base(input);
            return { min: Number.isFinite(clamp.min) ? tf.maximum(r.min, clamp.min) : r.min, max: tf.minimum(r.max, clamp.max) };
          };
    return quantizePoint(x, this.activeScheme(state), state, { clipped: this.gradient === 'clipped-ste', range: source });
  }

  /** The observer still learns (its range is what is exported); this step quantizes with `random`. */
  #randomized(
    x: tf.Tensor,
    range: { min: RangeStore; max: RangeStore },
    observe: boolean,
    random: { min: number; max: number },
  ): { min: tf.Tensor; max: tf.Tensor } {
    const observed = this.#range(x, range, observe);
    return { min: tf.fill(observed.min.shape, random.min), max: tf.fill(observed.max.shape, random.max) };
  }

  /** The range to quantize with, updating the observer first when `observe`. */
  #range(x: tf.Tensor, range: { min: RangeStore; max: RangeStore }, observe: boolean): { min: tf.Tensor; max: tf.Tensor } {
    const granularity = this.scheme.granularity;
    // Observing means training: in a data-parallel run the batch range is the global batch's.
    const batchRange = () => (observe ? allReduceRange(tensorRanges(x, granularity)) : tensorRanges(x, granularity));
    if (this.mode === 'dynamic' || (!this.initialized && !observe)) return batchRange();
    if (this.mode === 'ema') {
      if (observe) {
        const batch = batchRange();
        const m = this.momentum;
        const min = this.initialized
          ? range.min
              .read()
              .mul(m)
              .add(batch.min.mul(1 - m))
          : batch.min;
        const max = this.initialized
          ? range.max
              .read()
              .mul(m)
              .add(batch.max.mul(1 - m))
          : batch.max;
        range.min.write(min);
        range.max.write(max);
        this.initialized = true;
        return { min, max };
      }
      return { min: range.min.read(), max: range.max.read() };
    }
    if (observe) {
      const batch = gatherBatch(x);
      this.calibrator!.observe(batch.values, batch.shape);
      const qp = this.calibrator!.compute(this.scheme);
      // Store the grid's representable range, so inference and export see what training used.
      const lo = Float32Array.from(qp.scale, (s, i) => s * (this.scheme.qmin - qp.zeroPoint[i]!));
      const hi = Float32Array.from(qp.scale, (s, i) => s * (this.scheme.qmax - qp.zeroPoint[i]!));
      const shape = range.min.read().shape;
      range.min.write(tf.tensor(lo, shape));
      range.max.write(tf.tensor(hi, shape));
      this.initialized = true;
    }
    return { min: range.min.read(), max: range.max.read() };
  }

  /**
   * JSON state of a calibrator observer (EMA ranges live in the range stores). Under calibrator
   * randomisation: `{ name: RANDOMIZED_OBSERVER_STATE, state: { calibrator, randomization } }`, so
   * the running histogram and ranges travel with the checkpoint's calibrator states.
   */
  calibratorState(): CalibratorState | undefined {
    const inner = this.calibrator?.toJSON();
    if (this.randomizer === undefined) return inner;
    return { name: RANDOMIZED_OBSERVER_STATE, version: 1, options: {}, state: { calibrator: inner ?? null, randomization: this.randomizer.toJSON() } };
  }

  loadCalibratorState(state: CalibratorState): void {
    if (state?.name === RANDOMIZED_OBSERVER_STATE) {
      const s = state.state as { calibrator: CalibratorState | null; randomization: CalibratorRandomizationState };
      if (s.calibrator !== null) this.calibrator?.load(s.calibrator.state);
      this.randomizer?.load(s.randomization);
      return;
    }
    this.calibrator?.load(state.state);
  }
}
