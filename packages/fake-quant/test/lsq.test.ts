import * as tf from '@tensorflow/tfjs';
import { computeQParams, computeRanges, createScheme } from '@quant-trim/quant-grid';
import { beforeAll, describe, expect, it } from 'vitest';
import { type FakeQuant, type QuantConv2D, loadQuantizedModel, quantizeModel, saveQuantizedModel, stripQuantization } from '../src/index.js';
import { randomBatch, referenceCnn, seedWeights } from './models.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

const weightNames = (layer: tf.layers.Layer) => layer.weights.map((w) => w.originalName.split('/').pop());

describe("quantizeModel with gradient 'lsq'", () => {
  it('adds a trainable scale per quantizer, initialised from the statistics, that training then moves', async () => {
    const model = referenceCnn();
    seedWeights(model, 8);
    const q = quantizeModel(model, { gradient: 'lsq' });
    const conv1 = q.model.layers.find((l) => l.name === 'conv1') as QuantConv2D;
    expect(weightNames(conv1)).toEqual(['kernel', 'bias', 'kernel_scale', 'kernel_scale_ready']);
    const input = q.fakeQuantLayers()[0] as FakeQuant;
    expect(weightNames(input).sort()).toEqual(['max', 'min', 'observed', 'scale', 'scale_ready']);
    q.model.compile({ optimizer: tf.train.adam(1e-2), loss: 'categoricalCrossentropy' });
    const x = randomBatch([8, 12, 12, 1], 1);
    const y = tf.oneHot(tf.tensor1d([0, 1, 2, 3, 4, 5, 6, 7], 'int32'), 10).toFloat();

    // The first call initialises the kernel scale from the statistics: absmax/127 per output channel.
    tf.tidy(() => void q.model.apply(x, { training: true }));
    const kernel = model.layers[0]!.getWeights()[0]!;
    const scheme = createScheme({ granularity: { kind: 'per-channel', axis: 3 } });
    const initial = computeQParams(computeRanges(kernel.dataSync() as Float32Array, kernel.shape, scheme.granularity), scheme).scale;
    const scaleOf = () => conv1.weights.find((w) => w.originalName.endsWith('kernel_scale'))!.read();
    expect(scaleOf().shape).toEqual([1, 1, 1, 8]);
    expect(Array.from(scaleOf().dataSync())).toEqual(Array.from(initial));
    // Training moves it.
    for (let i = 0; i < 5; i++) await q.model.trainOnBatch(x, y);
    expect(Array.from(scaleOf().dataSync())).not.toEqual(Array.from(initial));
    q.dispose();
  });

  it('learned scales are saved and restored; the stripped model drops them', async () => {
    const model = referenceCnn();
    seedWeights(model, 9);
    const q = quantizeModel(model, { gradient: 'lsq' });
    q.model.compile({ optimizer: tf.train.adam(1e-2), loss: 'categoricalCrossentropy' });
    const x = randomBatch([4, 12, 12, 1], 2);
    await q.model.trainOnBatch(x, tf.oneHot(tf.tensor1d([1, 2, 3, 4], 'int32'), 10).toFloat());
    let saved: tf.io.ModelArtifacts | undefined;
    await saveQuantizedModel(
      q,
      tf.io.withSaveHandler(async (a) => ((saved = a), { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } })),
    );
    const { quantized } = await loadQuantizedModel(tf.io.fromMemory(saved!));
    const probe = randomBatch([3, 12, 12, 1], 3);
    expect(Array.from((quantized.model.predict(probe) as tf.Tensor).dataSync())).toEqual(Array.from((q.model.predict(probe) as tf.Tensor).dataSync()));
    const plain = stripQuantization(q).model;
    expect(weightNames(plain.layers.find((l) => l.name === 'conv1')!)).toEqual(['kernel', 'bias']);
    q.dispose();
    quantized.dispose();
  });
});
