import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { QuantTrimController, initTrainingBackend, quantizeModel, stripQuantization, type WeightTransform } from '@quant-trim/fake-quant';
import { mulberry32, syntheticDigits } from '@quant-trim/test-utils';
import { createReversePrune } from '../src/reversePrune.js';
import { diagnoseModel } from '../src/diagnostics/diagnoseModel.js';
import { referenceCnn } from './referenceCnn.js';

beforeAll(async () => {
  await initTrainingBackend({ backend: 'wasm' });
});

const size = 14;
const data = syntheticDigits(512, { size, seed: 3 });

/** Initial weights with a few planted outliers (±8× the kernel's max) in every kernel. */
function plantedInit(): tf.Tensor[] {
  const model = referenceCnn(size);
  const rand = mulberry32(5);
  const init = model.getWeights().map((w) => {
    const v = w.dataSync().slice() as Float32Array;
    if (w.rank > 1) {
      const max = v.reduce((m, x) => Math.max(m, Math.abs(x)), 0);
      for (let k = 0; k < Math.max(2, Math.round(v.length * 0.004)); k++) v[Math.floor(rand() * v.length)] = (rand() < 0.5 ? -8 : 8) * max;
    }
    return tf.tensor(v, w.shape);
  });
  model.dispose();
  return init;
}

async function train(init: tf.Tensor[], transform?: WeightTransform) {
  const model = referenceCnn(size);
  model.setWeights(init);
  const quantized = quantizeModel(model, transform ? { weightTransform: transform } : {});
  const epochs = 4;
  const batchSize = 64;
  const controller = new QuantTrimController(quantized, { totalSteps: epochs * (512 / batchSize) });
  quantized.model.compile({ optimizer: tf.train.adam(3e-3), loss: 'categoricalCrossentropy' });
  const xs = tf.tensor(data.pixels, data.shape);
  const ys = tf.oneHot(tf.tensor1d(data.labels, 'int32'), 10).toFloat();
  const history = await quantized.model.fit(xs, ys, { epochs, batchSize, shuffle: false, callbacks: [controller.callback()], verbose: 0 });
  tf.dispose([xs, ys]);
  const { model: stripped } = stripQuantization(quantized);
  const report = diagnoseModel(
    stripped.layers
      .filter((l) => l.getWeights().length > 0)
      .map((l) => {
        const w = l.getWeights()[0]!;
        return { layer: l.name, weight: 'kernel', values: w.dataSync() as Float32Array, shape: w.shape, channelAxis: -1 };
      }),
  );
  const loss = history.history['loss'] as number[];
  return { loss, report, quantized };
}

describe('training with reverse pruning', () => {
  it('keeps learning and ends with a lower scale-inflation factor than the same run without trimming', async () => {
    const init = plantedInit();
    const trim = createReversePrune({ refreshEvery: 10, pMax: 0.01, granularity: 'per-tensor' });
    const withTrim = await train(init, trim);
    const without = await train(init);
    for (const run of [withTrim, without]) expect(run.loss.at(-1)!).toBeLessThan(0.8 * run.loss[0]!);
    const inflation = (r: typeof without.report) => r.reduce((a, d) => a + (d.scaleInflation ?? Number.POSITIVE_INFINITY), 0) / r.length;
    expect(inflation(withTrim.report)).toBeLessThan(0.7 * inflation(without.report));
    const stats = trim.stats();
    expect(stats.trimmed).toBeGreaterThan(0);
    expect(JSON.parse(JSON.stringify(stats))).toEqual(stats);
    console.info(
      JSON.stringify({
        loss: { trim: withTrim.loss, none: without.loss },
        inflation: { trim: withTrim.report.map((d) => d.scaleInflation), none: without.report.map((d) => d.scaleInflation) },
        trimmed: stats.trimmed,
      }),
    );
    trim.dispose();
    tf.dispose(init);
  });
});
