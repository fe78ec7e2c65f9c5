import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  QuantTrimController,
  type WeightTransform,
  isQuantTrimError,
  loadQuantizedModel,
  quantizeModel,
  saveQuantizedModel,
  stripQuantization,
} from '../src/index.js';
import { maxAbsDiff, randomBatch, referenceCnn, residualDsCnn, seedWeights, memoryIO } from './models.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

function batches(n: number) {
  return Array.from({ length: n }, (_, i) => ({
    x: randomBatch([4, 12, 12, 1], 100 + i),
    y: tf.oneHot(tf.tensor1d([i % 10, (i + 3) % 10, (i + 5) % 10, (i + 7) % 10], 'int32'), 10),
  }));
}

const halve: WeightTransform = { name: 'halve-big', apply: (w, ctx) => tf.clipByValue(w, -0.2 - (1 - ctx.strength), 0.2 + (1 - ctx.strength)) };

describe('save / load / strip', () => {
  it('a loaded model predicts identically and keeps λ, freeze flags, observer ranges and the controller step', async () => {
    const model = referenceCnn();
    seedWeights(model);
    const q = quantizeModel(model);
    q.model.compile({ optimizer: tf.train.adam(1e-3), loss: 'categoricalCrossentropy' });
    const controller = new QuantTrimController(q, { totalSteps: 10 });
    for (const b of batches(6)) {
      controller.beginStep();
      await q.model.trainOnBatch(b.x, b.y);
      await controller.endStep();
    }
    const io = memoryIO();
    await saveQuantizedModel(q, io.save, { controller });
    const { quantized: loaded, controller: restored } = await loadQuantizedModel(io.load());
    const x = randomBatch([5, 12, 12, 1], 77);
    expect(maxAbsDiff(loaded.model.predict(x) as tf.Tensor, q.model.predict(x) as tf.Tensor)).toBe(0);
    expect(loaded.state.lambdaValue).toBe(q.state.lambdaValue);
    expect(restored?.step).toBe(6);
    expect(loaded.activationRanges()).toEqual(q.activationRanges());
    expect(loaded.layers).toEqual(q.layers);
    q.dispose();
    loaded.dispose();
  });

  it('training resumed from a checkpoint (optimizer included) ends with the same weights as an uninterrupted run', async () => {
    // Long enough that Adam's β powers recomputed with pow (tfjs setWeights) would drift from the product of steps.
    const data = batches(40);
    const run = async (interruptAt: number | undefined) => {
      const model = referenceCnn();
      seedWeights(model, 11);
      let q = quantizeModel(model);
      q.model.compile({ optimizer: tf.train.adam(1e-2), loss: 'categoricalCrossentropy' });
      let controller = new QuantTrimController(q, { totalSteps: data.length });
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
      }
      const weights = q.model.getWeights().map((w) => Array.from(w.dataSync()));
      q.dispose();
      return weights;
    };
    const straight = await run(undefined);
    const resumed = await run(23);
    expect(resumed).toEqual(straight);
  });

  it('stripQuantization returns the float checkpoint: standard layers, trained weights, observed ranges', async () => {
    const model = residualDsCnn();
    seedWeights(model, 3);
    const q = quantizeModel(model, { weightTransform: halve });
    q.model.compile({ optimizer: tf.train.sgd(0), loss: 'meanSquaredError' });
    await q.model.trainOnBatch(randomBatch([2, 12, 12, 3], 5), tf.zeros([2, 5]));
    const { model: plain, activationRanges, weightSchemes } = stripQuantization(q);
    expect(plain.layers.map((l) => l.getClassName()).filter((c) => c.startsWith('QuantTrim'))).toEqual([]);
    expect(plain.layers.map((l) => l.name)).toContain('stem');
    expect(plain.layers.map((l) => l.name)).not.toContain('stem_bn'); // folded
    expect(activationRanges.find((r) => r.layer === 'residual_fq')).toMatchObject({ after: 'residual', observed: true });
    expect(weightSchemes['sep']).toHaveProperty('pointwise_kernel');
    // The stripped model equals the quantized one at λ = 0 with the transform applied at the same strength.
    q.setLambda(0);
    const x = randomBatch([2, 12, 12, 3], 6);
    expect(maxAbsDiff(plain.predict(x) as tf.Tensor, q.model.predict(x) as tf.Tensor)).toBeLessThan(1e-5);
    // Without baking the transform, the weights are the master weights (pw has no BatchNorm after it) ...
    const raw = stripQuantization(q, { applyWeightTransform: false }).model;
    const pwKernel = raw.layers.find((l) => l.name === 'pw')!.getWeights()[0]!;
    expect(maxAbsDiff(pwKernel, q.model.layers.find((l) => l.name === 'pw')!.getWeights()[0]!)).toBe(0);
    // ... and stem's is folded with stem_bn's trained moving statistics: W·γ/√(σ² + ε).
    const [gamma, , , variance] = q.model.layers.find((l) => l.name === 'stem_bn')!.getWeights();
    const folded = tf.tidy(() =>
      q.model.layers
        .find((l) => l.name === 'stem')!
        .getWeights()[0]!
        .mul(gamma!.div(variance!.add(1e-3).sqrt())),
    );
    expect(maxAbsDiff(raw.layers.find((l) => l.name === 'stem')!.getWeights()[0]!, folded)).toBeLessThan(1e-6);
    q.dispose();
  });

  it('stripQuantization deploys activation tail-trim clamps: the float model is bounded as in training', async () => {
    const model = referenceCnn();
    seedWeights(model, 4);
    const q = quantizeModel(model, { observer: { tailTrim: { pMax: 0.05 } } });
    const controller = new QuantTrimController(q, { totalSteps: 4, lambda: { type: 'constant', value: 1 } });
    q.model.compile({ optimizer: tf.train.sgd(0), loss: 'meanSquaredError' });
    for (const { x, y } of batches(3)) {
      controller.beginStep();
      await q.model.trainOnBatch(x, y);
      await controller.endStep();
    }
    const plain = stripQuantization(q).model;
    const clamps = plain.layers.filter((l) => l.name.endsWith('_clamp'));
    expect(clamps.length).toBeGreaterThan(0);
    const bounds = q
      .fakeQuantLayers()
      .map((l) => l.deployedClamp())
      .filter((b) => b !== undefined);
    expect(bounds.length).toBe(clamps.length);
    // At λ = 0 the quantized model applies the same clamps: the stripped model equals it.
    q.setLambda(0);
    const x = randomBatch([3, 12, 12, 1], 21);
    expect(maxAbsDiff(plain.predict(x) as tf.Tensor, q.model.predict(x) as tf.Tensor)).toBeLessThan(1e-5);
    // Without the clamps (deploy: false) the float model differs (the clamp bites on these inputs).
    const open = stripQuantization(quantizeModel(model, {})).model;
    expect(maxAbsDiff(plain.predict(x) as tf.Tensor, open.predict(x) as tf.Tensor)).toBeGreaterThan(1e-4);
    q.dispose();
  });

  it('loading a model without Quant-Trim metadata is a coded error', async () => {
    const io = memoryIO();
    await referenceCnn().save(io.save);
    let err: unknown;
    try {
      await loadQuantizedModel(io.load());
    } catch (e) {
      err = e;
    }
    expect(isQuantTrimError(err, 'QT_INVALID_ARGUMENT')).toBe(true);
  });
});
