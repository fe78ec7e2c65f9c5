/**
 * Step time of the activation mechanisms against the paper recipe, interleaved in one run: the
 * reference CNN (28x28x1, batch 64, Adam 1e-3) on the wasm training backend, every configuration
 * the Quant-Trim recipe at λ = 1 (int8 per-channel weights with reverse pruning, pMax 0.005,
 * refresh every 100 steps; uint8 EMA activation observers) driven by a controller (so step-based
 * refreshes happen as in training), plus:
 * - tail trimming (`observer.tailTrim`, defaults: quantile every 4 steps on ≤ 16384 values, clamp
 *   with its gradient every step),
 * - calibrator randomisation (`observer.randomCalibration`, defaults: a 4096-value subsample binned
 *   every 10 steps, five calibrator searches on 2048 bins every 200 steps),
 * - both,
 * - scheme randomisation (`quantizeModel`'s `randomize`: int8 per-channel / per-tensor / power-of-two
 *   weights, uint8 / int8 / int8 power-of-two activations, one pair sampled per step) and
 *   calibrator + scheme randomisation (the ablation's rule's pick),
 * - blank-response suppression in the loss (`attachBlankSuppression`, defaults: one blank sample
 *   through the model and back every step) and decoupled (`stepSize` 0.5: its own gradient step
 *   after each optimizer step),
 * - decoupled blank-response suppression with calibrator + scheme randomisation (the three together).
 * Each rep runs `--per-rep` steps (default 200: one randomisation refresh) of every
 * configuration in turn; medians over reps and the median of the per-rep ratios to the recipe.
 * Usage: npx tsx --conditions=@quant-trim/source bench/activations.ts [--reps 5 --per-rep 200]
 */
import * as tf from '@tensorflow/tfjs';
import { createReversePrune } from '@quant-trim/reverse-prune';
import {
  type BlankSuppression,
  type BlankSuppressionConfig,
  type ObserverConfig,
  type RandomizeConfig,
  QuantTrimController,
  attachBlankSuppression,
  initTrainingBackend,
  quantizeModel,
} from '../src/index.js';
import { BATCH, arg, median, referenceCnn } from './common.js';

const REPS = arg('reps', 5);
const PER_REP = arg('per-rep', 200);

const { backend } = await initTrainingBackend({ backend: 'wasm' });
const x = tf.randomUniform([BATCH, 28, 28, 1], 0, 1, 'float32', 7);
const y = tf.oneHot(tf.randomUniform([BATCH], 0, 10, 'int32', 8) as tf.Tensor1D, 10).toFloat();

const SCHEMES: RandomizeConfig = {
  weights: [
    'int8-sym-per-channel',
    { bits: 8, signed: true, symmetric: true, name: 'int8-sym-per-tensor' },
    { bits: 8, signed: true, symmetric: true, scaleConstraint: 'pow2', name: 'int8-pow2-per-tensor' },
  ],
  activations: ['uint8-asym-per-tensor', 'int8-sym-per-tensor', 'int8-pow2-per-tensor'],
  seed: 0,
};
const configs: [string, ObserverConfig, BlankSuppressionConfig?, RandomizeConfig?][] = [
  ['paper recipe (QAT λ = 1 + reverse pruning)', {}],
  ['+ tail trimming', { tailTrim: {} }],
  ['+ calibrator randomisation', { randomCalibration: {} }],
  ['+ both', { tailTrim: {}, randomCalibration: {} }],
  ['+ scheme randomisation', {}, undefined, SCHEMES],
  ['+ calibrator and scheme randomisation', { randomCalibration: {} }, undefined, SCHEMES],
  ['+ blank-response suppression (loss)', {}, {}],
  ['+ blank-response suppression (decoupled, stepSize 0.5)', {}, { stepSize: 0.5 }],
  ['+ blank-response suppression (decoupled) and calibrator and scheme randomisation', { randomCalibration: {} }, { stepSize: 0.5 }, SCHEMES],
];
const total = (REPS + 1) * PER_REP;
const runs = configs.map(([name, observer, blankConfig, randomize]) => {
  const q = quantizeModel(referenceCnn(), {
    lambda: 1,
    observer,
    ...(randomize !== undefined ? { randomize } : {}),
    weightTransform: createReversePrune({ pMax: 0.005, refreshEvery: 100 }),
  });
  q.model.compile({ optimizer: tf.train.adam(1e-3), loss: 'categoricalCrossentropy' });
  const controller = new QuantTrimController(q, { totalSteps: total, lambda: { type: 'constant', value: 1 }, freezeObservers: false, freezeBatchNorm: false });
  const blank: BlankSuppression | undefined = blankConfig === undefined ? undefined : attachBlankSuppression(q, blankConfig);
  return { name, q, controller, blank, times: [] as number[] };
});

async function steps(run: (typeof runs)[number], n: number): Promise<number> {
  const t0 = performance.now();
  for (let i = 0; i < n; i++) {
    run.controller.beginStep();
    await run.q.model.trainOnBatch(x, y);
    run.blank?.step();
    await run.controller.endStep();
  }
  return (performance.now() - t0) / n;
}

for (const run of runs) await steps(run, PER_REP); // warm-up (kernels, JIT, the first refresh)
const ratios = runs.map(() => [] as number[]);
for (let r = 0; r < REPS; r++) {
  for (const run of runs) run.times.push(await steps(run, PER_REP));
  runs.forEach((run, k) => ratios[k]!.push(run.times[r]! / runs[0]!.times[r]!));
}

console.log(
  `fake-quant activation bench: reference CNN, batch ${BATCH}, backend ${backend}, ${REPS} reps × ${PER_REP} steps per configuration, interleaved (median)`,
);
console.log('');
console.log('| configuration | step ms | ratio to the paper recipe |');
console.log('|---|---:|---:|');
runs.forEach((run, k) => console.log(`| ${run.name} | ${median(run.times).toFixed(1)} | ${median(ratios[k]!).toFixed(3)} |`));
console.log('');
const worst = Math.max(...ratios.slice(1).map((v) => median(v)));
console.log(`target: every added mechanism ≤ 1.15 × the recipe step (${worst <= 1.15 ? 'met' : 'NOT met'}, worst ${worst.toFixed(3)})`);
for (const run of runs) {
  run.blank?.detach();
  run.q.dispose();
}
