import * as tf from '../tf.js';
import type { QuantScheme } from '@quant-trim/quant-grid';

/**
 * What every quantizer of one model shares and the controller drives each step: the global blend
 * coefficient λ (a scalar variable, so changing it recompiles and allocates nothing), the strength
 * handed to the weight transform (reverse pruning's p_t), freeze flags, and, under scheme
 * randomisation, the schemes sampled for this step.
 */
export class QuantState {
  /** λ ∈ [0, 1]: 0 = float, 1 = full fake quantization (docs/method.md#progressive-fake-quantization). */
  readonly lambda: tf.Variable<tf.Rank.R0>;
  #lambdaValue: number;
  /** Strength passed to the weight transform hook (e.g. the trim schedule's p_t / p_max). */
  strength = 0;
  /**
   * Strength of activation tail trimming (the trimmed share is pMax · strength). undefined (default)
   * = follow λ; the controller sets it when given an `activationStrength` schedule.
   */
  activationStrength: number | undefined;
  /** Training step the controller last set. */
  step = 0;
  /** Observers stop updating their ranges. */
  observersFrozen = false;
  /** Kept BatchNormalization layers stop updating their moving statistics. */
  batchNormFrozen = false;
  /**
   * While true, every activation quantizer passes its output on without a gradient to what comes
   * before it, so a loss on a tensor reaches only the layers since the previous quantization point
   * (blank-response suppression's probe). Default false.
   */
  detachActivations = false;
  /** Scheme randomisation: the schemes sampled for this step (undefined = each layer's own). */
  sampledWeightScheme: QuantScheme | undefined;
  sampledActivationScheme: QuantScheme | undefined;

  constructor(lambda = 1) {
    this.#lambdaValue = lambda;
    this.lambda = tf.variable(tf.scalar(lambda), false, `quant_trim_lambda_${nextId++}`) as tf.Variable<tf.Rank.R0>;
  }

  get lambdaValue(): number {
    return this.#lambdaValue;
  }

  /** The activation strength in force: `activationStrength`, or λ when unset. */
  get activationStrengthValue(): number {
    return this.activationStrength ?? this.#lambdaValue;
  }

  /** Sets λ (clamped to [0, 1]) without allocating a new variable. */
  setLambda(value: number): void {
    const v = Math.min(1, Math.max(0, value));
    if (v === this.#lambdaValue) return;
    this.#lambdaValue = v;
    tf.tidy(() => this.lambda.assign(tf.scalar(v)));
  }

  dispose(): void {
    this.lambda.dispose();
  }
}

let nextId = 0;
let standalone: QuantState | undefined;

/**
 * The state quantized layers fall back on when nothing attached one (a model loaded with plain
 * `tf.loadLayersModel`): λ = 1, so they behave as deployed. One instance, shared by all such layers.
 */
export function standaloneQuantState(): QuantState {
  standalone ??= new QuantState(1);
  return standalone;
}
