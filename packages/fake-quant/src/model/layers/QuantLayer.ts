import * as tf from '../../tf.js';
import { type QuantScheme, type SchemeOptions, createScheme, schemeToJSON } from '@quant-trim/quant-grid';
import { tensorRanges } from '../../ops/tensorRanges.js';
import type { LearnedScale } from '../../quantizers/mix.js';
import { type QuantState, standaloneQuantState } from '../../quantizers/QuantState.js';
import { type QuantizedWeight, type WeightTransform, WeightQuantizer } from '../../quantizers/WeightQuantizer.js';
import type { GradientMode } from '../../types.js';
import { foldBatchNorm } from '../foldBatchNorm.js';
import type { QuantBatchNormalization } from './QuantBatchNormalization.js';

/** The quantization part of a quantized layer's serialised config, plus what every weighted layer has. */
export interface QuantLayerArgs {
  /** Weight grid (quant-grid scheme JSON); null keeps the weights float. */
  weightScheme?: SchemeOptions | null;
  gradient?: GradientMode;
  /** A tfjs activation name, applied after the bias. Default 'linear'. */
  activation?: string;
  useBias?: boolean;
}

export type LayerArgs = NonNullable<ConstructorParameters<typeof tf.layers.Layer>[0]>;
type Kwargs = Record<string, unknown>;

/**
 * Base of the layers that fake-quantize their weights. The shared `QuantState` (λ, strength,
 * freeze flags) is attached by `quantizeModel` / `loadQuantizedModel`; it is runtime state, not
 * part of the layer config.
 */
export abstract class QuantLayer extends tf.layers.Layer {
  quantState: QuantState | undefined;
  readonly weightScheme: QuantScheme | null;
  readonly gradient: GradientMode;
  readonly activation: string;
  readonly useBias: boolean;
  bias: tf.LayerVariable | undefined;
  readonly #activate: ((x: tf.Tensor) => tf.Tensor) | undefined;
  readonly #quantizers = new Map<string, WeightQuantizer>();
  readonly #learned = new Map<string, LearnedScale>();
  readonly #specs: QuantizedWeight[] = [];
  #transform: WeightTransform | undefined;
  /**
   * The BatchNorm after this layer whose statistics its weight is fake-quantized folded with
   * (`batchNorm: 'fold'`); attached by `quantizeModel` / `loadQuantizedModel` from the BatchNorm's
   * `foldedInto` config.
   */
  foldedBatchNorm: QuantBatchNormalization | undefined;
  /** The weight whose output channels a following BatchNorm normalises (the one folding scales). */
  readonly foldedWeightName: string = 'kernel';

  constructor(args: LayerArgs & QuantLayerArgs) {
    super(args);
    this.weightScheme = args.weightScheme ? createScheme(args.weightScheme) : null;
    this.gradient = args.gradient ?? 'ste';
    this.activation = args.activation ?? 'linear';
    this.useBias = args.useBias ?? true;
    this.#activate = activationFn(this.activation);
  }

  /** Adds the bias (when used) and applies the activation. */
  protected finish(y: tf.Tensor): tf.Tensor {
    const biased = this.bias === undefined ? y : y.add(this.bias.read());
    return this.#activate ? this.#activate(biased) : biased;
  }

  get state(): QuantState {
    if (this.quantState !== undefined) return this.quantState;
    return standaloneQuantState();
  }

  /** Sets (or clears) the weight transform hook of every weight of this layer. */
  setWeightTransform(transform: WeightTransform | undefined): void {
    this.#transform = transform;
    for (const q of this.#quantizers.values()) q.transform = transform;
  }

  /** The quantizer of one weight, placed on that weight's channel and group axes. */
  protected quantizer(weight: string, channelAxis: number, groupAxis: number): WeightQuantizer | undefined {
    if (this.weightScheme === null) return undefined;
    let q = this.#quantizers.get(weight);
    if (q === undefined) {
      q = new WeightQuantizer({
        scheme: this.weightScheme,
        axes: { channel: channelAxis, group: groupAxis },
        gradient: this.gradient,
        ...(this.#transform ? { transform: this.#transform } : {}),
      });
      this.#quantizers.set(weight, q);
    }
    return q;
  }

  /**
   * In `build`: with the `lsq` gradient, adds the learned scale of one weight (trainable, saved
   * with the checkpoint, initialised from the weight's statistics on first use).
   */
  protected addLearnedScale(weight: string, shape: number[], channelAxis: number, groupAxis: number, view?: number[]): void {
    const variable = this.weights.find((w) => w.originalName.endsWith(`/${weight}`));
    if (variable !== undefined && this.weightScheme !== null) this.#specs.push({ layer: this.name, weight, variable, channelAxis, view: view ?? shape });
    if (this.gradient !== 'lsq' || this.weightScheme === null) return;
    const granularity = this.quantizer(weight, channelAxis, groupAxis)!.scheme.granularity;
    const scaleShape = tf.tidy(() => tensorRanges(tf.zeros(view ?? shape), granularity).min.shape);
    const scale = this.addWeight(`${weight}_scale`, scaleShape, 'float32', tf.initializers.ones());
    const ready = this.addWeight(`${weight}_scale_ready`, [], 'float32', tf.initializers.zeros(), undefined, false);
    this.#learned.set(weight, learnedScale(scale, ready));
  }

  /**
   * The float value of one of this layer's weights as training feeds it to the quantizer: the
   * weight transform (e.g. reverse pruning's trim) applied at the current strength, not quantized.
   * Exporters quantize this, so the exported grid matches training.
   */
  transformedWeight(weight: string): Float32Array {
    const variable = this.weights.find((w) => w.originalName.endsWith(`/${weight}`));
    if (variable === undefined) throw new Error(`${this.name} has no weight ${weight}`);
    const spec = this.#specs.find((s) => s.weight === weight);
    if (this.#transform === undefined || spec === undefined) return variable.read().dataSync() as Float32Array;
    return tf.tidy(() => this.#applyTransform(variable.read().reshape([...spec.view]), spec).dataSync() as Float32Array);
  }

  /**
   * The float weights a deployed model gets from this layer, in the order of a plain tfjs layer
   * ([kernel(s)…, bias?]): with `applyTransform`, the weight transform applied the way training
   * applies it (same view and channel axis); then a folded BatchNorm's moving statistics folded in
   * (W·γ/σ and (b − μ)·γ/σ + β, so a bias is always present then). The caller disposes them.
   */
  deployedWeights(applyTransform: boolean): tf.Tensor[] {
    return tf.tidy(() => {
      const own = this.weights.filter((w) => QuantLayer.isOwnWeight(w.originalName));
      const values = own.map((w) => {
        const spec = this.#specs.find((s) => s.variable === w);
        const v = w.read().clone(); // never the variable's own tensor: the caller disposes these
        return applyTransform && spec !== undefined ? this.#applyTransform(v.reshape([...spec.view]), spec).reshape(v.shape) : v;
      });
      const bn = this.foldedBatchNorm;
      if (bn === undefined || bn.movingVariance === undefined) return values;
      return foldBatchNorm(this.foldedWeightName === 'depthwise_kernel' ? 'DepthwiseConv2D' : this.getClassName(), values, this.useBias, bn);
    });
  }

  /**
   * One weight of `deployedWeights(true)` by name (`kernel`, `depthwise_kernel`, `pointwise_kernel`,
   * `bias`), as exporters write it: transformed, and folded with the BatchNorm when one is folded
   * into this layer (which gives the layer a `bias` even without its own).
   */
  deployedWeight(weight: string): Float32Array | undefined {
    const names = this.weights.filter((w) => QuantLayer.isOwnWeight(w.originalName)).map((w) => w.originalName.split('/').pop() ?? '');
    if (this.foldedBatchNorm !== undefined && !this.useBias) names.push('bias');
    const k = names.indexOf(weight);
    if (k < 0) return undefined;
    const values = this.deployedWeights(true);
    try {
      return values[k]!.dataSync() as Float32Array;
    } finally {
      tf.dispose(values);
    }
  }

  /** The weight transform at the current strength, outside training (as exporters apply it). */
  #applyTransform(viewed: tf.Tensor, spec: QuantizedWeight): tf.Tensor {
    const transform = this.#transform;
    if (transform === undefined) return viewed;
    const state = this.state;
    return transform.apply(viewed, {
      strength: state.strength,
      step: state.step,
      layer: this.name,
      weight: spec.weight,
      channelAxis: spec.channelAxis,
      training: false,
    });
  }

  /** The weights this layer fake-quantizes (after `build`), for weight transforms. */
  quantizedWeights(): readonly QuantizedWeight[] {
    return this.#specs;
  }

  /** Names of the weights that hold float parameters of the layer itself (not learned scales). */
  static isOwnWeight(name: string): boolean {
    return !/_scale(_ready)?$/.test(name);
  }

  /**
   * The fake-quantized (and blended) value of a weight variable for this call. `view` reshapes the
   * weight while quantizing (depthwise kernels are quantized as [kh, kw, C·M]).
   */
  protected quantizedWeight(variable: tf.LayerVariable, weight: string, channelAxis: number, groupAxis: number, kwargs: Kwargs, view?: number[]): tf.Tensor {
    const value = variable.read();
    const q = this.quantizer(weight, channelAxis, groupAxis);
    if (q === undefined) return value;
    const viewed = view === undefined ? value : value.reshape(view);
    const context = { layer: this.name, weight, channelAxis, training: kwargs['training'] === true };
    const factor = weight === this.foldedWeightName ? this.#foldFactor(viewed.rank, channelAxis) : undefined;
    let out: tf.Tensor;
    if (factor === undefined) {
      out = q.apply(viewed, this.state, context, this.#learned.get(weight));
    } else {
      // Folded BatchNorm: transform the master weight (masks refer to it), quantize W·γ/σ on the
      // grid a backend gives the folded weight, then divide back by γ/σ.
      const transform = q.transform;
      const state = this.state;
      const trimmed = transform === undefined ? viewed : transform.apply(viewed, { ...context, strength: state.strength, step: state.step });
      q.transform = undefined;
      try {
        out = q.apply(trimmed.mul(factor), state, context, this.#learned.get(weight)).div(factor);
      } finally {
        q.transform = transform;
      }
    }
    return view === undefined ? out : out.reshape(value.shape);
  }

  /** The folded BatchNorm's factor γ/σ shaped to broadcast along `channelAxis`, if one is attached and built. */
  #foldFactor(rank: number, channelAxis: number): tf.Tensor | undefined {
    const factor = this.foldedBatchNorm?.foldFactor();
    if (factor === undefined) return undefined;
    const shape = new Array<number>(rank).fill(1);
    shape[channelAxis] = factor.shape[0];
    return factor.reshape(shape);
  }

  /** Weight schemes actually used, by weight name (for reports and export). */
  weightSchemes(): Record<string, QuantScheme> {
    return Object.fromEntries([...this.#quantizers].map(([k, q]) => [k, q.scheme]));
  }

  override getConfig(): tf.serialization.ConfigDict {
    return {
      ...super.getConfig(),
      weightScheme: this.weightScheme === null ? null : (schemeToJSON(this.weightScheme) as unknown as tf.serialization.ConfigDict),
      gradient: this.gradient,
      activation: this.activation,
      useBias: this.useBias,
    };
  }
}

/** A learned scale kept in layer weights; readiness is read back once after loading. */
export function learnedScale(scale: tf.LayerVariable, ready: tf.LayerVariable): LearnedScale {
  let isReady = false;
  return {
    read: () => scale.read(),
    write: (t) => scale.write(t),
    ready: () => (isReady ||= ready.read().dataSync()[0] === 1),
    markReady: () => {
      isReady = true;
      ready.write(tf.scalar(1));
    },
  };
}

/** Applies a tfjs activation by name through tfjs's own implementation. */
export function activationFn(name: string | undefined): ((x: tf.Tensor) => tf.Tensor) | undefined {
  if (name === undefined || name === 'linear' || name === null) return undefined;
  const layer = tf.layers.activation({ activation: name as Parameters<typeof tf.layers.activation>[0]['activation'] });
  return (x) => layer.apply(x) as tf.Tensor;
}

/** Normalises a tfjs size/stride argument to a pair. */
export function pair(value: number | readonly number[] | undefined, fallback: number): [number, number] {
  if (value === undefined) return [fallback, fallback];
  if (typeof value === 'number') return [value, value];
  return [value[0] ?? fallback, value[1] ?? value[0] ?? fallback];
}
