/**
 * Proof that it trains: the reference CNN on a few thousand synthetic digit-like images, float vs
 * Quant-Trim (progressive fake quantization with the curriculum), same initial weights and budget,
 * on the wasm training backend.
 */
import * as tf from '@tensorflow/tfjs';
import { syntheticDigits } from '@quant-trim/test-utils';
import { quantTrimCurriculum } from '@quant-trim/schedulers';
import { beforeAll, describe, expect, it } from 'vitest';
import { QuantTrimController, type StepInfo, initTrainingBackend, quantizeModel } from '../src/index.js';
import { referenceCnn, seedWeights } from './models.js';

const SIZE = 14;
const CLASSES = 10;

function dataset(n: number, seed: number): { x: tf.Tensor4D; y: tf.Tensor2D; labels: Int32Array } {
  const { pixels, labels, shape } = syntheticDigits(n, { seed, size: SIZE });
  return { x: tf.tensor4d(pixels, shape), y: tf.oneHot(tf.tensor1d(labels, 'int32'), CLASSES).toFloat() as tf.Tensor2D, labels };
}

function accuracy(model: tf.LayersModel, x: tf.Tensor, labels: Int32Array): number {
  const predicted = tf.tidy(() => (model.predict(x) as tf.Tensor).argMax(-1).dataSync());
  let correct = 0;
  predicted.forEach((p, i) => (correct += p === labels[i] ? 1 : 0));
  return correct / labels.length;
}

beforeAll(async () => {
  await initTrainingBackend({ backend: 'wasm' });
});

describe('training the reference CNN with the Quant-Trim curriculum', () => {
  it('loss falls, λ follows the schedule, and accuracy at λ = 1 is within 3 points of the float model', async () => {
    const train = dataset(3000, 1);
    const test = dataset(1000, 2);
    const epochs = 4;
    const batchSize = 50;
    const totalSteps = epochs * (3000 / batchSize);

    const float = referenceCnn(SIZE);
    seedWeights(float, 21);
    const initial = float.getWeights().map((w) => w.clone());
    float.compile({ optimizer: tf.train.adam(3e-3), loss: 'categoricalCrossentropy' });
    await float.fit(train.x, train.y, { epochs, batchSize, shuffle: false, verbose: 0 });
    const floatAccuracy = accuracy(float, test.x, test.labels);

    const source = referenceCnn(SIZE);
    source.setWeights(initial);
    const q = quantizeModel(source, { lambda: 0 });
    q.model.compile({ optimizer: tf.train.adam(3e-3), loss: 'categoricalCrossentropy' });
    const steps: StepInfo[] = [];
    const controller = new QuantTrimController(q, { totalSteps, reporter: { onStep: (s) => void steps.push(s) } });
    await q.model.fit(train.x, train.y, { epochs, batchSize, shuffle: false, verbose: 0, callbacks: [controller.callback()] });

    const curriculum = quantTrimCurriculum({ totalSteps });
    expect(steps).toHaveLength(totalSteps);
    for (const s of steps) expect(s.lambda).toBe(curriculum.at(s.step));
    const loss = steps.map((s) => s.logs!['loss']!);
    const mean = (a: number[]) => a.reduce((x, y) => x + y, 0) / a.length;
    expect(mean(loss.slice(-20))).toBeLessThan(mean(loss.slice(0, 20)) * 0.5);
    expect(q.state.lambdaValue).toBe(1);

    const quantAccuracy = accuracy(q.model, test.x, test.labels);
    console.info(`float accuracy ${(floatAccuracy * 100).toFixed(1)} %, Quant-Trim at λ = 1: ${(quantAccuracy * 100).toFixed(1)} %`);
    expect(floatAccuracy).toBeGreaterThan(0.8);
    expect(quantAccuracy).toBeGreaterThan(floatAccuracy - 0.03);
    q.dispose();
    float.dispose();
  });
});
