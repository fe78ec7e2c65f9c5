import * as tf from '@tensorflow/tfjs';
import { initTrainingBackend } from '@quant-trim/fake-quant';
import { syntheticDigits } from '@quant-trim/test-utils';
import { beforeAll, describe, expect, it } from 'vitest';
import { MODEL_NAMES, buildModel } from '../../src/models/index.js';

beforeAll(async () => {
  await initTrainingBackend({ backend: 'wasm' });
});

describe.each(MODEL_NAMES)('%s', (name) => {
  it('learns: a few steps of softmax cross-entropy from logits reduce the loss', async () => {
    const data = syntheticDigits(32, { seed: 9, size: 28 });
    const x = tf.tensor4d(data.pixels, data.shape);
    const y = tf.oneHot(tf.tensor1d(data.labels, 'int32'), 10).toFloat();
    const model = buildModel(name, { inputShape: [28, 28, 1], classes: 10, seed: 1 });
    model.compile({ optimizer: tf.train.adam(3e-3), loss: tf.losses.softmaxCrossEntropy });
    const losses: number[] = [];
    for (let i = 0; i < 12; i++) losses.push((await model.trainOnBatch(x, y)) as number);
    expect(losses.every(Number.isFinite)).toBe(true);
    expect(losses.at(-1)!, losses.map((l) => l.toFixed(3)).join(' ')).toBeLessThan(losses[0]! * 0.8);
    tf.dispose([x, y]);
    model.dispose();
  });
});
