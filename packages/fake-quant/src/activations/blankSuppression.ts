import * as tf from '../tf.js';
import { QuantTrimError, failExpected } from '@quant-trim/errors';
import type { QuantizedModel } from '../model/QuantizedModel.js';

/**
 * Blank-response suppression: a training penalty that drives every spatial activation tensor's
 * response to a blank (constant) input to exactly zero.
 *
 * Why: where many receptive fields see the same constant input (the empty background of a digit
 * or a garment, letterbox borders, padding), a layer outputs one constant per channel, and a
 * per-tensor histogram of that tensor holds a point mass at each positive constant. Histogram
 * calibrators that score a clip by how well a coarse grid reproduces the histogram (TensorRT's
 * entropy calibrator above all) then choose the finest grid that resolves those spikes, i.e. the
 * smallest clip they allow (about 1/16 of the range), and saturate every larger activation. A
 * response of exactly 0 instead lands in the zero bin, which those calibrators discount (the
 * entropy search replaces it by its neighbour's count), so the same activations calibrate to
 * nearly their full range.
 *
 * The penalty is `weight · Σ_t mean(|a_t(blank)|)` over the inputs of the model's activation
 * quantizers that have a spatial layout (rank 4: batch, height, width, channels; not a model
 * input), with the model run on one blank sample in inference mode (BatchNorm with its running
 * statistics, as deployed). It has no state: resuming a run reproduces it exactly.
 */
export interface BlankSuppressionConfig {
  /** Weight of the penalty in the loss. Default 1. */
  weight?: number;
  /**
   * The blank input: one value for every element, or one per input channel (the last axis).
   * Default 0 (an empty image in [0, 1] pixels).
   */
  value?: number | readonly number[];
  /**
   * Decoupled mode: instead of joining the loss, the penalty is applied by `step()`, a plain
   * gradient step of this size on the penalty alone (call it after each optimizer step), as AdamW
   * decouples weight decay. Adam moves a parameter by about its learning rate per step whatever
   * the gradient, so a fine-tune at 1e-4 cannot move a bias by 0.5 in a few hundred steps through
   * the loss; the decoupled step moves it by `stepSize · gradient`. Default: undefined (the loss).
   */
  stepSize?: number;
}

/** Validated blank-suppression settings. */
export interface ResolvedBlankSuppression {
  readonly weight: number;
  readonly value: number | readonly number[];
  readonly stepSize?: number;
}

function bad(field: string, expected: string, got: unknown): never {
  return failExpected(`blankSuppression.${field}`, expected, got);
}

/** Checks a `BlankSuppressionConfig` (`true` = all defaults) and fills in the defaults. */
export function resolveBlankSuppression(config: BlankSuppressionConfig | true): ResolvedBlankSuppression {
  const c: BlankSuppressionConfig = config === true ? {} : config;
  if (typeof c !== 'object' || c === null) bad('', 'an options object or true', config);
  const weight = c.weight ?? 1;
  if (typeof weight !== 'number' || !(weight > 0 && Number.isFinite(weight))) bad('weight', 'a finite number > 0', weight);
  const value = c.value ?? 0;
  const finite = (v: unknown) => typeof v === 'number' && Number.isFinite(v);
  if (!(finite(value) || (Array.isArray(value) && value.length > 0 && value.every(finite))))
    bad('value', 'a finite number or a non-empty array of finite numbers (one per input channel)', value);
  const stepSize = c.stepSize;
  if (stepSize !== undefined && (typeof stepSize !== 'number' || !(stepSize > 0 && Number.isFinite(stepSize))))
    bad('stepSize', 'a finite number > 0', stepSize);
  return { weight, value, ...(stepSize !== undefined ? { stepSize } : {}) };
}

/** A penalty attached to a model's training loss; `detach()` removes it. */
export interface BlankSuppression {
  readonly config: ResolvedBlankSuppression;
  /** The FakeQuant layers whose inputs are penalised. */
  readonly layers: readonly string[];
  /** The penalty at the current weights (a new scalar, the caller disposes it). */
  penalty(): tf.Scalar;
  /** Mean |response| to the blank input per penalised tensor, in `layers` order (inference, no gradient). */
  responses(): number[];
  /**
   * Decoupled mode (`stepSize`): one gradient step of that size on the penalty over the model's
   * trainable weights; a no-op in loss mode.
   */
  step(): void;
  detach(): void;
}

/**
 * Adds blank-response suppression to training `quantized.model`: without `stepSize`, to its loss
 * (tfjs-layers adds a layer's losses to the loss that `fit` / `trainOnBatch` minimise and
 * report); with it, as `step()` after each optimizer step. Throws QT_INVALID_ARGUMENT for a model
 * with several inputs or free input sizes, a blank value whose channel count does not match the
 * input, or no spatial activation quantizer to penalise (`details.reason`
 * `'no-spatial-activation'`: nothing to do, e.g. an MLP).
 *
 * @example
 * const blank = attachBlankSuppression(q, { stepSize: 0.5 });
 * await q.model.trainOnBatch(x, y);
 * blank.step(); // the blank responses one step closer to 0
 * blank.detach();
 */
export function attachBlankSuppression(quantized: QuantizedModel, config: BlankSuppressionConfig | true = true): BlankSuppression {
  const resolved = resolveBlankSuppression(config);
  const model = quantized.model;
  if (model.inputs.length !== 1) {
    throw new QuantTrimError({
      code: 'QT_INVALID_ARGUMENT',
      message: `attachBlankSuppression: the model has ${model.inputs.length} inputs; blank suppression needs exactly one`,
      details: { field: 'model' },
    });
  }
  const input = model.inputs[0]!;
  const sampleShape = input.shape.slice(1).map((d, i) => {
    if (d === null)
      throw new QuantTrimError({
        code: 'QT_INVALID_ARGUMENT',
        message: `attachBlankSuppression: input dimension ${i + 1} is not fixed (${JSON.stringify(input.shape)})`,
        details: { field: 'model' },
      });
    return d;
  });
  const channels = sampleShape[sampleShape.length - 1] ?? 1;
  const { value } = resolved;
  if (Array.isArray(value) && value.length !== channels) bad('value', `${channels} values (one per input channel)`, value);
  const points = quantized.fakeQuantLayers().filter((l) => {
    const t = l.input as tf.SymbolicTensor;
    return t.shape.length === 4 && t !== input;
  });
  if (points.length === 0) {
    throw new QuantTrimError({
      code: 'QT_INVALID_ARGUMENT',
      message: 'attachBlankSuppression: the model has no spatial activation quantizer to penalise (blank suppression is for convolutional models)',
      details: { field: 'model', reason: 'no-spatial-activation' },
    });
  }
  const probe = tf.model({ inputs: model.inputs, outputs: points.map((l) => l.input as tf.SymbolicTensor) });
  const size = sampleShape.reduce((a, b) => a * b, 1);
  const values = new Float32Array(size);
  for (let i = 0; i < size; i++) values[i] = typeof value === 'number' ? value : value[i % channels]!;
  const blank = tf.keep(tf.tensor(values, [1, ...sampleShape]));
  // Each tensor's term reaches only the layers since the previous activation quantizer: a layer is
  // asked to answer its own blank input with 0, not to hold an upstream response up because its
  // weights turn that response into inhibition (a trained network would otherwise settle with some
  // blank responses positive).
  const responsesOf = (): tf.Tensor[] => {
    const state = quantized.state;
    state.detachActivations = true;
    try {
      const out = probe.apply(blank, { training: false });
      return Array.isArray(out) ? (out as tf.Tensor[]) : [out as tf.Tensor];
    } finally {
      state.detachActivations = false;
    }
  };
  const penalty = (): tf.Scalar =>
    tf.tidy(() => {
      const means = responsesOf().map((r) => tf.mean(tf.abs(r)));
      return tf.mul(tf.addN(means), resolved.weight) as tf.Scalar;
    });
  // Any layer of the model carries the loss; the first penalised point is always in its graph.
  const host = points[0]!;
  const { stepSize } = resolved;
  if (stepSize === undefined) host.addLoss(penalty);
  let attached = true;
  const step = (): void => {
    if (stepSize === undefined || !attached) return;
    const variables = model.trainableWeights.map((w) => w.read() as tf.Variable);
    tf.tidy(() => {
      const { grads } = tf.variableGrads(penalty, variables);
      for (const v of variables) {
        const g = grads[v.name];
        if (g !== undefined) v.assign(tf.sub(v, tf.mul(g, stepSize)));
      }
    });
  };
  return {
    config: resolved,
    layers: points.map((l) => l.name),
    penalty,
    responses: () => tf.tidy(() => responsesOf().map((r) => tf.mean(tf.abs(r)).dataSync()[0]!)),
    step,
    detach: () => {
      if (!attached) return;
      attached = false;
      const i = host.losses.indexOf(penalty);
      if (i >= 0) host.losses.splice(i, 1);
      blank.dispose();
    },
  };
}
