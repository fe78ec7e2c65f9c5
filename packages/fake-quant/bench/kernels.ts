/**
 * Training throughput of the reference CNN with and without this package's training kernels, and
 * a per-kernel profile of one wasm training step.
 *
 *   npx tsx --conditions=@quant-trim/source bench/kernels.ts [--reps 5] [--batches 10] [--stock-batches 2] [--skip-stock]
 *
 * Model (the reference CNN of BENCHMARKS.md, "fake-quant: training throughput, float vs QAT"): conv2d(8, 3×3, relu) → maxPool(2) → conv2d(16, 3×3, relu) → flatten
 * → dense(10, softmax) on random 28×28×1 inputs, batch 64, Adam 1e-3, categorical cross-entropy,
 * one `trainOnBatch` per step. Each configuration: 3 warm-up batches, then the median of `reps`
 * timed repetitions of `batches` batches. The stock cpu backend (~3 s per batch) times
 * `stock-batches` batches per repetition instead. The stock wasm backend cannot train a conv net
 * (no Conv2DBackpropFilter), so wasm rows always run our conv kernels; one row swaps tfjs' own
 * MaxPoolGrad back in to show what ours is worth.
 */
import * as tf from '@tensorflow/tfjs';
import { initTrainingBackend } from '../src/backend/initTrainingBackend.js';
import { registerTrainingKernels, unregisterTrainingKernels } from '../src/backend/registerTrainingKernels.js';

const BATCH = 64;

function option(name: string, fallback: number): number {
  const at = process.argv.indexOf(`--${name}`);
  return at >= 0 ? Number(process.argv[at + 1]) : fallback;
}
const REPS = option('reps', 5);
const BATCHES = option('batches', 10);
const STOCK_BATCHES = option('stock-batches', 2);
const SKIP_STOCK = process.argv.includes('--skip-stock');

function referenceCnn(): tf.LayersModel {
  const model = tf.sequential({
    layers: [
      tf.layers.conv2d({
        inputShape: [28, 28, 1],
        filters: 8,
        kernelSize: 3,
        activation: 'relu',
        kernelInitializer: tf.initializers.glorotUniform({ seed: 1 }),
      }),
      tf.layers.maxPooling2d({ poolSize: 2 }),
      tf.layers.conv2d({ filters: 16, kernelSize: 3, activation: 'relu', kernelInitializer: tf.initializers.glorotUniform({ seed: 2 }) }),
      tf.layers.flatten(),
      tf.layers.dense({ units: 10, activation: 'softmax', kernelInitializer: tf.initializers.glorotUniform({ seed: 3 }) }),
    ],
  });
  model.compile({ optimizer: tf.train.adam(1e-3), loss: 'categoricalCrossentropy' });
  return model;
}

function randomBatch(): { xs: tf.Tensor; ys: tf.Tensor } {
  return tf.tidy(() => ({
    xs: tf.randomUniform([BATCH, 28, 28, 1], 0, 1, 'float32', 7),
    ys: tf.oneHot(tf.randomUniform([BATCH], 0, 10, 'int32', 8), 10).toFloat(),
  }));
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

interface Result {
  readonly name: string;
  readonly samplesPerSecond: number;
  readonly runs: number[];
}

/** Which kernels a measurement runs: tfjs' own, ours, or ours with tfjs' own MaxPoolGrad. */
type KernelSet = 'stock' | 'ours' | 'ours-but-stock-maxpoolgrad';

async function measure(name: string, backend: 'cpu' | 'wasm', kernels: KernelSet, batches: number): Promise<Result> {
  await tf.setBackend(backend);
  unregisterTrainingKernels(backend);
  const stockMaxPoolGrad = tf.getKernel('MaxPoolGrad', backend);
  if (kernels !== 'stock') registerTrainingKernels(backend);
  if (kernels === 'ours-but-stock-maxpoolgrad') {
    tf.unregisterKernel('MaxPoolGrad', backend);
    tf.registerKernel(stockMaxPoolGrad);
  }
  const model = referenceCnn();
  const { xs, ys } = randomBatch();
  for (let i = 0; i < 3; i++) await model.trainOnBatch(xs, ys);
  const runs: number[] = [];
  for (let rep = 0; rep < REPS; rep++) {
    const start = performance.now();
    for (let i = 0; i < batches; i++) await model.trainOnBatch(xs, ys);
    runs.push((batches * BATCH) / ((performance.now() - start) / 1000));
  }
  tf.dispose([xs, ys]);
  model.dispose();
  return { name, samplesPerSecond: median(runs), runs };
}

async function profileWasmStep(): Promise<{ kernels: Array<{ name: string; ms: number; calls: number }>; total: number }> {
  await tf.setBackend('wasm');
  registerTrainingKernels('wasm');
  const model = referenceCnn();
  const { xs, ys } = randomBatch();
  for (let i = 0; i < 3; i++) await model.trainOnBatch(xs, ys);
  // The median step of 5 profiled steps, kernel by kernel.
  const steps: Map<string, { ms: number; calls: number }>[] = [];
  for (let i = 0; i < 5; i++) {
    const info = await tf.profile(async () => {
      await model.trainOnBatch(xs, ys);
      return [];
    });
    const byName = new Map<string, { ms: number; calls: number }>();
    for (const k of info.kernels) {
      const ms = typeof k.kernelTimeMs === 'number' ? k.kernelTimeMs : 0;
      const entry = byName.get(k.name) ?? { ms: 0, calls: 0 };
      byName.set(k.name, { ms: entry.ms + ms, calls: entry.calls + 1 });
    }
    steps.push(byName);
  }
  tf.dispose([xs, ys]);
  model.dispose();
  const names = new Set(steps.flatMap((s) => [...s.keys()]));
  const kernels = [...names].map((name) => ({
    name,
    ms: median(steps.map((s) => s.get(name)?.ms ?? 0)),
    calls: steps[0]?.get(name)?.calls ?? 0,
  }));
  kernels.sort((a, b) => b.ms - a.ms);
  return { kernels, total: kernels.reduce((sum, k) => sum + k.ms, 0) };
}

const info = await initTrainingBackend({ backend: 'wasm' });
const results: Result[] = [];
const wasm = `tfjs \`wasm\`${info.simd ? ' (SIMD)' : ''}`;
if (!SKIP_STOCK) results.push(await measure('tfjs `cpu`, stock kernels', 'cpu', 'stock', STOCK_BATCHES));
results.push(await measure('tfjs `cpu` + quant-trim kernels', 'cpu', 'ours', BATCHES));
results.push(await measure(`${wasm} + quant-trim kernels but the stock MaxPoolGrad`, 'wasm', 'ours-but-stock-maxpoolgrad', BATCHES));
results.push(await measure(`${wasm} + quant-trim kernels`, 'wasm', 'ours', BATCHES));

const stock = results[0]!.samplesPerSecond;
console.log(`\nReference CNN training, batch ${BATCH}, median of ${REPS} reps (${BATCHES} batches; stock cpu ${STOCK_BATCHES}), Node ${process.version}\n`);
console.log('| backend | samples/s | vs first row | runs |');
console.log('|---|---:|---:|---|');
for (const r of results) {
  console.log(`| ${r.name} | ${r.samplesPerSecond.toFixed(0)} | ${(r.samplesPerSecond / stock).toFixed(1)}x | ${r.runs.map((v) => v.toFixed(0)).join(', ')} |`);
}

const profile = await profileWasmStep();
console.log(`\nOne wasm training step, per kernel (tf.profile; median of 5 steps; total ${profile.total.toFixed(1)} ms)\n`);
console.log('| kernel | ms | share | calls |');
console.log('|---|---:|---:|---:|');
for (const k of profile.kernels.slice(0, 12)) {
  console.log(`| ${k.name} | ${k.ms.toFixed(2)} | ${((100 * k.ms) / profile.total).toFixed(1)} % | ${k.calls} |`);
}
