import * as tf from '@tensorflow/tfjs';
import { type QuantScheme, type SchemeOptions, createScheme, schemeToJSON } from '@quant-trim/quant-grid';
import { tensorRanges } from '../../ops/tensorRanges.js';
import { ActivationQuantizer, type ObserverConfig, type RangeStore } from '../../quantizers/ActivationQuantizer.js';
import { type QuantState, standaloneQuantState } from '../../quantizers/QuantState.js';
import type { GradientMode } from '../../types.js';
import type { LearnedScale } from '../../quantizers/mix.js';
import { type LayerArgs, learnedScale } from './QuantLayer.js';

export interface FakeQuantArgs extends LayerArgs {
  scheme: SchemeOptions;
  gradient?: GradientMode;
  observer?: ObserverConfig;
}

/**
 * An activation quantization point: observes its input's range (kept as the non-trainable
 * weights `min`, `max` and `observed`, so the checkpoint carries it) and passes the input through
 * the blended fake quantizer. Identity at λ = 0.
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
  #learned: LearnedScale | undefined;

  constructor(args: FakeQuantArgs) {
    super(args);
    this.scheme = createScheme(args.scheme);
    this.observer = args.observer ?? {};
    this.quantizer = new ActivationQuantizer({ scheme: this.scheme, gradient: args.gradient ?? 'ste', observer: this.observer });
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
      const x = Array.isArray(inputs) ? inputs[0]! : inputs;
      const wasInitialized = this.quantizer.initialized;
      const store = (v: tf.LayerVariable): RangeStore => ({ read: () => v.read(), write: (t) => v.write(t) });
      const y = this.quantizer.apply(x, this.state, { min: store(this.min!), max: store(this.max!) }, kwargs['training'] === true, this.#learned);
      if (!wasInitialized && this.quantizer.initialized) this.observed!.write(tf.scalar(1));
      return y;
    });
  }

  /** The stored range as numbers (what export turns into Q/DQ parameters). */
  range(): { min: number[]; max: number[]; shape: number[] } {
    return { min: Array.from(this.min!.read().dataSync()), max: Array.from(this.max!.read().dataSync()), shape: this.min!.shape as number[] };
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
