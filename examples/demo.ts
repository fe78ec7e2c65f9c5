/**
 * The README's main job until the `quant-trim` CLI exists: runs the foundation packages on
 * embedded, seeded data (nothing to download) and prints what the grid choices do.
 *
 *   npm run demo            # prints the tables and writes out/demo.json
 *
 * 1. The λ curriculum of progressive fake quantization (METHOD.md §3.1).
 * 2. Weights with a heavy tail: int8/int4 error per granularity, and what trimming the top 0.5 %
 *    of |w| per channel (the idea behind reverse pruning, METHOD.md §4) does to the scales.
 * 3. Activations with outliers: every built-in calibrator on the same batches.
 * 4. Training (fake-quant on the wasm backend): FP, QAT and Quant-Trim checkpoints of the same
 *    model, data and budget, each deployed at int8 and int4 weights by post-training quantization.
 */
import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  type QParams,
  type QuantScheme,
  computeQParams,
  computeRanges,
  createScheme,
  defaultRegistry,
  fakeQuantize,
} from '@quant-trim/quant-grid';
import { QuantTrimController, initTrainingBackend, quantizeModel, stripQuantization } from '@quant-trim/fake-quant';
import { createReversePrune } from '@quant-trim/reverse-prune';
import { quantTrimCurriculum } from '@quant-trim/schedulers';
import { syntheticDigits } from '@quant-trim/test-utils';
import * as tf from '@tensorflow/tfjs';

function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), a | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
const uniform = rng(2511);
const normal = () => Math.sqrt(-2 * Math.log(1 - uniform())) * Math.cos(2 * Math.PI * uniform());

/** SQNR in dB over the elements where `keep` is true (all of them by default). */
function sqnrDb(x: Float32Array, xq: Float32Array, keep: (i: number) => boolean = () => true): number {
  let signal = 0;
  let noise = 0;
  for (let i = 0; i < x.length; i++) {
    if (!keep(i)) continue;
    signal += x[i]! ** 2;
    noise += (x[i]! - xq[i]!) ** 2;
  }
  return 10 * Math.log10(signal / Math.max(noise, 1e-30));
}

const table = (header: string[], rows: (string | number)[][]) => {
  const cells = [header, ...rows.map((r) => r.map((c) => (typeof c === 'number' ? c.toFixed(2) : c)))];
  const widths = header.map((_, i) => Math.max(...cells.map((r) => String(r[i]).length)));
  for (const [i, r] of cells.entries()) {
    console.log(`  ${r.map((c, j) => String(c).padEnd(widths[j]!)).join('  ')}`);
    if (i === 0) console.log(`  ${widths.map((w) => '-'.repeat(w)).join('  ')}`);
  }
};

// ---- 1. The λ curriculum ---------------------------------------------------------------------
const totalSteps = 1000;
const lambda = quantTrimCurriculum({ totalSteps });
const samples = Array.from({ length: 11 }, (_, i) => i * 100);
console.log('\n1. λ curriculum (METHOD.md §3.1): FP warm-up, quartic ramp, quadratic ramp, hold at 1');
table(['step', ...samples.map(String)], [['λ', ...samples.map((s) => lambda.at(s))]]);
const bars = ' ▁▂▃▄▅▆▇█';
console.log(`  ${Array.from({ length: 50 }, (_, i) => bars[Math.round(lambda.at((i * totalSteps) / 49) * 8)]).join('')}`);

// ---- 2. Weights with a heavy tail --------------------------------------------------------------
const wShape = [64, 32, 3, 3]; // ONNX Conv layout [out, in, kh, kw]
const w = new Float32Array(64 * 32 * 9);
for (let i = 0; i < w.length; i++) w[i] = 0.05 * normal() * (uniform() < 0.002 ? 12 : 1);
const perChannelOf = (x: Float32Array): Float32Array => {
  // Clamp |w| above the 99.5th percentile of its output channel.
  const out = Float32Array.from(x);
  const size = x.length / 64;
  for (let c = 0; c < 64; c++) {
    const abs = Array.from(x.subarray(c * size, (c + 1) * size), Math.abs).sort((a, b) => a - b);
    const tau = abs[Math.floor(0.995 * (size - 1))]!;
    for (let i = c * size; i < (c + 1) * size; i++) out[i] = Math.sign(x[i]!) * Math.min(Math.abs(x[i]!), tau);
  }
  return out;
};
const trimmed = perChannelOf(w);
const bulk = (i: number) => trimmed[i] === w[i]; // the 99.5 % of weights that trimming leaves alone
const weightSchemes: [string, QuantScheme, number[]][] = [
  ['int8 sym per-tensor', createScheme({ bits: 8 }), wShape],
  ['int8 sym per-channel', defaultRegistry.scheme('int8-sym-per-channel', { axis: 0 }), wShape],
  ['int4 sym per-channel', defaultRegistry.scheme('int4-sym-per-channel', { axis: 0 }), wShape],
  ['int4 sym per-group 32', defaultRegistry.scheme('int4-sym-per-group', { axis: 1, groupSize: 32 }), [64, 288]],
];
const weightRows = weightSchemes.map(([label, scheme, shape]) => {
  const qp = computeQParams(computeRanges(w, shape, scheme.granularity), scheme);
  const qpT = computeQParams(computeRanges(trimmed, shape, scheme.granularity), scheme);
  const meanScale = (p: QParams) => p.scale.reduce((a, b) => a + b, 0) / p.scale.length;
  return {
    scheme: label,
    sqnrDb: sqnrDb(w, fakeQuantize(w, shape, qp, scheme)),
    bulkSqnrDb: sqnrDb(w, fakeQuantize(w, shape, qp, scheme), bulk),
    bulkSqnrTrimmedDb: sqnrDb(w, fakeQuantize(trimmed, shape, qpT, scheme), bulk),
    scaleRatio: meanScale(qpT) / meanScale(qp),
  };
});
console.log('\n2. Conv weights [64, 32, 3, 3] ~ N(0, 0.05²) with 0.2 % outliers ×12, SQNR in dB');
console.log('   "bulk": the 99.5 % of weights below each channel\'s 99.5th percentile of |w|; "trimmed": that tail');
console.log('   clamped before the scale is computed (reverse pruning\'s idea; in training the weights adapt to it)');
table(
  ['scheme', 'SQNR all', 'SQNR bulk', 'SQNR bulk, trimmed', 'scale trimmed / original'],
  weightRows.map((r) => [r.scheme, r.sqnrDb, r.bulkSqnrDb, r.bulkSqnrTrimmedDb, r.scaleRatio]),
);

// ---- 3. Activations with outliers: every calibrator --------------------------------------------
const batches = Array.from({ length: 16 }, () => {
  const x = new Float32Array(4096);
  for (let i = 0; i < x.length; i++) x[i] = Math.max(0, normal()) * (uniform() < 0.001 ? 12 : 1);
  return x;
});
const all = new Float32Array(16 * 4096);
batches.forEach((b, i) => all.set(b, i * 4096));
const activationScheme = defaultRegistry.scheme('uint8-asym-per-tensor');
const bulkLimit = Array.from(all).sort((a, b) => a - b)[Math.floor(0.999 * (all.length - 1))]!;
const activationRows = defaultRegistry.calibratorNames().map((name) => {
  const calibrator = defaultRegistry.calibrator(name as never);
  for (const b of batches) calibrator.observe(b);
  const qp = calibrator.compute(activationScheme);
  const xq = fakeQuantize(all, [all.length], qp, activationScheme);
  return {
    calibrator: name,
    scale: qp.scale[0]!,
    zeroPoint: qp.zeroPoint[0]!,
    clipAt: qp.scale[0]! * (255 - qp.zeroPoint[0]!),
    sqnrDb: sqnrDb(all, xq),
    bulkSqnrDb: sqnrDb(all, xq, (i) => all[i]! <= bulkLimit),
  };
});
console.log('\n3. ReLU activations (16 batches × 4096) with 0.1 % outliers ×12, uint8 asymmetric per-tensor');
console.log('   SQNR over all values, and over the bulk (values up to the 99.9th percentile)');
table(
  ['calibrator', 'clips at', 'SQNR all (dB)', 'SQNR bulk (dB)'],
  activationRows.map((r) => [r.calibrator, r.clipAt, r.sqnrDb, r.bulkSqnrDb]),
);

// ---- 4. Training: float vs progressive fake quantization ----------------------------------------
await initTrainingBackend({ backend: 'wasm' });
const SIZE = 14;
const toTensors = (n: number, seed: number) => {
  const d = syntheticDigits(n, { seed, size: SIZE });
  return { x: tf.tensor4d(d.pixels, d.shape), y: tf.oneHot(tf.tensor1d(d.labels, 'int32'), 10).toFloat(), labels: d.labels };
};
const train = toTensors(3000, 1);
const test = toTensors(1000, 2);
const cnn = () =>
  tf.sequential({
    layers: [
      tf.layers.conv2d({ inputShape: [SIZE, SIZE, 1], filters: 8, kernelSize: 3, activation: 'relu', name: 'conv1', kernelInitializer: tf.initializers.glorotUniform({ seed: 1 }) }),
      tf.layers.maxPooling2d({ poolSize: 2, name: 'pool' }),
      tf.layers.conv2d({ filters: 16, kernelSize: 3, activation: 'relu', name: 'conv2', kernelInitializer: tf.initializers.glorotUniform({ seed: 2 }) }),
      tf.layers.flatten({ name: 'flatten' }),
      tf.layers.dense({ units: 10, activation: 'softmax', name: 'head', kernelInitializer: tf.initializers.glorotUniform({ seed: 3 }) }),
    ],
  });
const accuracy = (model: tf.LayersModel) =>
  tf.tidy(() => {
    const predicted = (model.predict(test.x) as tf.Tensor).argMax(-1).dataSync();
    let correct = 0;
    predicted.forEach((p, i) => (correct += p === test.labels[i] ? 1 : 0));
    return correct / test.labels.length;
  });
/** Post-training quantization of a float checkpoint: observers calibrated on 10 training batches. */
const deployed = (model: tf.LayersModel, weights: string) => {
  const q = quantizeModel(model, { weights, activations: 'uint8-asym-per-tensor' });
  for (let b = 0; b < 10; b++) tf.tidy(() => void q.model.apply(train.x.slice(b * 100, 100), { training: true }));
  const result = accuracy(q.model);
  q.dispose();
  return result;
};
const epochs = 3;
const batchSize = 50;
const fp = cnn();
fp.compile({ optimizer: tf.train.adam(3e-3), loss: 'categoricalCrossentropy' });
await fp.fit(train.x, train.y, { epochs, batchSize, shuffle: false, verbose: 0 });
const trainingSteps = epochs * (3000 / batchSize);
/** Trains a fake-quant copy of the CNN and returns its float checkpoint (stripQuantization). */
const trainQuantized = async (lambda: 'curriculum' | 'constant', weightTransform?: ReturnType<typeof createReversePrune>) => {
  const q = quantizeModel(cnn(), { lambda: lambda === 'constant' ? 1 : 0, ...(weightTransform ? { weightTransform } : {}) });
  q.model.compile({ optimizer: tf.train.adam(3e-3), loss: 'categoricalCrossentropy' });
  const controller = new QuantTrimController(q, { totalSteps: trainingSteps, ...(lambda === 'constant' ? { lambda: { type: 'constant', value: 1 } as const } : {}) });
  await q.model.fit(train.x, train.y, { epochs, batchSize, shuffle: false, verbose: 0, callbacks: [controller.callback()] });
  return stripQuantization(q).model;
};
const qat = await trainQuantized('constant');
const quantTrim = await trainQuantized('curriculum', createReversePrune({ refreshEvery: 20 }));
const trainingRows = [
  { checkpoint: 'FP (float training)', model: fp },
  { checkpoint: 'QAT (λ = 1 throughout)', model: qat },
  { checkpoint: 'Quant-Trim (curriculum + reverse pruning)', model: quantTrim },
].map(({ checkpoint, model }) => ({ checkpoint, float: accuracy(model), int8: deployed(model, 'int8-sym-per-channel'), int4: deployed(model, 'int4-sym-per-channel') }));
console.log(`\n4. Reference CNN on synthetic 14×14 digits (3,000 train / 1,000 test), ${epochs} epochs each, wasm backend`);
console.log('   accuracy (%) of the float checkpoint, and after post-training quantization (uint8 activations)');
table(
  ['checkpoint', 'float', 'int8 W per-channel', 'int4 W per-channel'],
  trainingRows.map((r) => [r.checkpoint, r.float * 100, r.int8 * 100, r.int4 * 100]),
);
console.log('   (the backend profiles of METHOD.md §6 join this comparison with the next packages)');

// ---- Output, written atomically ----------------------------------------------------------------
const outDir = join(process.cwd(), 'out');
mkdirSync(outDir, { recursive: true });
const file = join(outDir, 'demo.json');
const tmp = `${file}.${process.pid}.tmp`;
writeFileSync(tmp, `${JSON.stringify({ curriculum: lambda.toJSON(), lambda: samples.map((s) => [s, lambda.at(s)]), weights: weightRows, activations: activationRows, training: trainingRows }, null, 2)}\n`);
renameSync(tmp, file);
console.log(`\nwrote ${file}`);
