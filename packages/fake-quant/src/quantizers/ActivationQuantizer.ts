import * as tf from '@tensorflow/tfjs';
import { type Calibrator, type CalibratorState, type QuantGridRegistry, type QuantScheme, defaultRegistry } from '@quant-trim/quant-grid';
import { QuantTrimError } from '@quant-trim/internal';
import type { GradientMode } from '../types.js';
import type { QuantState } from './QuantState.js';
import { type LearnedScale, quantizeLearned, quantizePoint } from './mix.js';
import { tensorRanges } from '../ops/tensorRanges.js';

/**
 * How an activation quantizer finds its range (METHOD.md §3.2):
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
      this.calibrator = registry.calibrator(observer.calibrator.name as never, { ...(observer.calibrator.options ?? {}), granularity: this.scheme.granularity } as never);
    }
  }

  /** The scheme in force this step (a randomised activation scheme keeps this one's granularity). */
  activeScheme(state: QuantState): QuantScheme {
    return state.sampledActivationScheme ?? this.scheme;
  }

  /** Observe (when training and not frozen), then fake-quantize and blend. Call inside `tf.tidy`. */
  apply(x: tf.Tensor, state: QuantState, range: { min: RangeStore; max: RangeStore }, training: boolean, learned?: LearnedScale): tf.Tensor {
    const observe = training && !state.observersFrozen;
    if (state.lambdaValue === 0) {
      // Float forward; observers still learn the range (the curriculum's warm-up calibrates them).
      if (observe && this.mode !== 'dynamic') tf.tidy(() => void this.#range(x, range, true));
      return x;
    }
    if (this.gradient === 'lsq') {
      if (learned === undefined) throw new QuantTrimError({ code: 'QT_INVALID_ARGUMENT', message: "activation quantizer: gradient 'lsq' needs a learned scale variable" });
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
    return quantizePoint(x, this.activeScheme(state), state, { clipped: this.gradient === 'clipped-ste', range: (input) => this.#range(input, range, observe) });
  }

  /** The range to quantize with, updating the observer first when `observe`. */
  #range(x: tf.Tensor, range: { min: RangeStore; max: RangeStore }, observe: boolean): { min: tf.Tensor; max: tf.Tensor } {
    const granularity = this.scheme.granularity;
    if (this.mode === 'dynamic' || (!this.initialized && !observe)) return tensorRanges(x, granularity);
    if (this.mode === 'ema') {
      if (observe) {
        const batch = tensorRanges(x, granularity);
        const m = this.momentum;
        const min = this.initialized ? range.min.read().mul(m).add(batch.min.mul(1 - m)) : batch.min;
        const max = this.initialized ? range.max.read().mul(m).add(batch.max.mul(1 - m)) : batch.max;
        range.min.write(min);
        range.max.write(max);
        this.initialized = true;
        return { min, max };
      }
      return { min: range.min.read(), max: range.max.read() };
    }
    if (observe) {
      this.calibrator!.observe(x.dataSync() as Float32Array, x.shape);
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

  /** JSON state of a calibrator observer (EMA ranges live in the range stores). */
  calibratorState(): CalibratorState | undefined {
    return this.calibrator?.toJSON();
  }

  loadCalibratorState(state: CalibratorState): void {
    this.calibrator?.load(state.state);
  }
}
