/**
 * Full-size import: Debian torchvision mobilenet_v2 / resnet18 at 224×224 (random init, BatchNorm
 * recalibrated, BatchNorm nodes kept), exported by scripts/export_torchvision.py. Per model: file
 * size, importOnnx wall time (median of --reps, default 3), memory the imported model holds (tfjs
 * bytes, RSS growth), one batch-1 forward pass on the wasm backend, and the max relative error
 * against onnxruntime-node on the same input.
 * Usage: npm run bench -w @quant-trim/onnx-import [-- --reps 3]
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs';
import * as ort from 'onnxruntime-node';
import { initTrainingBackend } from '@quant-trim/fake-quant';
import { importOnnx } from '../src/index.js';

const arg = (name: string, fallback: number) => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
};
const median = (v: number[]) => [...v].sort((a, b) => a - b)[v.length >> 1]!;
const reps = arg('reps', 3);
const size = 224;

const dir = mkdtempSync(join(tmpdir(), 'qt-onnx-import-bench-'));
await initTrainingBackend();
const rows: string[] = ['| model | file MB | import ms (median) | tfjs MB | RSS growth MB | forward ms (wasm, batch 1) | max rel. error vs ORT |', '|---|---|---|---|---|---|---|'];
try {
  for (const name of ['mobilenet_v2', 'resnet18']) {
    const file = join(dir, `${name}.onnx`);
    const script = fileURLToPath(new URL('../scripts/export_torchvision.py', import.meta.url));
    const py = spawnSync('/usr/bin/python3', [script, '--model', name, '--size', String(size), '--batch', '1', '--out', file], { encoding: 'utf8' });
    if (py.status !== 0) {
      console.log(`skipping ${name}: /usr/bin/python3 with torch + torchvision is needed (${py.stderr.trim().split('\n').pop()})`);
      continue;
    }
    const bytes = new Uint8Array(readFileSync(file));
    const times: number[] = [];
    let model: tf.LayersModel | undefined;
    let tfBytes = 0;
    let rss = 0;
    for (let r = 0; r < reps; r++) {
      model?.dispose();
      globalThis.gc?.();
      const before = { tf: tf.memory().numBytes, rss: process.memoryUsage().rss };
      const t0 = performance.now();
      model = importOnnx(bytes);
      times.push(performance.now() - t0);
      tfBytes = tf.memory().numBytes - before.tf;
      rss = process.memoryUsage().rss - before.rss;
    }
    const input = tf.randomNormal([1, 3, size, size], 0, 1, 'float32', 1);
    const nchw = input.dataSync() as Float32Array;
    const nhwc = tf.transpose(input, [0, 2, 3, 1]);
    tf.dispose(model!.predict(nhwc) as tf.Tensor);
    const f0 = performance.now();
    const y = model!.predict(nhwc) as tf.Tensor;
    const actual = y.dataSync();
    const forward = performance.now() - f0;
    const session = await ort.InferenceSession.create(bytes, { graphOptimizationLevel: 'disabled' });
    const expected = (await session.run({ input: new ort.Tensor('float32', nchw, [1, 3, size, size]) }))[session.outputNames[0]!]!.data as Float32Array;
    await session.release();
    let diff = 0;
    let scale = 0;
    for (let i = 0; i < expected.length; i++) {
      diff = Math.max(diff, Math.abs(actual[i]! - expected[i]!));
      scale = Math.max(scale, Math.abs(expected[i]!));
    }
    const mb = (b: number) => (b / 2 ** 20).toFixed(1);
    rows.push(`| ${name} ${size}×${size} | ${mb(bytes.length)} | ${median(times).toFixed(0)} (${times.map((t) => t.toFixed(0)).join(', ')}) | ${mb(tfBytes)} | ${mb(rss)} | ${forward.toFixed(0)} | ${(diff / scale).toExponential(1)} |`);
    tf.dispose([input, nhwc, y]);
    model!.dispose();
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
console.log(rows.join('\n'));
