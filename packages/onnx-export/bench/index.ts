/**
 * ONNX Runtime latency of the exported reference CNN, FP32 vs QDQ (int8 per-channel weights,
 * uint8 activations), measured side by side: onnxruntime-node CPU, graph optimisation 'all',
 * 1 intra-op thread, batch 1 and 32; 20 warm-up runs, then the median of 200 runs (batch 32: 50).
 * Usage: npm run bench -w @quant-trim/onnx-export
 */
import * as tf from '@tensorflow/tfjs';
import * as ort from 'onnxruntime-node';
import { quantizeModel } from '@quant-trim/fake-quant';
import { exportOnnx } from '../src/index.js';

await tf.setBackend('cpu');
const cnn = (filters: number[]) =>
  tf.sequential({
    layers: [
      tf.layers.conv2d({ inputShape: [28, 28, 1], filters: filters[0]!, kernelSize: 3, activation: 'relu', name: 'conv1' }),
      tf.layers.maxPooling2d({ poolSize: 2, name: 'pool' }),
      ...filters
        .slice(1)
        .map((f, i) =>
          tf.layers.conv2d({ filters: f, kernelSize: 3, padding: i < filters.length - 2 ? 'same' : 'valid', activation: 'relu', name: `conv${i + 2}` }),
        ),
      tf.layers.flatten({ name: 'flatten' }),
      tf.layers.dense({ units: 10, activation: 'softmax', name: 'head' }),
    ],
  });
const median = (v: number[]) => [...v].sort((a, b) => a - b)[v.length >> 1]!;

const rows: string[] = [];
for (const [label, filters] of [
  ['reference CNN (8, 16 filters)', [8, 16]],
  ['wider CNN (32, 64 filters)', [32, 64]],
  ['deeper CNN (64 filters ×4)', [64, 64, 64, 64]],
] as const) {
  const model = cnn([...filters]);
  const q = quantizeModel(model);
  for (let i = 0; i < 4; i++) tf.tidy(() => void q.model.apply(tf.randomUniform([32, 28, 28, 1]), { training: true }));
  const variants = { FP32: exportOnnx(model, { inputLayout: 'NCHW' }).bytes(), QDQ: exportOnnx(q.model, { format: 'qdq', inputLayout: 'NCHW' }).bytes() };
  for (const level of ['extended', 'all'] as const) {
    for (const batch of [1, 32]) {
      const sessions = Object.fromEntries(
        await Promise.all(
          Object.entries(variants).map(
            async ([k, bytes]) => [k, await ort.InferenceSession.create(bytes, { graphOptimizationLevel: level, intraOpNumThreads: 1 })] as const,
          ),
        ),
      );
      const feeds = {
        [sessions['FP32']!.inputNames[0]!]: new ort.Tensor(
          'float32',
          Float32Array.from({ length: batch * 784 }, () => Math.random()),
          [batch, 1, 28, 28],
        ),
      };
      const times: Record<string, number[]> = { FP32: [], QDQ: [] };
      const runs = batch === 1 ? 200 : 50;
      for (let i = 0; i < 20; i++) for (const s of Object.values(sessions)) await s.run(feeds);
      for (let i = 0; i < runs; i++) {
        for (const [k, s] of Object.entries(sessions)) {
          const t0 = performance.now();
          await s.run(feeds);
          times[k]!.push(performance.now() - t0);
        }
      }
      const fp = median(times['FP32']!);
      const qdq = median(times['QDQ']!);
      rows.push(`| ${label} | ${level} | ${batch} | ${fp.toFixed(3)} | ${qdq.toFixed(3)} | ${(fp / qdq).toFixed(2)}x |`);
      for (const s of Object.values(sessions)) await s.release();
    }
  }
  q.dispose();
}
console.log(
  `onnx-export bench: onnxruntime-node CPU, 1 intra-op thread, medians of 200 runs (batch 1) / 50 (batch 32) after 20 warm-ups, FP32 and QDQ interleaved`,
);
console.log('');
console.log('| model | ORT level | batch | FP32 ms | QDQ ms | FP32 / QDQ |');
console.log('|---|---|---:|---:|---:|---:|');
for (const r of rows) console.log(r);
