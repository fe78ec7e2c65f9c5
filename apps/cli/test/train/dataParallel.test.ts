import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { initTrainingBackend } from '@quant-trim/fake-quant';
import { OnnxHardSwish, registerOnnxLayers } from '@quant-trim/onnx-import';
import { isQuantTrimError } from '@quant-trim/errors';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildModel } from '../../src/models/index.js';
import { syntheticDataset } from './syntheticDataset.js';
import { type TrainOptions, trainMethod } from '../../src/train/trainMethod.js';

const SIZE = 14;

const weightsOf = (r: { quantized: { model: { getWeights(): { dataSync(): ArrayLike<number> }[] } } }) =>
  r.quantized.model.getWeights().map((w) => Array.from(w.dataSync()));

describe('trainMethod with data-parallel workers', () => {
  const dir = mkdtempSync(join(tmpdir(), 'qt-cli-dp-'));
  // 250 = 7 batches of 32 and a last batch of 26 (13 / 13 over two workers); 101 test images split 51 / 50.
  const data = syntheticDataset(250, 101, SIZE);
  // dscnn: BatchNorm, depthwise convs; Quant-Trim with the default recipe's randomisations.
  const base = (sub: string, method: TrainOptions['method'] = 'quant-trim'): TrainOptions => ({
    method,
    build: () => buildModel('dscnn', { inputShape: [SIZE, SIZE, 1], classes: 10, seed: 0 }),
    dataset: data,
    epochs: 2,
    batchSize: 32,
    learningRate: 3e-3,
    seed: 7,
    scheme: { weights: 'int8-sym-per-channel', activations: 'uint8-asym-per-tensor' },
    trim: { refreshEvery: 4 },
    recipe: { randomCalibration: { refreshEvery: 3 }, randomize: {} },
    dir: join(dir, sub),
  });
  beforeAll(async () => {
    await initTrainingBackend({ backend: 'wasm' });
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('two workers train, report progress from one of them, and a run resumed with two workers ends bit-identical to an uninterrupted one', async () => {
    const progress: number[] = [];
    const straight = await trainMethod({ ...base('straight'), workers: 2, reporter: { onProgress: (e) => progress.push(e.done) } });
    expect(straight.workers).toBe(2);
    expect(straight.history.map((h) => h.epoch)).toEqual([1, 2]);
    expect(progress).toEqual(Array.from({ length: 16 }, (_, i) => i + 1));
    expect(straight.history[1]!.loss).toBeLessThan(straight.history[0]!.loss);

    // Stopped after epoch 1 (as an interrupted run stops), then resumed with two workers.
    const interrupted = base('interrupted');
    const error = await trainMethod({ ...interrupted, workers: 2, stopAfterEpoch: 1 }).catch((e: unknown) => e);
    expect(isQuantTrimError(error, 'QT_INTERRUPTED')).toBe(true);
    expect(readdirSync(interrupted.dir).sort()).toEqual(['epoch-1', 'latest.json']);
    const resumed = await trainMethod({ ...interrupted, workers: 2, resume: true });
    expect(resumed.resumedFrom).toBe(1);
    expect(weightsOf(resumed)).toEqual(weightsOf(straight));
    expect(resumed.history.map((h) => h.loss)).toEqual(straight.history.map((h) => h.loss));
    expect(resumed.history.map((h) => h.testAccuracy)).toEqual(straight.history.map((h) => h.testAccuracy));
    straight.quantized.dispose();
    resumed.quantized.dispose();
  }, 600_000);

  it('an aborted signal (Ctrl-C) stops every worker at the same step with QT_INTERRUPTED; nothing is checkpointed mid-epoch', async () => {
    const controller = new AbortController();
    controller.abort();
    const run = base('aborted');
    const error = await trainMethod({ ...run, workers: 2, signal: controller.signal }).catch((e: unknown) => e);
    expect(isQuantTrimError(error, 'QT_INTERRUPTED')).toBe(true);
    expect((error as Error).message).toMatch(/interrupted during epoch 1 of quant-trim/);
    expect(existsSync(join(run.dir, 'latest.json'))).toBe(false);
  }, 600_000);

  it('FP with two workers follows one worker up to float summation order', async () => {
    const one = await trainMethod({ ...base('fp1', 'fp'), epochs: 1, workers: 1 });
    const two = await trainMethod({ ...base('fp2', 'fp'), epochs: 1, workers: 2 });
    expect(two.history[0]!.loss).toBeCloseTo(one.history[0]!.loss, 4);
    const a = weightsOf(one).flat();
    const b = weightsOf(two).flat();
    let worst = 0;
    for (let i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs(a[i]! - b[i]!) / Math.max(1, Math.abs(a[i]!)));
    expect(worst).toBeLessThan(1e-4);
    one.quantized.dispose();
    two.quantized.dispose();
  }, 600_000);

  it("a model holding onnx-import's layers (an imported model) trains in the workers", async () => {
    registerOnnxLayers();
    const build = () => {
      const input = tf.input({ shape: [SIZE, SIZE, 1] });
      let x = tf.layers.conv2d({ filters: 4, kernelSize: 3, kernelInitializer: tf.initializers.glorotUniform({ seed: 1 }) }).apply(input) as tf.SymbolicTensor;
      x = new OnnxHardSwish({ name: 'hswish' }).apply(x) as tf.SymbolicTensor;
      x = tf.layers.flatten().apply(x) as tf.SymbolicTensor;
      const out = tf.layers.dense({ units: 10, kernelInitializer: tf.initializers.glorotUniform({ seed: 2 }) }).apply(x) as tf.SymbolicTensor;
      return tf.model({ inputs: input, outputs: out });
    };
    const one = await trainMethod({ ...base('onnx1', 'qat'), build, epochs: 1, workers: 1 });
    const two = await trainMethod({ ...base('onnx2', 'qat'), build, epochs: 1, workers: 2 });
    expect(two.quantized.model.layers.some((l) => l.name === 'hswish')).toBe(true);
    expect(two.history[0]!.loss).toBeCloseTo(one.history[0]!.loss, 3);
    one.quantized.dispose();
    two.quantized.dispose();
  }, 600_000);

  it('a failure in the workers keeps its code: a diverging run stops with QT_TRAINING_DIVERGED and writes no checkpoint', async () => {
    const error = await trainMethod({ ...base('diverge', 'fp'), epochs: 1, workers: 2, learningRate: 1e30 }).catch((e: unknown) => e);
    expect(isQuantTrimError(error, 'QT_TRAINING_DIVERGED')).toBe(true);
    expect((error as Error).message).toMatch(/fp diverged: .*no checkpoint was written/);
  }, 600_000);
});
