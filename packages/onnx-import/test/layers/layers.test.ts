import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, test } from 'vitest';
import { OnnxConstantPad } from '../../src/layers/OnnxConstantPad.js';
import { OnnxElementwise } from '../../src/layers/OnnxElementwise.js';
import { OnnxGroupedConv2D } from '../../src/layers/OnnxGroupedConv2D.js';
import { OnnxHardSigmoid } from '../../src/layers/OnnxHardSigmoid.js';
import { OnnxHardSwish } from '../../src/layers/OnnxHardSwish.js';
import { OnnxSlice } from '../../src/layers/OnnxSlice.js';
import { registerOnnxLayers } from '../../src/layers/registerOnnxLayers.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
  registerOnnxLayers();
});

const x = () => tf.randomNormal([2, 5, 5, 4], 0, 2, 'float32', 1);

/** A model of one layer, saved and loaded through tfjs serialization: the same outputs. */
async function roundTrip(layer: tf.layers.Layer, weights?: tf.Tensor[]): Promise<void> {
  const input = tf.input({ shape: [5, 5, 4] });
  const model = tf.model({ inputs: input, outputs: layer.apply(input) as tf.SymbolicTensor });
  if (weights) layer.setWeights(weights);
  let saved: tf.io.ModelArtifacts | undefined;
  await model.save(tf.io.withSaveHandler(async (a) => ((saved = a), { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } })));
  const loaded = await tf.loadLayersModel(tf.io.fromMemory(saved!));
  const probe = x();
  expect(Array.from((loaded.predict(probe) as tf.Tensor).dataSync())).toEqual(Array.from((model.predict(probe) as tf.Tensor).dataSync()));
}

describe('registered layers', () => {
  test('HardSigmoid and HardSwish follow the ONNX formulas and serialize', async () => {
    const v = x();
    const hs = new OnnxHardSigmoid({ alpha: 1 / 6, beta: 0.5 }).apply(v) as tf.Tensor;
    expect(Array.from(hs.dataSync())).toEqual(Array.from(tf.clipByValue(tf.add(tf.mul(v, 1 / 6), 0.5), 0, 1).dataSync()));
    const sw = new OnnxHardSwish({}).apply(v) as tf.Tensor;
    const expected = tf.mul(v, tf.div(tf.relu6(tf.add(v, 3)), 6)).dataSync();
    sw.dataSync().forEach((y, i) => expect(y).toBeCloseTo(expected[i]!, 5));
    await roundTrip(new OnnxHardSigmoid({ alpha: 0.25, beta: 0.4 }));
    await roundTrip(new OnnxHardSwish({}));
  });

  test('a grouped conv equals a full conv with a block-diagonal kernel, and serializes', async () => {
    const layer = new OnnxGroupedConv2D({ filters: 6, kernelSize: [3, 3], strides: [1, 1], dilationRate: [1, 1], groups: 2, useBias: true });
    const kernel = tf.randomNormal([3, 3, 2, 6], 0, 1, 'float32', 2);
    const bias = tf.randomNormal([6], 0, 1, 'float32', 3);
    const input = tf.input({ shape: [5, 5, 4] });
    const model = tf.model({ inputs: input, outputs: layer.apply(input) as tf.SymbolicTensor });
    layer.setWeights([kernel, bias]);
    const [k0, k1] = tf.split(kernel, 2, 3);
    const zeros = tf.zeros([3, 3, 2, 3]);
    const full = tf.concat([tf.concat([k0!, zeros], 2), tf.concat([zeros, k1!], 2)], 3) as tf.Tensor4D;
    const v = x() as tf.Tensor4D;
    const expected = tf.add(tf.conv2d(v, full, 1, 'valid'), bias).dataSync();
    (model.predict(v) as tf.Tensor).dataSync().forEach((y, i) => expect(y).toBeCloseTo(expected[i]!, 4));
    await roundTrip(new OnnxGroupedConv2D({ filters: 6, kernelSize: [3, 3], strides: [1, 1], dilationRate: [1, 1], groups: 2, useBias: true }), [kernel, bias]);
  });

  test('elementwise with a constant, constant padding and slicing serialize with their weights and config', async () => {
    await roundTrip(new OnnxElementwise({ op: 'sub', constantShape: [1, 1, 1, 4], constantFirst: true }), [tf.tensor([1, 2, 3, 4], [1, 1, 1, 4])]);
    await roundTrip(
      new OnnxConstantPad({
        padding: [
          [1, 0],
          [0, 2],
        ],
        value: -Infinity,
      }),
    );
    await roundTrip(new OnnxSlice({ begin: [0, 1, 0, 2], size: [-1, 3, -1, 2] }));
    const padded = new OnnxConstantPad({
      padding: [
        [1, 0],
        [0, 2],
      ],
      value: -Infinity,
    }).apply(tf.ones([1, 2, 2, 1])) as tf.Tensor;
    expect(padded.shape).toEqual([1, 3, 4, 1]);
    expect(padded.min().dataSync()[0]).toBe(-3.4028234663852886e38);
  });
});
