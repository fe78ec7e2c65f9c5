import type * as tf from '../tf.js';
import type { QuantScheme } from '@quant-trim/quant-grid';
import { QuantTrimError } from '@quant-trim/errors';
import type { GradientMode } from '../types.js';
import type { QuantState } from './QuantState.js';
import { tensorRanges } from '../ops/tensorRanges.js';
import { type LearnedScale, quantizeLearned, quantizePoint, untaped } from './mix.js';
import { withGranularity } from './resolveScheme.js';

/** What a weight transform sees each step. */
export interface WeightTransformContext {
  /** The controller's strength for this step (e.g. reverse pruning's p_t / p_max), in [0, 1] by default. */
  readonly strength: number;
  readonly step: number;
  /** Layer name and weight name (`kernel`, `depthwise_kernel`, ...). */
  readonly layer: string;
  readonly weight: string;
  /** The axis of output channels in this weight's tfjs layout. */
  readonly channelAxis: number;
  readonly training: boolean;
}

/** One quantized weight of a model, as a transform's `beginStep` sees it. */
export interface QuantizedWeight {
  readonly layer: string;
  readonly weight: string;
  readonly variable: tf.LayerVariable;
  /** Output-channel axis of the weight as the quantizer views it (after `view`). */
  readonly channelAxis: number;
  /** The shape the weight is viewed as while quantizing (depthwise kernels: [kh, kw, C·M]). */
  readonly view: readonly number[];
}

/** What a weight transform's `beginStep` sees: the step, its strength, and every quantized weight. */
export interface WeightTransformStepContext {
  readonly step: number;
  readonly strength: number;
  readonly weights: readonly QuantizedWeight[];
}

/**
 * A hook that rewrites the float weights before their scale is computed (docs/method.md#reverse-pruning: trim →
 * scale from the trimmed tensor → fake-quantize → blend). Reverse pruning plugs in here without
 * this package depending on it. It runs inside the layer's `tf.tidy` and must return a tensor of
 * the same shape; its own gradient (straight-through or masked) is up to it.
 */
export interface WeightTransform {
  readonly name: string;
  apply(weight: tf.Tensor, context: WeightTransformContext): tf.Tensor;
  /**
   * Called by `QuantTrimController.beginStep` before each training step with all quantized
   * weights, e.g. to refresh masks every k steps or compute a global threshold across layers.
   */
  beginStep?(context: WeightTransformStepContext): void;
}

export interface WeightQuantizerOptions {
  /** The grid; its granularity kind is kept and its axis replaced by `axes`. */
  scheme: QuantScheme;
  /**
   * Axes of this weight's layout: `channel` (output channels, for per-channel) and `group` (the
   * reduction axis blocks run along, for per-group). Default { channel: -1, group: 0 }.
   */
  axes?: { channel: number; group: number };
  gradient?: GradientMode;
  transform?: WeightTransform;
}

/**
 * Fake-quantizes one weight tensor per forward pass with a scale computed from the current
 * (transformed) weights: absmax per group for symmetric schemes, min/max for asymmetric ones.
 */
export class WeightQuantizer {
  /** The grid with this weight's axes. */
  readonly scheme: QuantScheme;
  readonly axes: { channel: number; group: number };
  readonly gradient: GradientMode;
  transform: WeightTransform | undefined;

  constructor(options: WeightQuantizerOptions) {
    this.axes = options.axes ?? { channel: -1, group: 0 };
    this.scheme = this.#place(options.scheme);
    this.gradient = options.gradient ?? 'ste';
    this.transform = options.transform;
  }

  /** `scheme` with its granularity moved onto this weight's axes. */
  #place(scheme: QuantScheme): QuantScheme {
    const g = scheme.granularity;
    if (g.kind === 'per-tensor') return scheme;
    if (g.kind === 'per-channel') return withGranularity(scheme, { kind: 'per-channel', axis: this.axes.channel });
    return withGranularity(scheme, { kind: 'per-group', axis: this.axes.group, groupSize: g.groupSize });
  }

  /** The scheme in force this step: a randomised one (placed on this weight's axes) or its own. */
  activeScheme(state: QuantState): QuantScheme {
    const sampled = state.sampledWeightScheme;
    return sampled === undefined ? this.scheme : this.#place(sampled);
  }

  /**
   * Transform, quantize and blend `weight` with the state's λ. Call inside `tf.tidy`. With the
   * `lsq` gradient, `learned` holds the learned scale (see `quantizeLearned`).
   */
  apply(weight: tf.Tensor, state: QuantState, context: Omit<WeightTransformContext, 'strength' | 'step'>, learned?: LearnedScale): tf.Tensor {
    const w = this.transform === undefined ? weight : this.transform.apply(weight, { ...context, strength: state.strength, step: state.step });
    const lambda = state.lambdaValue;
    if (lambda === 0) return w;
    if (this.gradient === 'lsq') {
      const scheme = this.scheme;
      if (learned === undefined)
        throw new QuantTrimError({ code: 'QT_INVALID_ARGUMENT', message: `${context.layer}/${context.weight}: gradient 'lsq' needs a learned scale variable` });
      return quantizeLearned(w, scheme, state, learned, () => untapedRanges(w, scheme));
    }
    return quantizePoint(w, this.activeScheme(state), state, { clipped: this.gradient === 'clipped-ste' });
  }
}

/** Range statistics of `x` computed off the tape (two untaped reductions). */
export function untapedRanges(x: tf.Tensor, scheme: QuantScheme): { min: tf.Tensor; max: tf.Tensor } {
  return { min: untaped(() => tensorRanges(x, scheme.granularity).min), max: untaped(() => tensorRanges(x, scheme.granularity).max) };
}
