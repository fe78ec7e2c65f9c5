import * as tf from '@tensorflow/tfjs';
import { QuantTrimController, initTrainingBackend, quantizeModel, saveQuantizedModel, stripQuantization } from '@quant-trim/fake-quant';
import { fileSystemHandler } from '@quant-trim/fake-quant/node';

// 1. A fast training backend: tfjs wasm (SIMD) plus our conv / depthwise / max-pool gradient kernels.
await initTrainingBackend({ backend: 'wasm' });

// 2. Any tfjs LayersModel (Sequential or functional), float-trained or fresh.
const model = tf.sequential({
  layers: [
    tf.layers.conv2d({ inputShape: [28, 28, 1], filters: 8, kernelSize: 3, activation: 'relu', name: 'conv1' }),
    tf.layers.maxPooling2d({ poolSize: 2 }),
    tf.layers.conv2d({ filters: 16, kernelSize: 3, activation: 'relu', name: 'conv2' }),
    tf.layers.flatten(),
    tf.layers.dense({ units: 10, activation: 'softmax', name: 'head' }),
  ],
});

// 3. Fake-quantize it: int8 per-channel weights, uint8 activations, int4 blocks for conv2, head kept float.
const quantized = quantizeModel(model, {
  weights: 'int8-sym-per-channel',
  activations: 'uint8-asym-per-tensor',
  overrides: [
    { pattern: 'conv2', weights: ['int4-sym-per-group', { groupSize: 8 }] },
    { pattern: 'head', exclude: true },
  ],
});

// 4. Train with the Quant-Trim curriculum: λ rises from 0 (float) to 1 (full fake quantization).
const xs = tf.randomUniform([256, 28, 28, 1]);
const ys = tf.oneHot(tf.randomUniform([256], 0, 10, 'int32') as tf.Tensor1D, 10);
const epochs = 2;
const batchSize = 32;
const controller = new QuantTrimController(quantized, {
  totalSteps: epochs * Math.ceil(256 / batchSize),
  reporter: { onEpochEnd: ({ epoch, lambda, logs }) => console.log(`epoch ${epoch}: loss ${logs['loss']?.toFixed(3)}, λ ${lambda.toFixed(2)}`) },
});
quantized.model.compile({ optimizer: tf.train.adam(1e-3), loss: 'categoricalCrossentropy' });
await quantized.model.fit(xs, ys, { epochs, batchSize, callbacks: [controller.callback()], verbose: 0 });

// 5. Save the quantized checkpoint (resumable: weights, observer ranges, λ, controller state) ...
const dir = process.env['QUICKSTART_OUT'] ?? 'out/quickstart';
await saveQuantizedModel(quantized, fileSystemHandler(`${dir}/qat`), { controller });

// 6. ... and the hardware-neutral float checkpoint with the observed activation ranges as data.
const { model: float, activationRanges } = stripQuantization(quantized);
await float.save(fileSystemHandler(`${dir}/float`));
console.log(`activation ranges: ${activationRanges.map((r) => `${r.after} [${r.min[0]!.toFixed(2)}, ${r.max[0]!.toFixed(2)}]`).join(', ')}`);
