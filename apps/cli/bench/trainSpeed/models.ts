/** The bench's models and step, shared by the main thread and the data-parallel workers. */
import * as tf from '@tensorflow/tfjs';
import { quantizeModel } from '@quant-trim/fake-quant';
import { buildModel } from '../../src/models/index.js';

export const BATCH = 64;
export const MODELS = ['cnn', 'dscnn', 'resnet-tiny'] as const;
export type BenchModel = (typeof MODELS)[number];
export type Variant = 'float' | 'qat';

/**
 * A compiled model as the CLI trains it (logits + softmax, Adam 1e-3, categorical cross-entropy):
 * `float` is the plain tfjs model, `qat` the Quant-Trim QAT model at λ = 1 (int8 per-channel
 * weights, uint8 per-tensor activations; BatchNorm trained with batch statistics).
 */
export function benchModel(name: BenchModel, variant: Variant): tf.LayersModel {
  const built = buildModel(name, { inputShape: [28, 28, 1], classes: 10, seed: 0 });
  const softmax = tf.layers.activation({ activation: 'softmax', name: 'softmax' }).apply(built.outputs[0]!) as tf.SymbolicTensor;
  const model = tf.model({ inputs: built.inputs, outputs: softmax });
  const trained =
    variant === 'float'
      ? model
      : quantizeModel(model, {
          weights: 'int8-sym-per-channel',
          activations: 'uint8-asym-per-tensor',
          overrides: [{ pattern: 'softmax', exclude: true }],
          lambda: 1,
        }).model;
  trained.compile({ optimizer: tf.train.adam(1e-3), loss: 'categoricalCrossentropy' });
  return trained;
}

/** Rows [start, start + count) of the bench's fixed random batch (seeded: the same in every thread). */
export function benchBatch(start = 0, count = BATCH): { x: tf.Tensor; y: tf.Tensor } {
  return tf.tidy(() => {
    const x = tf.randomUniform([BATCH, 28, 28, 1], 0, 1, 'float32', 7);
    const y = tf.oneHot(tf.randomUniform([BATCH], 0, 10, 'int32', 8) as tf.Tensor1D, 10).toFloat();
    return { x: x.slice(start, count), y: y.slice(start, count) };
  });
}

export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}
