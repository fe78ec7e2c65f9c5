/**
 * Full-size import: Debian torchvision mobilenet_v2 / resnet18 at 224×224 (random init, BatchNorm
 * recalibrated, BatchNorm nodes kept), exported by scripts/export_torchvision.py. Per model: file
 * size, importOnnx wall time (median of --reps, default 3), memory the imported model holds (tfjs
 * bytes, RSS growth), one batch-1 forward pass on the wasm backend, and the max relative error
 * against onnxruntime-node on the same input.
 * Then one fine-tuning step of the imported mobilenet_v2 at batch 16 (Adam 1e-3, cross-entropy,
 * BatchNorm on batch statistics), float and QAT (`quantizeModel`, λ = 1, int8 per-channel weights,
 * uint8 activations), timed beside PyTorch's eager step of the same torchvision model at 1 thread
 * and at every core (scripts/torch_train_step.py), interleaved, medians of --steps steps each.
 * Usage: npm run bench -w @quant-trim/onnx-import [-- --reps 3 --steps 3 --batch 16]
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs';
import * as ort from 'onnxruntime-node';
import { availableParallelism } from 'node:os';
import { initTrainingBackend, quantizeModel } from '@quant-trim/fake-quant';
import { importOnnx } from '../src/index.js';

const arg = (name: string, fallback: number) => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
};
const median = (v: number[]) => [...v].sort((a, b) => a - b)[v.length >> 1]!;
const reps = arg('reps', 3);
const steps = arg('steps', 3);
const size = 224;

const dir = mkdtempSync(join(tmpdir(), 'qt-onnx-import-bench-'));
await initTrainingBackend();
const rows: string[] = [
  '| model | file MB | import ms (median) | tfjs MB | RSS growth MB | forward ms (wasm, batch 1) | max rel. error vs ORT |',
  '|---|---|---|---|---|---|---|',
];
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
    rows.push(
      `| ${name} ${size}×${size} | ${mb(bytes.length)} | ${median(times).toFixed(0)} (${times.map((t) => t.toFixed(0)).join(', ')}) | ${mb(tfBytes)} | ${mb(rss)} | ${forward.toFixed(0)} | ${(diff / scale).toExponential(1)} |`,
    );
    tf.dispose([input, nhwc, y]);
    model!.dispose();
  }
  rows.push('', ...(await trainStep()));
} finally {
  rmSync(dir, { recursive: true, force: true });
}
console.log(rows.join('\n'));

/** One fine-tuning step of mobilenet_v2 224×224 at batch 16: ours (float, QAT) beside PyTorch (1 thread, every core). */
async function trainStep(): Promise<string[]> {
  const batch = arg('batch', 16);
  const file = join(dir, 'mobilenet_v2-train.onnx');
  const scripts = fileURLToPath(new URL('../scripts/', import.meta.url));
  const py = spawnSync(
    '/usr/bin/python3',
    [join(scripts, 'export_torchvision.py'), '--model', 'mobilenet_v2', '--size', String(size), '--batch', String(batch), '--dynamic-batch', '--out', file],
    { encoding: 'utf8' },
  );
  if (py.status !== 0) return [`skipping the training step: /usr/bin/python3 with torch + torchvision is needed (${py.stderr.trim().split('\n').pop()})`];
  const x = tf.randomNormal([batch, size, size, 3], 0, 1, 'float32', 2);
  const y = tf.oneHot(tf.randomUniform([batch], 0, 1000, 'int32', 3) as tf.Tensor1D, 1000).toFloat();
  const loss = (labels: tf.Tensor, logits: tf.Tensor) => tf.losses.softmaxCrossEntropy(labels, logits);
  const bytes = new Uint8Array(readFileSync(file));
  const float = importOnnx(bytes);
  float.compile({ optimizer: tf.train.adam(1e-3), loss });
  const qat = quantizeModel(importOnnx(bytes), { lambda: 1 });
  qat.model.compile({ optimizer: tf.train.adam(1e-3), loss });
  // The wasm heap is addressed with 32-bit signed offsets (2 GiB in practice): mobilenet_v2 at
  // 224×224 trains at batch 4 but not 8, so a batch-16 step accumulates the gradients of micro-batches.
  const micro = Math.min(batch, arg('micro-batch', 4));
  const step = async (model: tf.LayersModel) => {
    if (micro === batch) return void (await model.trainOnBatch(x, y));
    const variables = model.trainableWeights.map((w) => w.read() as tf.Variable);
    let sum: tf.NamedTensorMap | undefined;
    for (let start = 0; start < batch; start += micro) {
      const { grads } = tf.tidy(() => {
        const xs = x.slice([start], [Math.min(micro, batch - start)]);
        const ys = y.slice([start], [xs.shape[0]]);
        return tf.variableGrads(() => loss(ys, model.apply(xs, { training: true }) as tf.Tensor).mul(xs.shape[0] / batch) as tf.Scalar, variables);
      });
      if (sum === undefined) sum = grads;
      else {
        const previous = sum;
        sum = Object.fromEntries(Object.entries(grads).map(([k, g]) => [k, tf.add(previous[k]!, g)]));
        tf.dispose([...Object.values(previous), ...Object.values(grads)]);
      }
    }
    model.optimizer.applyGradients(Object.entries(sum!).map(([name, tensor]) => ({ name, tensor })));
    tf.dispose(Object.values(sum!));
  };
  const ours = async (model: tf.LayersModel) => {
    await step(model); // warm-up (kernels, first gradient tape)
    const times: number[] = [];
    for (let i = 0; i < steps; i++) {
      const t0 = performance.now();
      await step(model);
      times.push(performance.now() - t0);
    }
    return times;
  };
  const torch = (threads: number) => {
    const r = spawnSync(
      '/usr/bin/python3',
      [
        join(scripts, 'torch_train_step.py'),
        '--model',
        'mobilenet_v2',
        '--size',
        String(size),
        '--batch',
        String(batch),
        '--threads',
        String(threads),
        '--steps',
        String(steps),
      ],
      { encoding: 'utf8' },
    );
    if (r.status !== 0) throw new Error(`torch_train_step.py failed: ${r.stderr}`);
    const out = JSON.parse(r.stdout.trim().split('\n').pop()!) as { torch: string; ms: number[] };
    version = out.torch;
    return out.ms;
  };
  let version = '';
  const cores = availableParallelism();
  // Interleaved: ours float, PyTorch 1 thread, ours QAT, PyTorch every core.
  const m = { float: median(await ours(float)), torch1: median(torch(1)), qat: median(await ours(qat.model)), torchN: median(torch(cores)) };
  tf.dispose([x, y]);
  float.dispose();
  qat.dispose();
  const ms = (v: number) => v.toFixed(0);
  return [
    `mobilenet_v2 ${size}×${size}, batch ${batch}, one training step (Adam, median of ${steps} after a warm-up; ours on the ${tf.getBackend()} backend, one thread${micro < batch ? `, gradients of ${batch / micro} micro-batches of ${micro} summed (BatchNorm statistics per micro-batch)` : ''}):`,
    '',
    `| step | ms | ours / PyTorch 1 thread | ours / PyTorch ${cores} threads |`,
    '|---|---:|---:|---:|',
    `| ours, float fine-tune | ${ms(m.float)} | ${(m.float / m.torch1).toFixed(2)} | ${(m.float / m.torchN).toFixed(2)} |`,
    `| ours, QAT fine-tune | ${ms(m.qat)} | ${(m.qat / m.torch1).toFixed(2)} | ${(m.qat / m.torchN).toFixed(2)} |`,
    `| PyTorch ${version} eager, 1 thread | ${ms(m.torch1)} | | |`,
    `| PyTorch ${version} eager, ${cores} threads | ${ms(m.torchN)} | | |`,
  ];
}
