import * as tf from '@tensorflow/tfjs';
import type { QuantizedModel } from '@quant-trim/fake-quant';
import { QuantTrimError } from '@quant-trim/errors';

/** The names of `model`'s weights that hold a NaN or an infinity (one device read per weight). */
export function nonFiniteWeights(model: tf.LayersModel): string[] {
  const bad: string[] = [];
  for (const w of model.weights) {
    const finite = tf.tidy(() => tf.isFinite(w.read()).all().dataSync()[0] === 1);
    if (!finite) bad.push(w.name);
  }
  return bad;
}

/** "layer/kernel, layer/bias and 3 more": a short list of weight names for a message. */
export function listNames(names: readonly string[], most = 3): string {
  const shown = names.slice(0, most).join(', ');
  return names.length > most ? `${shown} and ${names.length - most} more` : shown;
}

/**
 * Refuses a loaded checkpoint whose weights are not finite (`QT_MODEL_LOAD`, naming them), after
 * disposing it: `action` says what could not be done ("resume from", "export").
 */
export function refuseNonFiniteCheckpoint(quantized: QuantizedModel, path: string, action: string, hint: string): void {
  const bad = nonFiniteWeights(quantized.model);
  if (bad.length === 0) return;
  quantized.dispose();
  throw new QuantTrimError({
    code: 'QT_MODEL_LOAD',
    message: `cannot ${action} ${path}: it holds non-finite weights (NaN or infinity) in ${listNames(bad)}`,
    details: { path, weights: bad, hint },
  });
}
