import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { QuantTrimController, initTrainingBackend, quantizeModel } from '../src/index.js';
import { randomBatch, residualDsCnn, seedWeights } from './models.js';

beforeAll(async () => {
  await initTrainingBackend({ backend: 'wasm' });
});

describe('QAT training does not leak', () => {
  it('300 steps with λ moving, observers updating, freezing and clipped STE keep tensor and byte counts constant', async () => {
    const model = residualDsCnn();
    seedWeights(model, 4);
    const q = quantizeModel(model, {
      gradient: 'clipped-ste',
      batchNorm: 'keep',
      randomize: { weights: ['int8-sym-per-channel', 'int4-sym-per-channel'], seed: 1 },
    });
    q.model.compile({ optimizer: tf.train.adam(1e-3), loss: 'meanSquaredError' });
    const controller = new QuantTrimController(q, { totalSteps: 300 });
    const x = randomBatch([4, 12, 12, 3], 1);
    const y = tf.zeros([4, 5]);
    const counts: number[][] = [];
    for (let step = 0; step < 300; step++) {
      controller.beginStep();
      await q.model.trainOnBatch(x, y);
      await controller.endStep();
      if (step === 20 || step === 299) counts.push([tf.memory().numTensors, tf.memory().numBytes]);
    }
    expect(q.state.lambdaValue).toBe(1);
    expect(q.state.observersFrozen).toBe(true);
    expect(counts[1]).toEqual(counts[0]);
    q.dispose();
  });

  it('LSQ training (learned scales) keeps tensor and byte counts constant too', async () => {
    const model = residualDsCnn();
    seedWeights(model, 5);
    const q = quantizeModel(model, { gradient: 'lsq' });
    q.model.compile({ optimizer: tf.train.adam(1e-3), loss: 'meanSquaredError' });
    const x = randomBatch([4, 12, 12, 3], 2);
    const y = tf.zeros([4, 5]);
    const counts: number[][] = [];
    for (let step = 0; step < 150; step++) {
      await q.model.trainOnBatch(x, y);
      if (step === 10 || step === 149) counts.push([tf.memory().numTensors, tf.memory().numBytes]);
    }
    expect(counts[1]).toEqual(counts[0]);
    q.dispose();
  });
});
