import * as tf from '../../tf.js';
import { type QuantScheme, type SchemeOptions, createScheme, schemeToJSON } from '@quant-trim/quant-grid';
import { tensorRanges } from '../../ops/tensorRanges.js';
import { ActivationQuantizer, type ObserverConfig, type RangeStore } from '../../quantizers/ActivationQuantizer.js';
import { type QuantState, standaloneQuantState } from '../../quantizers/QuantState.js';
import type { GradientMode } from '../../types.js';
import type { LearnedScale } from '../../quantizers/mix.js';
import { type LayerArgs, learnedScale } from './QuantLayer.js';
import { type ClampBounds, TAIL_CLAMP_SLOTS, applyClamp, batchTailQuantiles, clampFromEstimate, updateTailEstimate } from '../../activations/tailTrim.js';
import { clampLayerFor } from './Clamp.js';

export interface FakeQuantArgs extends LayerArgs {
  scheme: SchemeOptions;
  gradient?: GradientMode;
  observer?: ObserverConfig;
}

/** The values of `x` with no gradient to its inputs. */
const detach = tf.customGrad((...args) => {
  const x = args[0] as tf.Tensor;
  return { value: tf.clone(x), gradFunc: (dy: tf.Tensor) => tf.zerosLike(dy) };
}) as (x: tf.Tensor) => tf.Tensor;

/**
 * An activation quantization point: observes its input's range (kept as the non-trainable
 * weights `min`, `max` and `observed`, so the checkpoint carries it) and passes the input through
 * the blended fake quantizer. Identity at λ = 0.
 *
 * With `observer.tailTrim` it first clamps its input at the running tail quantiles (kept as the
 * non-trainable weight `tail_clamp` = [low, high, share, seen]), on the float path too, so the
 * observer and the next layers see the clamped values; with `observer.randomCalibration` each
 * training step quantizes with one randomly chosen calibrator's range (see `ActivationQuantizer`).
 */
export class FakeQuant extends tf.layers.Layer {
  static className = 'QuantTrimFakeQuant';
  quantState: QuantState | undefined;
  readonly scheme: QuantScheme;
  readonly observer: ObserverConfig;
  readonly quantizer: ActivationQuantizer;
  min: tf.LayerVariable | undefined;
  max: tf.LayerVariable | undefined;
  observed: tf.LayerVariable | undefined;
  /** Tail-trim estimate [low, high, share, seen] (only with `observer.tailTrim`). */
  tailClamp: tf.LayerVariable | undefined;
  #learned: LearnedScale | undefined;

  constructor(args: FakeQuantArgs) {
    super(args);
    this.scheme = createScheme(args.scheme);
    this.observer = args.observer ?? {};
    this.quantizer = new ActivationQuantizer({ scheme: this.scheme, gradient: args.gradient ?? 'ste', observer: this.observer, name: this.name });
  }

  get state(): QuantState {
    if (this.quantState !== undefined) return this.quantState;
    return standaloneQuantState();
  }

  override build(inputShape: tf.Shape | tf.Shape[]): void {
    const shape = (Array.isArray(inputShape[0]) ? inputShape[0] : inputShape) as tf.Shape;
    const probe = shape.map((d) => d ?? 1);
    const rangeShape = tf.tidy(() => tensorRanges(tf.zeros(probe), this.scheme.granularity).min.shape);
    this.min = this.addWeight('min', rangeShape, 'float32', tf.initializers.zeros(), undefined, false);
    this.max = this.addWeight('max', rangeShape, 'float32', tf.initializers.zeros(), undefined, false);
    this.observed = this.addWeight('observed', [], 'float32', tf.initializers.zeros(), undefined, false);
    if (this.quantizer.tailTrim !== undefined)
      this.tailClamp = this.addWeight('tail_clamp', [TAIL_CLAMP_SLOTS], 'float32', tf.initializers.zeros(), undefined, false);
    if (this.quantizer.gradient === 'lsq') {
      const scale = this.addWeight('scale', rangeShape, 'float32', tf.initializers.ones());
      this.#learned = learnedScale(scale, this.addWeight('scale_ready', [], 'float32', tf.initializers.zeros(), undefined, false));
    }
    this.built = true;
  }

  /** Marks the stored range as observed (after loading weights). */
  syncObserved(): void {
    if (this.observed !== undefined) this.quantizer.initialized = this.observed.read().dataSync()[0] === 1;
  }

  override computeOutputShape(inputShape: tf.Shape | tf.Shape[]): tf.Shape | tf.Shape[] {
    return inputShape;
  }

  override call(inputs: tf.Tensor | tf.Tensor[], kwargs: Record<string, unknown>): tf.Tensor {
    return tf.tidy(() => {
      const training = kwargs['training'] === true;
      const { x, clamp } = this.#trimTail(Array.isArray(inputs) ? inputs[0]! : inputs, training);
      const wasInitialized = this.quantizer.initialized;
      const store = (v: tf.LayerVariable): RangeStore => ({ read: () => v.read(), write: (t) => v.write(t) });
      const y = this.quantizer.apply(x, this.state, { min: store(this.min!), max: store(this.max!) }, training, this.#learned, clamp);
      if (!wasInitialized && this.quantizer.initialized) this.observed!.write(tf.scalar(1));
      return this.state.detachActivations ? detach(y) : y;
    });
  }

  /**
   * Tail trimming: when training with observers live and the refresh is due (the controller's
   * step, or no estimate yet), moves the running quantiles toward this batch's at the share
   * pMax · activation strength; then clamps (training: whenever something is trimmed; inference:
   * only when the clamp is deployed).
   */
  #trimTail(x: tf.Tensor, training: boolean): { x: tf.Tensor; clamp: ClampBounds | undefined } {
    const trim = this.quantizer.tailTrim;
    if (trim === undefined || this.tailClamp === undefined) return { x, clamp: undefined };
    const state = this.state;
    let estimate: Float32Array = Float32Array.from(this.tailClamp.read().dataSync());
    if (training && !state.observersFrozen && (estimate[3] !== 1 || state.step % trim.refreshEvery === 0)) {
      const share = Math.fround(trim.pMax * Math.min(1, Math.max(0, state.activationStrengthValue)));
      estimate = updateTailEstimate(estimate, batchTailQuantiles(x, share, trim.sampleSize, trim.lower), share, trim.momentum);
      this.tailClamp.write(tf.tensor1d(estimate));
    }
    const bounds = training || trim.deploy ? clampFromEstimate(estimate, trim.lower) : undefined;
    return { x: bounds === undefined ? x : applyClamp(x, bounds), clamp: bounds };
  }

  /** The clamp tail trimming trains with right now (undefined: no tail trimming, or nothing trimmed yet). */
  trainingClamp(): ClampBounds | undefined {
    if (this.quantizer.tailTrim === undefined || this.tailClamp === undefined) return undefined;
    return clampFromEstimate(this.tailClamp.read().dataSync(), this.quantizer.tailTrim.lower);
  }

  /**
   * The clamp the deployed float model must apply after this point's input (what backends then
   * calibrate): the tail-trim bounds, or undefined without tail trimming, with `deploy: false`,
   * or before anything was trimmed. Per-tensor bounds.
   */
  deployedClamp(): ClampBounds | undefined {
    return this.quantizer.tailTrim?.deploy === true ? this.trainingClamp() : undefined;
  }

  /** A standard layer applying `deployedClamp()` (`tf.layers.reLU({ maxValue })` when min is 0, else `Clamp`), or undefined. */
  deployedClampLayer(name = `${this.name}_clamp`): tf.layers.Layer | undefined {
    const bounds = this.deployedClamp();
    return bounds === undefined ? undefined : clampLayerFor(bounds, name);
  }

  /**
   * The stored range as numbers (what export turns into Q/DQ parameters), intersected with the
   * deployed tail-trim clamp when there is one (the quantizer never reaches past the clamp).
   */
  range(): { min: number[]; max: number[]; shape: number[] } {
    const clamp = this.deployedClamp();
    const min = Array.from(this.min!.read().dataSync(), (v) => (clamp === undefined ? v : Math.max(v, clamp.min)));
    const max = Array.from(this.max!.read().dataSync(), (v) => (clamp === undefined ? v : Math.min(v, clamp.max)));
    return { min, max, shape: this.min!.shape as number[] };
  }

  override getConfig(): tf.serialization.ConfigDict {
    return {
      ...super.getConfig(),
      scheme: schemeToJSON(this.scheme) as unknown as tf.serialization.ConfigDict,
      gradient: this.quantizer.gradient,
      observer: this.observer as tf.serialization.ConfigDict,
    };
  }
}
