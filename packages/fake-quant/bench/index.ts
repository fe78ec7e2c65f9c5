/**
 * Training throughput of the reference CNN (conv 8 3x3 → relu → maxpool → conv 16 3x3 → relu →
 * flatten → dense 10; 28x28x1, batch 64, Adam 1e-3, categorical cross-entropy) on the wasm
 * training backend: float and QAT (λ = 1, int8 per-channel weights, uint8 activations) measured
 * interleaved in the same run, plus PyTorch's own float / eager-QAT pair through /usr/bin/python3.
 * Usage: npm run bench -w @quant-trim/fake-quant [-- --reps 5 --per-rep 10]
 */
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs';
import { initTrainingBackend, quantizeModel } from '../src/index.js';
import { BATCH, arg, median, referenceCnn } from './common.js';

const WARMUP = 3;
const REPS = arg('reps', 5);
const PER_REP = arg('per-rep', 10);

const { backend, kernels } = await initTrainingBackend({ backend: 'wasm' });
const x = tf.randomUniform([BATCH, 28, 28, 1], 0, 1, 'float32', 7);
const y = tf.oneHot(tf.randomUniform([BATCH], 0, 10, 'int32', 8) as tf.Tensor1D, 10).toFloat();

const float = referenceCnn();
float.compile({ optimizer: tf.train.adam(1e-3), loss: 'categoricalCrossentropy' });
const q = quantizeModel(referenceCnn(), { lambda: 1 });
q.model.compile({ optimizer: tf.train.adam(1e-3), loss: 'categoricalCrossentropy' });

async function stepTime(model: tf.LayersModel): Promise<number> {
  const t0 = performance.now();
  for (let i = 0; i < PER_REP; i++) await model.trainOnBatch(x, y);
  return (performance.now() - t0) / PER_REP;
}
for (let i = 0; i < WARMUP; i++) {
  await float.trainOnBatch(x, y);
  await q.model.trainOnBatch(x, y);
}
const floatTimes: number[] = [];
const qatTimes: number[] = [];
const ratios: number[] = [];
for (let r = 0; r < REPS; r++) {
  const f = await stepTime(float);
  const qt = await stepTime(q.model);
  floatTimes.push(f);
  qatTimes.push(qt);
  ratios.push(qt / f);
}
const floatSps = (BATCH * 1000) / median(floatTimes);
const qatSps = (BATCH * 1000) / median(qatTimes);

let torch: { float: number; qat: number; torch: string } | undefined;
let torchNote = '';
const script = fileURLToPath(new URL('./torch_cnn.py', import.meta.url));
const py = spawnSync('/usr/bin/python3', [script, String(BATCH), String(WARMUP), String(REPS), String(PER_REP)], { encoding: 'utf8', timeout: 600_000 });
if (py.status === 0) torch = JSON.parse(py.stdout.trim().split('\n').pop()!);
else torchNote = `PyTorch skipped: ${(py.stderr || py.error?.message || '').trim().split('\n').pop()}`;

console.log(
  `fake-quant bench: reference CNN, batch ${BATCH}, ${REPS} reps × ${PER_REP} steps (median), backend ${backend}, our kernels: ${kernels.join(', ')}`,
);
console.log('');
console.log('| trainer | float samples/s | QAT samples/s | QAT / float step time |');
console.log('|---|---:|---:|---:|');
console.log(`| tfjs ${backend} + Quant-Trim kernels | ${floatSps.toFixed(0)} | ${qatSps.toFixed(0)} | ${median(ratios).toFixed(2)} |`);
if (torch)
  console.log(
    `| PyTorch ${torch.torch} (1 thread, eager fbgemm QAT) | ${torch.float.toFixed(0)} | ${torch.qat.toFixed(0)} | ${(torch.float / torch.qat).toFixed(2)} |`,
  );
else console.log(`| PyTorch | – | – | ${torchNote} |`);
console.log('');
console.log(`targets: float ≥ 2,000 samples/s (${floatSps >= 2000 ? 'met' : 'NOT met'}); QAT/float ≤ 1.3 (${median(ratios) <= 1.3 ? 'met' : 'NOT met'})`);
q.dispose();
