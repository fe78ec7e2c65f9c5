import * as tf from '@tensorflow/tfjs';
import { KernelSeeds } from './seeds.js';
import type { BuildModelOptions } from './types.js';

/**
 * `cnn`, the reference CNN of the repository: Conv2D 8 3×3 relu `conv1` → MaxPool 2 `pool` →
 * Conv2D 16 3×3 relu `conv2` → Flatten `flatten` → Dense `classes` `head` (logits).
 * With seed 0 it has the weights of the reference CNN in `packages/backend-eval/bench`.
 */
export function buildCnn(options: BuildModelOptions, seed: number): tf.Sequential {
  const seeds = new KernelSeeds(seed);
  return tf.sequential({
    name: 'cnn',
    layers: [
      tf.layers.inputLayer({ inputShape: [...options.inputShape], name: 'input' }),
      tf.layers.conv2d({ filters: 8, kernelSize: 3, activation: 'relu', kernelInitializer: seeds.glorot(), name: 'conv1' }),
      tf.layers.maxPooling2d({ poolSize: 2, name: 'pool' }),
      tf.layers.conv2d({ filters: 16, kernelSize: 3, activation: 'relu', kernelInitializer: seeds.glorot(), name: 'conv2' }),
      tf.layers.flatten({ name: 'flatten' }),
      tf.layers.dense({ units: options.classes, kernelInitializer: seeds.glorot(), name: 'head' }),
    ],
  });
}
