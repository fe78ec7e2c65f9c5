import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { initTrainingBackend, loadQuantizedModel, quantizeModel, saveQuantizedModel } from '@quant-trim/fake-quant';
import { exportOnnx } from '@quant-trim/onnx-export';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { importOnnx, registerOnnxLayers } from '../src/index.js';
import { memoryIO, nchwInput, ortOutput, relativeError, tfOutput, torch, trainCnn } from './helpers.js';

/**
 * The reference PyTorch CNN (Conv-BN-ReLU ×2, depthwise + pointwise with ReLU6, global pooling,
 * Linear) trained by scripts/train_cnn.py. CI trains it briefly: equality with ONNX Runtime does not
 * depend on how long it trained (the README gives the full run's accuracy).
 */
describe.skipIf(!torch.ok)('the PyTorch CNN trained on the embedded digits', () => {
  const dir = mkdtempSync(join(tmpdir(), 'qt-onnx-import-cnn-'));
  let bytes: Uint8Array;
  const dims = [16, 1, 28, 28];
  beforeAll(async () => {
    await tf.setBackend('cpu');
    const trained = trainCnn(join(dir, 'cnn.onnx'), { epochs: 2, limit: 3000 });
    console.log(`trained: ${(trained.accuracy * 100).toFixed(1)} % on ${trained.test} test digits`);
    bytes = new Uint8Array(readFileSync(join(dir, 'cnn.onnx')));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  test('imports as standard layers (depthwise conv, ReLU6 as ReLU maxValue 6) and equals ONNX Runtime within 1e-4 relative', async () => {
    const input = nchwInput(dims, 3);
    for (const batchNorm of ['keep', 'fold'] as const) {
      const model = importOnnx(bytes, { batchNorm });
      const classes = model.layers.map((l) => l.getClassName());
      expect(classes).toContain('DepthwiseConv2D');
      expect(classes.filter((c) => c === 'BatchNormalization').length).toBe(batchNorm === 'keep' ? 2 : 0);
      expect(model.layers.filter((l) => l.getClassName() === 'ReLU' && l.getConfig()['maxValue'] === 6).length).toBe(2);
      expect(model.inputs[0]!.shape).toEqual([null, 28, 28, 1]);
      const error = relativeError(tfOutput(model, input, dims), await ortOutput(bytes, input, dims));
      console.log(`cnn batchNorm '${batchNorm}': max relative error ${error.toExponential(2)}`);
      expect(error).toBeLessThan(1e-4);
      model.dispose();
    }
  });

  test('import → exportOnnx gives ONNX Runtime outputs equal to the original within 1e-5', async () => {
    const model = importOnnx(bytes);
    const input = nchwInput([1, 1, 28, 28], 4);
    const error = relativeError(
      await ortOutput(exportOnnx(model, { inputLayout: 'NCHW' }).bytes(), input, [1, 1, 28, 28]),
      await ortOutput(bytes, input, [1, 1, 28, 28]),
    );
    console.log(`cnn round trip: max relative error ${error.toExponential(2)}`);
    expect(error).toBeLessThan(1e-5);
    model.dispose();
  });

  test('quantizeModel accepts it; it trains on the wasm backend and saves / loads as a quantized checkpoint', async () => {
    await initTrainingBackend();
    try {
      const model = importOnnx(bytes);
      const q = quantizeModel(model);
      const statuses = Object.fromEntries(q.layers.map((l) => [l.className, l.status]));
      expect(statuses['Conv2D']).toBe('quantized');
      expect(statuses['DepthwiseConv2D']).toBe('quantized');
      expect(statuses['Dense']).toBe('quantized');
      expect(q.layers.filter((l) => l.status === 'float' && l.className !== 'InputLayer')).toEqual([]);
      q.model.compile({ optimizer: tf.train.adam(1e-3), loss: (labels: tf.Tensor, logits: tf.Tensor) => tf.losses.softmaxCrossEntropy(labels, logits) });
      const x = tf.randomUniform([32, 28, 28, 1], 0, 1, 'float32', 5);
      const y = tf.oneHot(
        tf.tensor1d(
          Array.from({ length: 32 }, (_, i) => i % 10),
          'int32',
        ),
        10,
      );
      const losses: number[] = [];
      for (let i = 0; i < 8; i++) losses.push((await q.model.trainOnBatch(x, y)) as number);
      expect(losses[7]).toBeLessThan(losses[0]!);
      const io = memoryIO();
      await saveQuantizedModel(q, io.save);
      registerOnnxLayers();
      const { quantized: loaded } = await loadQuantizedModel(io.load());
      const probe = tf.randomUniform([4, 28, 28, 1], 0, 1, 'float32', 6);
      const diff = tf.tidy(() => tf.max(tf.abs(tf.sub(loaded.model.predict(probe) as tf.Tensor, q.model.predict(probe) as tf.Tensor))).dataSync()[0]!);
      expect(diff).toBe(0);
      tf.dispose([x, y, probe]);
      q.dispose();
      loaded.dispose();
    } finally {
      await tf.setBackend('cpu');
    }
  });

  test('the plain imported model saves and loads with tfjs (registered layers) and predicts identically', async () => {
    const model = importOnnx(bytes);
    const io = memoryIO();
    await model.save(io.save);
    registerOnnxLayers();
    const loaded = await tf.loadLayersModel(io.load());
    const input = nchwInput([2, 1, 28, 28], 7);
    expect(Array.from(tfOutput(loaded, input, [2, 1, 28, 28]))).toEqual(Array.from(tfOutput(model, input, [2, 1, 28, 28])));
    model.dispose();
    loaded.dispose();
  });
});
