import * as tf from '../tf.js';
import { QuantTrimError } from '@quant-trim/errors';
import type { TrimTransform, TrimWeightInfo } from '../trim/types.js';
import { diagnoseWeights, type WeightDiagnostics } from './diagnoseWeights.js';

/** A weight given by value. */
export interface WeightValues {
  readonly layer: string;
  readonly weight: string;
  readonly values: Float32Array;
  readonly shape: readonly number[];
  readonly channelAxis: number;
}

/** One row of `diagnoseModel`'s report. */
export interface LayerDiagnostics extends WeightDiagnostics {
  readonly layer: string;
  readonly weight: string;
  readonly shape: readonly number[];
}

/**
 * Diagnostics for every weight of a model, as JSON-safe rows for reports. Pass weights by value,
 * or fake-quant's `quantized.quantizedWeights()` directly (read in their quantization view).
 * With `transform` (e.g. `createReversePrune`), each weight is also trimmed by
 * `transform.apply` at `strength` (default 1) and compared before / after.
 *
 * @example
 * const report = diagnoseModel(quantized.quantizedWeights(), { transform: trim });
 * await fs.writeFile('diagnostics.json', JSON.stringify(report, null, 2));
 */
export function diagnoseModel(
  weights: readonly (WeightValues | TrimWeightInfo)[],
  options: { transform?: TrimTransform; strength?: number; step?: number } = {},
): LayerDiagnostics[] {
  if (!Array.isArray(weights))
    throw new QuantTrimError({ code: 'QT_INVALID_ARGUMENT', message: `argument \`weights\` of \`diagnoseModel\`: expected an array, got ${typeof weights}` });
  return weights.map((entry) => {
    const { layer, weight, channelAxis } = entry;
    const shape = 'values' in entry ? [...entry.shape] : [...entry.view];
    const values = 'values' in entry ? entry.values : readValues(entry, shape);
    const transform = options.transform;
    let trimmed: Float32Array | undefined;
    if (transform !== undefined) {
      const out = tf.tidy(() =>
        transform.apply(tf.tensor(values, shape, 'float32'), {
          strength: options.strength ?? 1,
          step: options.step ?? 0,
          layer,
          weight,
          channelAxis,
          training: false,
        }),
      );
      trimmed = out.dataSync() as Float32Array;
      out.dispose();
    }
    return { layer, weight, shape, ...diagnoseWeights(values, shape, { channelAxis, ...(trimmed ? { trimmed } : {}) }) };
  });
}

function readValues(entry: TrimWeightInfo, shape: number[]): Float32Array {
  const t = tf.tidy(() => entry.variable.read().reshape(shape));
  const values = t.dataSync() as Float32Array;
  t.dispose();
  return values;
}
