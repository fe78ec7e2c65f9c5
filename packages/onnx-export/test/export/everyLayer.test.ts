import * as tf from '@tensorflow/tfjs';
import { quantizeModel } from '@quant-trim/fake-quant';
import { beforeAll, describe, expect, it } from 'vitest';
import { exportOnnx } from '../../src/export/exportOnnx.js';
import { verifyExport } from '../../src/node/verifyExport.js';
import { random, seed } from './models.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

type Sym = tf.SymbolicTensor;
/** input [8, 8, 3] → conv (4 channels) → the layer under test → flatten → dense 6. */
function around(layer: (x: Sym) => Sym, tail: 'flatten' | 'none' = 'flatten'): tf.LayersModel {
  const input = tf.input({ shape: [8, 8, 3], name: 'x' });
  const c = tf.layers.conv2d({ filters: 4, kernelSize: 3, padding: 'same', name: 'pre' }).apply(input) as Sym;
  let y = layer(c);
  if (tail === 'flatten' && y.shape.length > 2) y = tf.layers.flatten({ name: 'flat' }).apply(y) as Sym;
  const out = tf.layers.dense({ units: 6, name: 'out' }).apply(y) as Sym;
  return tf.model({ inputs: input, outputs: out });
}
const apply = (l: tf.layers.Layer) => (x: Sym) => l.apply(x) as Sym;
const two = (l: tf.layers.Layer) => (x: Sym) => l.apply([x, tf.layers.conv2d({ filters: 4, kernelSize: 1, name: 'side' }).apply(x) as Sym]) as Sym;

const layers: [string, () => tf.LayersModel][] = [
  ['Dense', () => around(apply(tf.layers.dense({ units: 5, activation: 'relu', name: 'layer' })), 'none')],
  ['Conv2D (strided, valid, dilated)', () => around(apply(tf.layers.conv2d({ filters: 5, kernelSize: 3, strides: 2, name: 'layer' })))],
  ['Conv2D (dilation 2)', () => around(apply(tf.layers.conv2d({ filters: 5, kernelSize: 3, dilationRate: 2, padding: 'same', name: 'layer' })))],
  [
    'DepthwiseConv2D (multiplier 3, strided)',
    () => around(apply(tf.layers.depthwiseConv2d({ kernelSize: 3, depthMultiplier: 3, strides: 2, padding: 'same', name: 'layer' }))),
  ],
  ['SeparableConv2D', () => around(apply(tf.layers.separableConv2d({ filters: 5, kernelSize: 3, depthMultiplier: 2, name: 'layer' })))],
  ['BatchNormalization', () => around(apply(tf.layers.batchNormalization({ name: 'layer' })))],
  ['ReLU', () => around(apply(tf.layers.reLU({ name: 'layer' })))],
  ['ReLU6', () => around(apply(tf.layers.reLU({ maxValue: 6, name: 'layer' })))],
  ['LeakyReLU', () => around(apply(tf.layers.leakyReLU({ alpha: 0.2, name: 'layer' })))],
  ...(['sigmoid', 'tanh', 'softmax', 'elu', 'selu', 'softplus', 'softsign', 'hardSigmoid', 'relu6'] as const).map(
    (a) => [`Activation ${a}`, () => around(apply(tf.layers.activation({ activation: a, name: 'layer' })))] as [string, () => tf.LayersModel],
  ),
  ['MaxPooling2D (same)', () => around(apply(tf.layers.maxPooling2d({ poolSize: 3, strides: 2, padding: 'same', name: 'layer' })))],
  ['AveragePooling2D', () => around(apply(tf.layers.averagePooling2d({ poolSize: 2, name: 'layer' })))],
  ['GlobalAveragePooling2D', () => around(apply(tf.layers.globalAveragePooling2d({ name: 'layer' })))],
  ['GlobalMaxPooling2D', () => around(apply(tf.layers.globalMaxPooling2d({ name: 'layer' })))],
  ['Add', () => around(two(tf.layers.add({ name: 'layer' })))],
  ['Multiply', () => around(two(tf.layers.multiply({ name: 'layer' })))],
  ['Average', () => around(two(tf.layers.average({ name: 'layer' })))],
  ['Concatenate', () => around(two(tf.layers.concatenate({ name: 'layer' })))],
  ['Flatten', () => around(apply(tf.layers.flatten({ name: 'layer' })), 'none')],
  ['Reshape', () => around(apply(tf.layers.reshape({ targetShape: [16, 16], name: 'layer' })))],
  ['Dropout', () => around(apply(tf.layers.dropout({ rate: 0.5, name: 'layer' })))],
  [
    'ZeroPadding2D',
    () =>
      around(
        apply(
          tf.layers.zeroPadding2d({
            padding: [
              [1, 2],
              [0, 1],
            ],
            name: 'layer',
          }),
        ),
      ),
  ],
];

describe('every supported layer exports and runs in ONNX Runtime', () => {
  for (const [title, build] of layers) {
    it(`${title}: FP32 within 1e-4, QDQ within one step`, async () => {
      const model = seed(build(), 7);
      const x = random([16, 8, 8, 3], 8);
      const fp32 = await verifyExport(model, exportOnnx(model).bytes(), x);
      expect(fp32.maxRelativeError, JSON.stringify(fp32)).toBeLessThanOrEqual(1e-4);
      const q = quantizeModel(model, { weights: 'int8-sym-per-channel', batchNorm: 'keep' });
      for (let i = 0; i < 3; i++) tf.tidy(() => void q.model.apply(random([16, 8, 8, 3], 30 + i), { training: true }));
      const qdq = await verifyExport(q.model, exportOnnx(q.model, { format: 'qdq' }).bytes(), x);
      expect(qdq.withinOneStep, JSON.stringify(qdq)).toBeGreaterThanOrEqual(0.999);
      expect(qdq.ok).toBe(true);
      q.dispose();
    });
  }
});
