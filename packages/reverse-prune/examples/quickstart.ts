import * as tf from '@tensorflow/tfjs';
import { QuantTrimController, initTrainingBackend, quantizeModel, stripQuantization } from '@quant-trim/fake-quant';
import { createMagnitudePruning, createReversePrune, diagnoseModel, polynomialSparsity } from '@quant-trim/reverse-prune';

await initTrainingBackend({ backend: 'wasm' });
const model = tf.sequential({
  layers: [
    tf.layers.conv2d({ inputShape: [28, 28, 1], filters: 8, kernelSize: 3, activation: 'relu', name: 'conv1' }),
    tf.layers.maxPooling2d({ poolSize: 2 }),
    tf.layers.conv2d({ filters: 16, kernelSize: 3, activation: 'relu', name: 'conv2' }),
    tf.layers.flatten(),
    tf.layers.dense({ units: 10, activation: 'softmax', name: 'head' }),
  ],
});

// Reverse pruning: clamp the top p_t = 0.5 %·λ_t of |w| per output channel, masks refreshed every
// 100 steps, plugged into fake-quant's weight-transform hook. One controller drives λ and p.
const trim = createReversePrune({ pMax: 0.005, refreshEvery: 100 });
const quantized = quantizeModel(model, { weights: 'int4-sym-per-channel', weightTransform: trim });
const xs = tf.randomUniform([256, 28, 28, 1]);
const ys = tf.oneHot(tf.randomUniform([256], 0, 10, 'int32') as tf.Tensor1D, 10).toFloat();
const controller = new QuantTrimController(quantized, { totalSteps: 16 });
quantized.model.compile({ optimizer: tf.train.adam(1e-3), loss: 'categoricalCrossentropy' });
await quantized.model.fit(xs, ys, { epochs: 2, batchSize: 32, callbacks: [controller.callback()], verbose: 0 });

// What trimming did, per layer, as JSON for reports.
console.log(`trimmed ${trim.stats().trimmed} weights`);
for (const row of diagnoseModel(
  quantized.quantizedWeights().map((w) => ({ ...w, values: w.variable.read().dataSync() as Float32Array, shape: [...w.view] })),
  { transform: trim },
)) {
  console.log(
    `${row.layer}/${row.weight}: scale inflation ${row.scaleInflation?.toFixed(2)} → ${row.after?.scaleInflation?.toFixed(2)}, int4 MSE ${row.mse.int4.before.toExponential(2)} → ${row.mse.int4.after?.toExponential(2)}`,
  );
}
const checkpoint = stripQuantization(quantized).model; // the trim is baked into the float weights

// Classic magnitude pruning, for comparison: 50 % of the smallest weights by step 12 (TFMOT's polynomial decay).
const prune = createMagnitudePruning({ sparsity: polynomialSparsity({ initial: 0, final: 0.5, beginStep: 0, endStep: 12 }), refreshEvery: 4 });
const sparse = quantizeModel(checkpoint, { weightTransform: prune });
const sparseController = new QuantTrimController(sparse, { totalSteps: 16, lambda: { type: 'constant', value: 1 } });
sparse.model.compile({ optimizer: tf.train.adam(1e-3), loss: 'categoricalCrossentropy' });
await sparse.model.fit(xs, ys, { epochs: 2, batchSize: 32, callbacks: [sparseController.callback()], verbose: 0 });
console.log(`magnitude pruning: sparsity ${prune.stats().sparsity.toFixed(2)}`);
