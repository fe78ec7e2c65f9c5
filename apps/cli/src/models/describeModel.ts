import type * as tf from '@tensorflow/tfjs';
import type { LayerSummary, ModelSummary } from './types.js';

const count = (weights: readonly tf.LayerVariable[]): number => weights.reduce((n, w) => n + w.shape.reduce<number>((a, b) => a * (b ?? 0), 1), 0);

/**
 * Parameter counts and the layer list of a model, for reports: every layer but input layers,
 * with its class, output shape (batch dimension dropped) and weight count.
 */
export function describeModel(model: tf.LayersModel): ModelSummary {
  const layers: LayerSummary[] = model.layers
    .filter((l) => l.getClassName() !== 'InputLayer')
    .map((l) => {
      const shape = (Array.isArray(l.outputShape[0]) ? l.outputShape[0] : l.outputShape) as (number | null)[];
      return { name: l.name, className: l.getClassName(), outputShape: shape.slice(1).map((d) => d ?? -1), parameters: count(l.weights) };
    });
  return { name: model.name, parameters: model.countParams(), trainableParameters: count(model.trainableWeights), layers };
}
