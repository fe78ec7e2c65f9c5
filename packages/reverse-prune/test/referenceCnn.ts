import * as tf from '@tensorflow/tfjs';

/** The reference CNN of the benchmarks: conv 8 → max-pool → conv 16 → flatten → dense 10. */
export function referenceCnn(size: number): tf.Sequential {
  return tf.sequential({
    layers: [
      tf.layers.conv2d({ inputShape: [size, size, 1], filters: 8, kernelSize: 3, activation: 'relu', name: 'conv1' }),
      tf.layers.maxPooling2d({ poolSize: 2 }),
      tf.layers.conv2d({ filters: 16, kernelSize: 3, activation: 'relu', name: 'conv2' }),
      tf.layers.flatten(),
      tf.layers.dense({ units: 10, activation: 'softmax', name: 'head' }),
    ],
  });
}
