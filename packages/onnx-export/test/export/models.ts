import * as tf from '@tensorflow/tfjs';
import { mulberry32 } from '@quant-trim/test-utils';

export function seed(model: tf.LayersModel, s: number): tf.LayersModel {
  const r = mulberry32(s);
  for (const layer of model.layers) {
    const ws = layer.getWeights();
    const names = layer.weights.map((w) => w.originalName);
    if (ws.length > 0)
      layer.setWeights(
        ws.map((w, i) =>
          tf.tensor(
            Float32Array.from({ length: w.size }, () => (names[i]!.endsWith('variance') ? 0.5 + r() : (r() - 0.5) * 0.8)),
            w.shape,
          ),
        ),
      );
  }
  return model;
}

export const random = (shape: number[], s: number) => {
  const r = mulberry32(s);
  return tf.tensor(
    Float32Array.from({ length: shape.reduce((a, b) => a * b, 1) }, () => r() * 2 - 1),
    shape,
  );
};

export const mlp = () =>
  tf.sequential({
    layers: [
      tf.layers.dense({ inputShape: [20], units: 16, activation: 'relu', name: 'fc1' }),
      tf.layers.dropout({ rate: 0.5 }),
      tf.layers.dense({ units: 8, activation: 'tanh', name: 'fc2' }),
      tf.layers.dense({ units: 4, activation: 'softmax', name: 'out' }),
    ],
  });

export const cnn = () =>
  tf.sequential({
    layers: [
      tf.layers.conv2d({ inputShape: [13, 11, 2], filters: 8, kernelSize: 3, activation: 'relu', padding: 'same', name: 'conv1' }),
      tf.layers.maxPooling2d({ poolSize: 2, name: 'pool' }),
      tf.layers.conv2d({ filters: 6, kernelSize: [3, 2], strides: [2, 1], activation: 'relu6', name: 'conv2' }),
      tf.layers.flatten({ name: 'flatten' }),
      tf.layers.dense({ units: 10, name: 'head' }),
    ],
  });

export function dscnn(): tf.LayersModel {
  const input = tf.input({ shape: [12, 12, 3], name: 'image' });
  let x = tf.layers.conv2d({ filters: 8, kernelSize: 3, padding: 'same', useBias: false, name: 'stem' }).apply(input) as tf.SymbolicTensor;
  x = tf.layers.batchNormalization({ name: 'bn' }).apply(x) as tf.SymbolicTensor;
  x = tf.layers.reLU({ maxValue: 6, name: 'relu6' }).apply(x) as tf.SymbolicTensor;
  let y = tf.layers.depthwiseConv2d({ kernelSize: 3, padding: 'same', depthMultiplier: 2, name: 'dw' }).apply(x) as tf.SymbolicTensor;
  y = tf.layers.activation({ activation: 'relu', name: 'dw_relu' }).apply(y) as tf.SymbolicTensor;
  y = tf.layers.conv2d({ filters: 8, kernelSize: 1, name: 'pw' }).apply(y) as tf.SymbolicTensor;
  const sum = tf.layers.add({ name: 'residual' }).apply([x, y]) as tf.SymbolicTensor;
  const sep = tf.layers.separableConv2d({ filters: 6, kernelSize: 3, padding: 'same', activation: 'relu', name: 'sep' }).apply(sum) as tf.SymbolicTensor;
  const cat = tf.layers.concatenate({ name: 'cat' }).apply([sep, sum]) as tf.SymbolicTensor;
  const avg = tf.layers.averagePooling2d({ poolSize: 3, strides: 2, padding: 'same', name: 'avg' }).apply(cat) as tf.SymbolicTensor;
  const gap = tf.layers.globalAveragePooling2d({ name: 'gap' }).apply(avg) as tf.SymbolicTensor;
  const out = tf.layers.dense({ units: 5, activation: 'softmax', name: 'logits' }).apply(gap) as tf.SymbolicTensor;
  return tf.model({ inputs: input, outputs: out, name: 'dscnn' });
}
