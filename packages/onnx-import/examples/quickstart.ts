import { readFileSync } from 'node:fs';
import * as tf from '@tensorflow/tfjs';
import { initTrainingBackend, quantizeModel, stripQuantization } from '@quant-trim/fake-quant';
import { exportOnnx } from '@quant-trim/onnx-export';
import { importOnnx } from '@quant-trim/onnx-import';

// A classifier exported by torch.onnx.export (here scripts/train_cnn.py's CNN, input [N, 1, 28, 28]).
const file = process.env['ONNX_MODEL'] ?? 'cnn.onnx';
await initTrainingBackend();
const model = importOnnx(new Uint8Array(readFileSync(file)), { batchNorm: 'keep' });
console.log(`input ${JSON.stringify(model.inputs[0]!.shape)}, ${model.countParams()} parameters`);

// Quantization-aware fine-tuning of the imported weights, then the float checkpoint back to ONNX.
const q = quantizeModel(model, { weights: 'int8-sym-per-channel', activations: 'uint8-asym-per-tensor' });
q.model.compile({ optimizer: tf.train.adam(1e-4), loss: (labels: tf.Tensor, logits: tf.Tensor) => tf.losses.softmaxCrossEntropy(labels, logits) });
const images = tf.randomUniform([64, 28, 28, 1]);
const labels = tf.oneHot(tf.randomUniform([64], 0, 10, 'int32'), 10);
await q.model.fit(images, labels, { epochs: 1, batchSize: 32, verbose: 0 });
const onnx = exportOnnx(stripQuantization(q).model, { inputLayout: 'NCHW' });
console.log(`exported ${onnx.model.graph.nodes.length} ONNX nodes, input ${JSON.stringify(onnx.model.graph.inputs[0]!.shape)}`);
