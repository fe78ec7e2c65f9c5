import * as tf from '../../tf.js';
import { QuantTrimError } from '@quant-trim/errors';
import type { ClampBounds } from '../../activations/tailTrim.js';

export interface ClampArgs {
  /** Lower bound; null (or omitted) = none. */
  min?: number | null;
  /** Upper bound; null (or omitted) = none. */
  max?: number | null;
  name?: string;
  trainable?: boolean;
}

function bound(value: unknown, field: string): number | null {
  if (value === undefined || value === null) return null;
  if (typeof value !== 'number' || !Number.isFinite(value))
    throw new QuantTrimError({
      code: 'QT_INVALID_ARGUMENT',
      message: `Clamp.${field}: expected a finite number or null, got ${JSON.stringify(value)}`,
      details: { field },
    });
  return Math.fround(value);
}

/** The most negative / largest float32 (tf.clipByValue wants finite bounds). */
const LOWEST = -3.4028234663852886e38;
const HIGHEST = 3.4028234663852886e38;

/**
 * y = min(max(x, min), max) with per-tensor float32 bounds (either may be absent): the deployed
 * form of activation tail trimming, a plain serialisable layer (class `QuantTrimClamp`, registered
 * by `registerQuantLayers`) that `@quant-trim/onnx-export` writes as ONNX `Clip`. Gradient as
 * tf.clipByValue (1 inside, 0 outside).
 */
export class Clamp extends tf.layers.Layer {
  static className = 'QuantTrimClamp';
  readonly min: number | null;
  readonly max: number | null;

  constructor(args: ClampArgs) {
    super({ ...(args.name !== undefined ? { name: args.name } : {}), ...(args.trainable !== undefined ? { trainable: args.trainable } : {}) });
    this.min = bound(args.min, 'min');
    this.max = bound(args.max, 'max');
    if (this.min !== null && this.max !== null && this.min > this.max) {
      throw new QuantTrimError({
        code: 'QT_INVALID_ARGUMENT',
        message: `Clamp: min (${this.min}) must not exceed max (${this.max})`,
        details: { field: 'min' },
      });
    }
  }

  override computeOutputShape(inputShape: tf.Shape | tf.Shape[]): tf.Shape | tf.Shape[] {
    return inputShape;
  }

  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    return tf.tidy(() => {
      const x = Array.isArray(inputs) ? inputs[0]! : inputs;
      return tf.clipByValue(x, this.min ?? LOWEST, this.max ?? HIGHEST);
    });
  }

  override getConfig(): tf.serialization.ConfigDict {
    return { ...super.getConfig(), min: this.min, max: this.max };
  }
}

/**
 * The standard layer that deploys a clamp: `tf.layers.reLU({ maxValue })` when the lower bound is
 * exactly 0 (a stock tfjs layer, ONNX `Clip(0, max)`; loads anywhere without registering classes),
 * otherwise a `Clamp` layer (call `registerQuantLayers()` before `tf.loadLayersModel`).
 *
 * @example
 * const bounds = fakeQuant.deployedClamp();
 * if (bounds) y = clampLayerFor(bounds, `${fakeQuant.name}_clamp`).apply(y) as tf.SymbolicTensor;
 */
export function clampLayerFor(bounds: ClampBounds, name?: string): tf.layers.Layer {
  if (bounds.min === 0 && Number.isFinite(bounds.max)) return tf.layers.reLU({ maxValue: bounds.max, ...(name !== undefined ? { name } : {}) });
  return new Clamp({
    min: Number.isFinite(bounds.min) ? bounds.min : null,
    max: Number.isFinite(bounds.max) ? bounds.max : null,
    ...(name !== undefined ? { name } : {}),
  });
}
