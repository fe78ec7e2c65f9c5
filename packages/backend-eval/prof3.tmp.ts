import { readFileSync } from 'node:fs';
import { addOutputs, readOnnx, writeOnnx } from '@quant-trim/onnx-export';
import * as ort from 'onnxruntime-node';
const fp = readOnnx(new Uint8Array(readFileSync('/tmp/r18/resnet18.onnx')));
const S = 3 * 224 * 224;
const x = new ort.Tensor('float32', Float32Array.from({ length: 16 * S }, (_, i) => Math.sin(i * 0.7) * 2), [16, 3, 224, 224]);
const names = fp.graph.nodes.filter((n) => n.opType === 'Relu' || n.opType === 'Add').map((n) => n.outputs[0]!);
for (const [label, model, opts] of [
  ['plain default opts', fp, {}],
  ['probe default opts', addOutputs(fp, names), {}],
  ['probe 1 thread', addOutputs(fp, names), { intraOpNumThreads: 1 }],
  ['plain 1 thread', fp, { intraOpNumThreads: 1 }],
  ['probe 2 threads', addOutputs(fp, names), { intraOpNumThreads: 2 }],
] as const) {
  const s = await ort.InferenceSession.create(writeOnnx(model), opts);
  await s.run({ input: x });
  const t0 = performance.now();
  for (let r = 0; r < 2; r++) await s.run({ input: x });
  console.log(label, names.length, ((performance.now() - t0) / 2000).toFixed(2), 's per 16');
  await s.release();
}
