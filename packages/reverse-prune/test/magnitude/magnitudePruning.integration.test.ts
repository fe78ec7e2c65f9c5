import * as tf from '@tensorflow/tfjs';
import { QuantTrimController, type WeightTransform, quantizeModel, stripQuantization } from '@quant-trim/fake-quant';
import { mulberry32 } from '@quant-trim/test-utils';
import { beforeAll, describe, expect, it } from 'vitest';
import { createMagnitudePruning } from '../../src/magnitude/createMagnitudePruning.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

function seeded(shape: number[], seed: number, spread = 1): tf.Tensor {
  const random = mulberry32(seed);
  return tf.tensor(
    Float32Array.from({ length: shape.reduce((a, b) => a * b, 1) }, () => (random() - 0.5) * spread),
    shape,
  );
}

describe('magnitude pruning inside fake-quant training', () => {
  it('keeps pruned weights at exactly 0 through QAT, in the stripped model too, while the loss falls', async () => {
    const model = tf.sequential({
      layers: [tf.layers.dense({ inputShape: [16], units: 8, activation: 'relu', name: 'd1' }), tf.layers.dense({ units: 4, name: 'd2' })],
    });
    model.layers.forEach((layer, l) => {
      const shapes = layer.weights.map((w) => w.shape as number[]);
      const values = shapes.map((shape, k) => seeded(shape, 10 * l + k, k === 0 ? 1 : 0.1));
      layer.setWeights(values);
      tf.dispose(values);
    });
    const pruning = createMagnitudePruning({ sparsity: 0.5, refreshEvery: 1 });
    // Structural compatibility with fake-quant's interface, checked by the compiler.
    const transform: WeightTransform = pruning;
    const q = quantizeModel(model, { weightTransform: transform });
    q.model.compile({ optimizer: tf.train.adam(1e-2), loss: 'meanSquaredError' });
    const controller = new QuantTrimController(q, { totalSteps: 20, lambda: { type: 'constant', value: 1 } });
    const x = seeded([32, 16], 100, 2);
    const y = tf.tidy(() => tf.matMul(x, seeded([16, 4], 101)).tanh());

    const initial = new Map(q.quantizedWeights().map((w) => [`${w.layer}/${w.weight}`, Float32Array.from(w.variable.read().dataSync())]));
    const losses: number[] = [];
    for (let step = 0; step < 20; step += 1) {
      controller.beginStep();
      losses.push((await q.model.trainOnBatch(x, y)) as number);
      await controller.endStep();
    }
    expect(losses.every(Number.isFinite)).toBe(true);
    expect(losses.at(-1)!).toBeLessThan(losses[0]! * 0.9);

    const masks = pruning.masks();
    expect([...masks.keys()].sort()).toEqual(['d1/kernel', 'd2/kernel']);
    expect(pruning.stats()).toMatchObject({ size: 16 * 8 + 8 * 4, pruned: 64 + 16, lastRefreshStep: 19 });

    // Pruned variables got exactly zero gradient from step 0, so Adam never moved them.
    for (const w of q.quantizedWeights()) {
      const key = `${w.layer}/${w.weight}`;
      const now = w.variable.read().dataSync();
      const before = initial.get(key)!;
      masks.get(key)!.forEach((kept, i) => kept === 0 && expect(now[i]).toBe(before[i]));
      expect(now.some((v, i) => masks.get(key)![i] === 1 && v !== before[i])).toBe(true);
    }

    // The stripped checkpoint bakes the masks in: exactly half of each kernel is +0, where the mask says.
    const { model: stripped } = stripQuantization(q);
    for (const name of ['d1', 'd2']) {
      const kernel = stripped.getLayer(name).getWeights()[0]!.dataSync();
      const mask = masks.get(`${name}/kernel`)!;
      expect(kernel.filter((v) => v === 0).length).toBe(kernel.length / 2);
      mask.forEach((kept, i) => (kept === 0 ? expect(Object.is(kernel[i], 0)).toBe(true) : expect(kernel[i]).not.toBe(0)));
    }
    const out = q.model.predict(x) as tf.Tensor;
    expect(out.dataSync().every(Number.isFinite)).toBe(true);

    tf.dispose([x, y, out]);
    stripped.dispose();
    q.dispose();
    pruning.dispose();
  });
});
