import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { initTrainingBackend } from '@quant-trim/fake-quant';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadDataset } from '../../src/data/index.js';
import type { Dataset } from '../../src/data/types.js';
import { seededPermutation, seededRng } from '../../src/data/random.js';
import { buildModel } from '../../src/models/index.js';
import { trainMethod, type TrainOptions } from '../../src/train/trainMethod.js';

// The setting: dscnn on the embedded digits, 4,000 images, batch 64, Adam 0.003, 126 steps.
const TRAIN = 4000;
const EPOCHS = 2;
const BATCH = 64;
const LR = 3e-3;
const SEED = 0;
const build = () => buildModel('dscnn', { inputShape: [28, 28, 1], classes: 10, seed: SEED });

/** Plain tfjs: the same model, initialisation, batches and order as `trainMethod` (its seeded epoch permutations); mean loss per epoch. */
async function plainTfjs(data: Dataset): Promise<number[]> {
  const model = build();
  model.compile({ optimizer: tf.train.adam(LR), loss: tf.losses.softmaxCrossEntropy });
  const size = 28 * 28;
  const losses: number[] = [];
  for (let epoch = 0; epoch < EPOCHS; epoch++) {
    const order = seededPermutation(data.train.count, seededRng(SEED, `train/epoch/${epoch}`));
    let sum = 0;
    let steps = 0;
    for (let start = 0; start < order.length; start += BATCH) {
      const n = Math.min(BATCH, order.length - start);
      const x = new Float32Array(n * size);
      const y = new Float32Array(n * 10);
      for (let i = 0; i < n; i++) {
        const s = order[start + i]!;
        x.set(data.train.x.subarray(s * size, (s + 1) * size), i * size);
        y[i * 10 + data.train.y[s]!] = 1;
      }
      const [xs, ys] = [tf.tensor4d(x, [n, 28, 28, 1]), tf.tensor2d(y, [n, 10])];
      sum += (await model.trainOnBatch(xs, ys)) as number;
      steps++;
      tf.dispose([xs, ys]);
    }
    losses.push(sum / steps);
  }
  model.dispose();
  return losses;
}

describe('BatchNorm models train with normalisation (dscnn on the embedded digits)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'qt-cli-bn-'));
  let data: Dataset;
  beforeAll(async () => {
    await initTrainingBackend({ backend: 'wasm' });
    data = await loadDataset({ dataset: 'mnist', trainLimit: TRAIN, testLimit: 500 });
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  const options = (method: TrainOptions['method']): TrainOptions => ({
    method,
    build,
    dataset: data,
    epochs: EPOCHS,
    batchSize: BATCH,
    learningRate: LR,
    seed: SEED,
    scheme: { weights: 'int8-sym-per-channel', activations: 'uint8-asym-per-tensor' },
    dir: join(dir, method),
  });

  it("FP through quantizeModel follows plain tfjs's loss curve; QAT trains too", async () => {
    const reference = await plainTfjs(data);
    const fp = await trainMethod(options('fp'));
    const qat = await trainMethod(options('qat'));
    const fpLoss = fp.history.map((h) => h.loss);
    const qatLoss = qat.history.map((h) => h.loss);
    const curves = `plain ${reference.map((l) => l.toFixed(3))} fp ${fpLoss.map((l) => l.toFixed(3))} qat ${qatLoss.map((l) => l.toFixed(3))}`;
    // Same initialisation, batches and order: only float summation order differs (BatchNorm removed by folding gave 2.04 vs 0.90).
    for (let e = 0; e < EPOCHS; e++) expect(Math.abs(fpLoss[e]! - reference[e]!), curves).toBeLessThan(0.03 * reference[e]!);
    expect(reference[1]!, curves).toBeLessThan(reference[0]! * 0.8);
    // QAT (int8 weights, uint8 activations from step 0, BatchNorm folded into the quantized weights) learns too (more slowly).
    expect(qatLoss.at(-1)!, curves).toBeLessThan(qatLoss[0]! * 0.9);
    // Inference uses the trained moving statistics: far above chance (10 %; 74.6–77 % measured).
    expect(fp.history.at(-1)!.testAccuracy, curves).toBeGreaterThan(0.6);
    fp.quantized.dispose();
    qat.quantized.dispose();
  }, 600_000); // three 126-step dscnn trainings: ~40 s alone, several minutes on a loaded 2-core machine
});
