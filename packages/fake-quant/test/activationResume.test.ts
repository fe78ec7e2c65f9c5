import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { QuantTrimController, loadQuantizedModel, quantizeModel, saveQuantizedModel } from '../src/index.js';
import { randomBatch, referenceCnn, seedWeights, memoryIO } from './models.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

/** Post-ReLU-heavy inputs: a few large pixels per image, so activations have a sparse tail. */
function batches(n: number) {
  return Array.from({ length: n }, (_, i) => ({
    x: tf.tidy(() => tf.relu(randomBatch([6, 12, 12, 1], 300 + i)).pow(3)),
    y: tf.oneHot(tf.tensor1d([i % 10, (i + 3) % 10, (i + 5) % 10, (i + 7) % 10, (i + 1) % 10, (i + 8) % 10], 'int32'), 10),
  }));
}

describe('resuming with tail trimming and calibrator randomisation on', () => {
  it('interrupt at step k, save, load, continue: weights, clamps, observer ranges and histograms equal the uninterrupted run bit for bit', async () => {
    const data = batches(30);
    const observer = { tailTrim: { pMax: 0.02, refreshEvery: 2 }, randomCalibration: { seed: 7, observeEvery: 2, refreshEvery: 5, bins: 512 } } as const;
    const run = async (interruptAt: number | undefined) => {
      const model = referenceCnn();
      seedWeights(model, 13);
      let q = quantizeModel(model, { observer });
      q.model.compile({ optimizer: tf.train.adam(1e-2), loss: 'categoricalCrossentropy' });
      let controller = new QuantTrimController(q, { totalSteps: data.length, activationStrength: { type: 'linear', start: 0.2, end: 1, steps: data.length } });
      const chosen: string[] = [];
      for (let i = 0; i < data.length; i++) {
        if (i === interruptAt) {
          const io = memoryIO();
          await saveQuantizedModel(q, io.save, { controller });
          q.dispose();
          const loaded = await loadQuantizedModel(io.load());
          q = loaded.quantized;
          controller = loaded.controller!;
        }
        controller.beginStep();
        await q.model.trainOnBatch(data[i]!.x, data[i]!.y);
        await controller.endStep();
        for (const fq of q.fakeQuantLayers()) {
          const r = fq.quantizer.randomizer!;
          chosen.push(r.labels[r.choice(i, fq.quantizer.salt)]!);
        }
      }
      const weights = q.model.getWeights().map((w) => Array.from(w.dataSync()));
      const names = q.model.weights.map((w) => w.originalName);
      const histograms = q.fakeQuantLayers().map((fq) => fq.quantizer.randomizer!.toJSON());
      const clamps = q.fakeQuantLayers().map((fq) => fq.deployedClamp());
      q.dispose();
      return { weights, names, histograms, clamps, chosen };
    };
    const straight = await run(undefined);
    const resumed = await run(17);
    expect(straight.names.some((n) => n.endsWith('/tail_clamp'))).toBe(true);
    expect(straight.clamps.every((c) => c !== undefined && c.max > 0)).toBe(true);
    expect(new Set(straight.chosen).size).toBeGreaterThan(2);
    expect(resumed.chosen).toEqual(straight.chosen);
    expect(resumed.histograms).toEqual(straight.histograms);
    expect(resumed.clamps).toEqual(straight.clamps);
    expect(resumed.names).toEqual(straight.names);
    resumed.weights.forEach((w, i) => expect(w, straight.names[i]).toEqual(straight.weights[i]));
  });
});
