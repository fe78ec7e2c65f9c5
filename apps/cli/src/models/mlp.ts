import * as tf from '@tensorflow/tfjs';
import { KernelSeeds } from './seeds.js';
import type { BuildModelOptions } from './types.js';

/** `mlp`: Flatten → Dense 128 relu → Dense 64 relu → Dense `classes` (logits). */
export function buildMlp(options: BuildModelOptions, seed: number): tf.Sequential {
  const seeds = new KernelSeeds(seed);
  return tf.sequential({
    name: 'mlp',
    layers: [
      tf.layers.inputLayer({ inputShape: [...options.inputShape], name: 'input' }),
      tf.layers.flatten({ name: 'flatten' }),
      tf.layers.dense({ units: 128, activation: 'relu', kernelInitializer: seeds.glorot(), name: 'fc1' }),
      tf.layers.dense({ units: 64, activation: 'relu', kernelInitializer: seeds.glorot(), name: 'fc2' }),
      tf.layers.dense({ units: options.classes, kernelInitializer: seeds.glorot(), name: 'head' }),
    ],
  });
}
