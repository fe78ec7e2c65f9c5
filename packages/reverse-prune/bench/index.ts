/**
 * Reverse-prune overhead: QAT step time of the reference CNN (28×28×1, batch 64, Adam 1e-3) on
 * wasm with and without the trim transform (refresh every 100 steps), interleaved; medians of
 * several reps of 100+ steps so refreshes are in the average. Prints the figures for BENCHMARKS.md.
 */
import * as tf from '@tensorflow/tfjs';
import { QuantTrimController, initTrainingBackend, quantizeModel, type WeightTransform } from '@quant-trim/fake-quant';
import { createReversePrune } from '../src/reversePrune.js';
import { referenceCnn } from '../test/referenceCnn.js';

const STEPS = 120;
const REPS = 5;
const BATCH = 64;

await initTrainingBackend({ backend: 'wasm' });
const xs = tf.randomUniform([BATCH, 28, 28, 1]);
const ys = tf.oneHot(tf.randomUniform([BATCH], 0, 10, 'int32') as tf.Tensor1D, 10).toFloat();

function setup(transform?: WeightTransform) {
  const quantized = quantizeModel(referenceCnn(28), transform ? { weightTransform: transform } : {});
  // λ = 1 from the start: full fake quantization and full trim strength.
  const controller = new QuantTrimController(quantized, { totalSteps: STEPS * (REPS + 1), lambda: { type: 'constant', value: 1 } });
  const optimizer = tf.train.adam(1e-3);
  const model = quantized.model;
  const step = () => {
    controller.beginStep();
    const loss = optimizer.minimize(() => tf.losses.softmaxCrossEntropy(ys, model.apply(xs, { training: true }) as tf.Tensor) as tf.Scalar, true);
    loss!.dataSync();
    loss!.dispose();
    void controller.endStep();
  };
  return { step };
}

const median = (a: number[]) => [...a].sort((x, y) => x - y)[Math.floor(a.length / 2)]!;
const trim = createReversePrune({ refreshEvery: 100 });
const runs = { plain: setup(), trim: setup(trim) };
for (let i = 0; i < 10; i++) runs.plain.step(), runs.trim.step(); // warm-up
const times: Record<keyof typeof runs, number[]> = { plain: [], trim: [] };
for (let r = 0; r < REPS; r++) {
  for (const name of ['plain', 'trim'] as const) {
    const t0 = performance.now();
    for (let s = 0; s < STEPS; s++) runs[name].step();
    times[name].push((performance.now() - t0) / STEPS);
  }
}
const plain = median(times.plain);
const trimmed = median(times.trim);
const share = (trimmed - plain) / plain;
console.log(`reverse-prune overhead on wasm (reference CNN, batch ${BATCH}, ${STEPS} steps × ${REPS} reps, refresh every 100)`);
console.log('');
console.log('| run | ms / step (median) |');
console.log('|---|---|');
console.log(`| QAT | ${plain.toFixed(2)} |`);
console.log(`| QAT + reverse-prune | ${trimmed.toFixed(2)} |`);
console.log(`| overhead | ${(100 * share).toFixed(1)} % (target ≤ 5 %) |`);
console.log('');
console.log(`trimmed weights at the end: ${trim.stats().trimmed} of ${trim.stats().size}`);
