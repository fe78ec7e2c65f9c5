/**
 * Tail trimming on a trained model: the reference CNN trained on synthetic digits with plain QAT
 * and with QAT + activation tail trimming (same data, seed and budget); the calibrator
 * disagreement of the activations the backends would calibrate shrinks.
 */
import * as tf from '@tensorflow/tfjs';
import { syntheticDigits } from '@quant-trim/test-utils';
import { beforeAll, describe, expect, it } from 'vitest';
import { type ObserverConfig, QuantTrimController, calibratorDisagreementOf, initTrainingBackend, quantizeModel } from '../src/index.js';
import { referenceCnn, seedWeights } from './models.js';

const SIZE = 14;

beforeAll(async () => {
  await initTrainingBackend({ backend: 'wasm' });
});

async function train(observer: ObserverConfig) {
  const { pixels, labels, shape } = syntheticDigits(1500, { seed: 1, size: SIZE });
  const x = tf.tensor4d(pixels, shape);
  const y = tf.oneHot(tf.tensor1d(labels, 'int32'), 10).toFloat();
  const model = referenceCnn(SIZE);
  seedWeights(model, 21);
  const q = quantizeModel(model, { observer });
  q.model.compile({ optimizer: tf.train.adam(3e-3), loss: 'categoricalCrossentropy' });
  const epochs = 3;
  const batchSize = 50;
  const controller = new QuantTrimController(q, { totalSteps: epochs * (1500 / batchSize) });
  await q.model.fit(x, y, { epochs, batchSize, shuffle: false, verbose: 0, callbacks: [controller.callback()] });
  const calib = tf.tensor4d(syntheticDigits(256, { seed: 7, size: SIZE }).pixels, [256, SIZE, SIZE, 1]);
  const report = calibratorDisagreementOf(q, calib);
  // The calibrators that choose a clipping range (pow2 rounds up by up to 2x and mean-minmax averages per sample whatever the tail).
  const clipping = calibratorDisagreementOf(q, calib, { methods: ['minmax', 'percentile', 'entropy', 'mse', 'sqnr'] });
  const test = syntheticDigits(500, { seed: 2, size: SIZE });
  q.setLambda(1);
  const predicted = tf.tidy(() => (q.model.predict(tf.tensor4d(test.pixels, test.shape)) as tf.Tensor).argMax(-1).dataSync());
  let correct = 0;
  predicted.forEach((p, i) => (correct += p === test.labels[i] ? 1 : 0));
  tf.dispose([x, y, calib]);
  q.dispose();
  return { report, clipping, accuracy: correct / 500 };
}

describe('tail trimming on a trained model', () => {
  it('shrinks the calibrator disagreement of the activations vs plain QAT, at similar accuracy', async () => {
    const plain = await train({});
    const trimmed = await train({ tailTrim: {} });
    // Hidden activations (the input quantizer sees fixed pixels, not a trained tail).
    const hidden = (r: (typeof plain)['report']) => r.filter((a) => a.layer !== 'conv1_input_fq').map((a) => a.disagreement.ratio);
    const mean = (v: number[]) => v.reduce((a, b) => a + b, 0) / v.length;
    // All seven methods: the mean widest / narrowest ratio drops (measured 1.70 → 1.43).
    expect(mean(hidden(trimmed.report))).toBeLessThan(mean(hidden(plain.report)) - 0.1);
    // The clipping calibrators: plain QAT leaves a tail they cut differently (up to 1.17×); trimmed, they agree within 1 %.
    expect(Math.max(...hidden(plain.clipping))).toBeGreaterThan(1.1);
    for (const r of hidden(trimmed.clipping)) expect(r).toBeLessThan(1.01);
    for (const a of trimmed.report) if (a.layer !== 'conv1_input_fq') expect(a.clamp).toBeDefined();
    expect(trimmed.accuracy).toBeGreaterThan(plain.accuracy - 0.02);
  });
});
