import type { Granularity } from '@quant-trim/quant-grid';
import type * as tf from '../tf.js';

/**
 * How the trim threshold τ of a group is chosen (docs/method.md#reverse-pruning). A weight is trimmed when |w| > τ.
 * - `quantile`: trim share `p` ∈ [0, 1): τ is the (1 − p) quantile of the group's n values of
 *   |w|, linearly interpolated between order statistics (numpy's default; `quantilePosition`), so
 *   with distinct values ⌈p·(n − 1)⌉ of them lie above it; p = 0 gives τ = max|w| and trims nothing.
 * - `sigma`: τ = k·σ, σ the group's population standard deviation of w around its mean.
 * - `median-ratio`: τ = ratio·median|w|, the median being the (⌊n/2⌋ + 1)-th largest |w|
 *   (the lower median for even n, always one of the values).
 *
 * @example
 * const criterion: TrimCriterion = { kind: 'quantile', p: 0.005 };
 */
export type TrimCriterion =
  | { readonly kind: 'quantile'; readonly p: number }
  | { readonly kind: 'sigma'; readonly k: number }
  | { readonly kind: 'median-ratio'; readonly ratio: number };

/** `clamp`: w ← sign(w)·τ where trimmed (sign kept); `zero`: w ← 0 where trimmed. */
export type TrimOperation = 'clamp' | 'zero';

/**
 * Gradient of the trim: `straight-through` passes dy unchanged (a trimmed weight keeps learning
 * and can come back); `masked` gives trimmed weights no gradient.
 */
export type TrimGradient = 'straight-through' | 'masked';

/**
 * Groups sharing one threshold: quant-grid's `Granularity` itself (negative axes count from the
 * end; per-group blocks of `groupSize` along `axis`), so a scheme's granularity trims the same groups.
 */
export type TrimGranularity = Granularity;

/** Options of the trim functions on typed arrays and tensors. */
export interface TrimOptions {
  readonly criterion: TrimCriterion;
  /** Default per-tensor. */
  readonly granularity?: TrimGranularity;
  /** Default 'clamp'. */
  readonly operation?: TrimOperation;
}

/**
 * What a weight transform sees on each forward pass. Structurally identical to
 * `WeightTransformContext` of `@quant-trim/fake-quant`, declared here so this package has no
 * runtime dependency on it.
 */
export interface TrimContext {
  readonly strength: number;
  readonly step: number;
  readonly layer: string;
  readonly weight: string;
  /** Output-channel axis of the (viewed) weight. */
  readonly channelAxis: number;
  readonly training: boolean;
}

/** One quantized weight as `beginStep` sees it (fake-quant's `QuantizedWeight`). */
export interface TrimWeightInfo {
  readonly layer: string;
  readonly weight: string;
  /** A tfjs `LayerVariable`; only `read()` is used. */
  readonly variable: { read(): tf.Tensor };
  readonly channelAxis: number;
  /** The shape the weight is viewed as while quantizing (depthwise: [kh, kw, C·M]). */
  readonly view: readonly number[];
}

/** What `beginStep` sees (fake-quant's `WeightTransformStepContext`). */
export interface TrimStepContext {
  readonly step: number;
  readonly strength: number;
  readonly weights: readonly TrimWeightInfo[];
}

/**
 * A weight transform structurally compatible with fake-quant's `WeightTransform`: pass it as
 * `quantizeModel(model, { weightTransform })`.
 */
export interface TrimTransform {
  readonly name: string;
  apply(weight: tf.Tensor, context: TrimContext): tf.Tensor;
  beginStep?(context: TrimStepContext): void;
}
