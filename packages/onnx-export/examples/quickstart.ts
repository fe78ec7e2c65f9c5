import * as tf from '@tensorflow/tfjs';
import { quantizeModel } from '@quant-trim/fake-quant';
import { addOutputs, exportOnnx, inferShapes, readOnnx } from '@quant-trim/onnx-export';
import { saveOnnx, verifyExport } from '@quant-trim/onnx-export/node';

const model = tf.sequential({
  layers: [
    tf.layers.conv2d({ inputShape: [28, 28, 1], filters: 8, kernelSize: 3, activation: 'relu', name: 'conv1' }),
    tf.layers.maxPooling2d({ poolSize: 2 }),
    tf.layers.conv2d({ filters: 16, kernelSize: 3, activation: 'relu', name: 'conv2' }),
    tf.layers.flatten(),
    tf.layers.dense({ units: 10, activation: 'softmax', name: 'head' }),
  ],
});
const samples = tf.randomUniform([64, 28, 28, 1]);
const dir = process.env['QUICKSTART_OUT'] ?? 'out/onnx';

// FP32: the hardware-neutral checkpoint, checked against tfjs in ONNX Runtime.
const fp32 = exportOnnx(model);
saveOnnx(fp32, `${dir}/model.fp32.onnx`, { encodings: false });
const fp32Check = await verifyExport(model, fp32.bytes(), samples);
console.log(`fp32: max relative error ${fp32Check.maxRelativeError.toExponential(1)}, ok ${fp32Check.ok}`);

// QDQ: a fake-quant model (observers calibrated on a few batches) as integer weights + Q/DQ,
// with the encodings sidecar for vendor toolchains.
const quantized = quantizeModel(model, { weights: 'int8-sym-per-channel', activations: 'uint8-asym-per-tensor' });
for (let i = 0; i < 4; i++) tf.tidy(() => void quantized.model.apply(tf.randomUniform([64, 28, 28, 1]), { training: true }));
const qdq = exportOnnx(quantized.model, { format: 'qdq' });
const files = saveOnnx(qdq, `${dir}/model.qdq.onnx`);
const qdqCheck = await verifyExport(quantized.model, qdq.bytes(), samples);
console.log(
  `qdq: ${(qdqCheck.withinOneStep! * 100).toFixed(1)} % of outputs within one step, top-1 agreement ${(qdqCheck.top1Agreement * 100).toFixed(1)} %, ok ${qdqCheck.ok}`,
);
console.log(`encodings: ${qdq.encodings.tensors.length} tensors in ${files.encodings!.split('/').pop()}`);

// Graph IO: read any ONNX file, infer shapes, expose an intermediate tensor as an output.
const graph = readOnnx(qdq.bytes());
const shapes = inferShapes(graph, { inputShapes: { [graph.graph.inputs[0]!.name]: [1, 28, 28, 1] } });
const conv1 = graph.graph.nodes.find((n) => n.opType === 'Conv')!.outputs[0]!;
const probed = addOutputs(graph, [conv1]);
console.log(`conv1 output ${conv1}: [${shapes.get(conv1)!.join(', ')}]; outputs now ${probed.graph.outputs.length}`);
