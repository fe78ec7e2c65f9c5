import * as tf from '@tensorflow/tfjs';
import { mulberry32 } from '@quant-trim/test-utils';

/** Deterministic weights: tfjs initializers are seeded per call, so set every weight from a PRNG. */
export function seedWeights(model: tf.LayersModel, seed = 1): void {
  const r = mulberry32(seed);
  for (const layer of model.layers) {
    const weights = layer.getWeights();
    if (weights.length === 0) continue;
    const names = layer.weights.map((w) => w.originalName);
    layer.setWeights(
      weights.map((w, i) => {
        const n = names[i] ?? '';
        const values = Float32Array.from({ length: w.size }, () => {
          if (n.endsWith('moving_variance')) return 0.5 + r();
          if (n.endsWith('gamma')) return 0.8 + 0.4 * r();
          return (r() - 0.5) * (n.endsWith('bias') || n.endsWith('beta') || n.endsWith('moving_mean') ? 0.2 : 0.6);
        });
        return tf.tensor(values, w.shape);
      }),
    );
  }
}

/** The reference CNN of the issue, on small inputs. */
export function referenceCnn(size = 12): tf.Sequential {
  return tf.sequential({
    layers: [
      tf.layers.conv2d({ inputShape: [size, size, 1], filters: 8, kernelSize: 3, activation: 'relu', name: 'conv1' }),
      tf.layers.maxPooling2d({ poolSize: 2, name: 'pool1' }),
      tf.layers.conv2d({ filters: 16, kernelSize: 3, activation: 'relu', name: 'conv2' }),
      tf.layers.flatten({ name: 'flatten' }),
      tf.layers.dense({ units: 10, activation: 'softmax', name: 'head' }),
    ],
  });
}

/** Depthwise-separable CNN with BatchNorm, ReLU6 and a residual Add (functional). */
export function residualDsCnn(size = 12): tf.LayersModel {
  const input = tf.input({ shape: [size, size, 3], name: 'image' });
  let x = tf.layers.conv2d({ filters: 8, kernelSize: 3, padding: 'same', useBias: false, name: 'stem' }).apply(input) as tf.SymbolicTensor;
  x = tf.layers.batchNormalization({ name: 'stem_bn' }).apply(x) as tf.SymbolicTensor;
  x = tf.layers.reLU({ maxValue: 6, name: 'stem_relu6' }).apply(x) as tf.SymbolicTensor;
  let y = tf.layers.depthwiseConv2d({ kernelSize: 3, padding: 'same', depthMultiplier: 1, name: 'dw' }).apply(x) as tf.SymbolicTensor;
  y = tf.layers.batchNormalization({ name: 'dw_bn' }).apply(y) as tf.SymbolicTensor;
  y = tf.layers.activation({ activation: 'relu', name: 'dw_relu' }).apply(y) as tf.SymbolicTensor;
  y = tf.layers.conv2d({ filters: 8, kernelSize: 1, name: 'pw' }).apply(y) as tf.SymbolicTensor;
  const sum = tf.layers.add({ name: 'residual' }).apply([x, y]) as tf.SymbolicTensor;
  const sep = tf.layers.separableConv2d({ filters: 12, kernelSize: 3, padding: 'same', activation: 'relu', name: 'sep' }).apply(sum) as tf.SymbolicTensor;
  const cat = tf.layers.concatenate({ name: 'cat' }).apply([sep, sum]) as tf.SymbolicTensor;
  const pooled = tf.layers.globalAveragePooling2d({ name: 'gap' }).apply(cat) as tf.SymbolicTensor;
  const drop = tf.layers.dropout({ rate: 0.1, name: 'drop' }).apply(pooled) as tf.SymbolicTensor;
  const out = tf.layers.dense({ units: 5, name: 'logits' }).apply(drop) as tf.SymbolicTensor;
  return tf.model({ inputs: input, outputs: out, name: 'dscnn' });
}

export function randomBatch(shape: number[], seed: number): tf.Tensor {
  const r = mulberry32(seed);
  return tf.tensor(
    Float32Array.from({ length: shape.reduce((a, b) => a * b, 1) }, () => r() * 2 - 0.5),
    shape,
  );
}

export function maxAbsDiff(a: tf.Tensor, b: tf.Tensor): number {
  return tf.tidy(() => a.sub(b).abs().max().dataSync()[0]!);
}

export { memoryIO } from '@quant-trim/test-utils/tfjs';
