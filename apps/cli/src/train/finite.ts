import * as tf from '@tensorflow/tfjs';

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
