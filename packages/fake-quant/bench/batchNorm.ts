/**
 * BatchNorm training on the wasm training backend, before / after: dscnn and resnet-tiny (the
 * CLI's BatchNorm models, copied here: apps/cli depends on this package), 28×28×1, batch 64,
 * Adam 1e-3, softmax cross-entropy on logits, one `trainOnBatch` per step.
 *
 *   npx tsx --conditions=@quant-trim/source bench/batchNorm.ts [--reps 5] [--per-rep 3] [--profile 1]
 *
 * Rows:
 * - float: the plain tfjs model (`tf.layers.batchNormalization`); old = tfjs' stock `Tile` kernel,
 *   new = this package's `Tile` (the only change that reaches plain tfjs BatchNorm).
 * - QAT: `quantizeModel(model, { lambda: 1 })` (QuantBatchNormalization, BN folded into the conv's
 *   fake-quantized weight); old = stock `Tile` + the previous formulation (tf.moments +
 *   tf.batchNorm, tfjs autodiff), tile = our `Tile` + previous formulation, new = our `Tile` + the
 *   closed-form BatchNorm gradient (`batchNormInTraining`).
 *
 * The configurations of one model are switched between repetitions of the same model (kernel
 * registry and the layer's training method swapped in place), so they run interleaved; each rep
 * times `per-rep` steps after 2 warm-up steps per configuration. Reported: median step time per
 * configuration and the median of the per-rep ratios to `old`.
 */
import * as tf from '@tensorflow/tfjs';
import type { KernelConfig } from '@tensorflow/tfjs';
import { initTrainingBackend } from '../src/backend/initTrainingBackend.js';
import { registerTrainingKernels } from '../src/backend/registerTrainingKernels.js';
import { QuantBatchNormalization, quantizeModel } from '../src/index.js';
import { BATCH, arg, median } from './common.js';

const REPS = arg('reps', 5);
const PER_REP = arg('per-rep', 3);
const PROFILE = arg('profile', 0) > 0;
const WARMUP = 2;
const BN_MOMENTUM = 0.9;

let seed = 0;
const glorot = () => tf.initializers.glorotUniform({ seed: ++seed });

/** apps/cli/src/models/dscnn.ts: stem conv 16 s2 + BN + ReLU6, two depthwise-separable blocks, GAP, dense 10. */
function dscnn(): tf.LayersModel {
  const bnRelu6 = (name: string): tf.layers.Layer[] => [
    tf.layers.batchNormalization({ name: `${name}_bn`, momentum: BN_MOMENTUM }),
    tf.layers.reLU({ maxValue: 6, name: `${name}_relu` }),
  ];
  const layers: tf.layers.Layer[] = [
    tf.layers.inputLayer({ inputShape: [28, 28, 1], name: 'input' }),
    tf.layers.conv2d({ filters: 16, kernelSize: 3, strides: 2, padding: 'same', useBias: false, kernelInitializer: glorot(), name: 'stem_conv' }),
    ...bnRelu6('stem'),
  ];
  [
    { filters: 32, strides: 2 },
    { filters: 64, strides: 1 },
  ].forEach(({ filters, strides }, i) => {
    const block = `block${i + 1}`;
    layers.push(
      tf.layers.depthwiseConv2d({ kernelSize: 3, strides, padding: 'same', useBias: false, depthwiseInitializer: glorot(), name: `${block}_dw` }),
      ...bnRelu6(`${block}_dw`),
      tf.layers.conv2d({ filters, kernelSize: 1, useBias: false, kernelInitializer: glorot(), name: `${block}_pw` }),
      ...bnRelu6(`${block}_pw`),
    );
  });
  layers.push(tf.layers.globalAveragePooling2d({ name: 'gap' }), tf.layers.dense({ units: 10, kernelInitializer: glorot(), name: 'head' }));
  return tf.sequential({ name: 'dscnn', layers });
}

/** apps/cli/src/models/resnetTiny.ts: stem conv 16 s2 + BN + ReLU, two residual blocks (the second strided, projected), GAP, dense 10. */
function resnetTiny(): tf.LayersModel {
  type Sym = tf.SymbolicTensor;
  const conv = (x: Sym, filters: number, kernelSize: number, strides: number, name: string): Sym =>
    tf.layers.conv2d({ filters, kernelSize, strides, padding: 'same', useBias: false, kernelInitializer: glorot(), name }).apply(x) as Sym;
  const bn = (x: Sym, name: string): Sym => tf.layers.batchNormalization({ name, momentum: BN_MOMENTUM }).apply(x) as Sym;
  const relu = (x: Sym, name: string): Sym => tf.layers.reLU({ name }).apply(x) as Sym;
  const block = (x: Sym, filters: number, strides: number, name: string): Sym => {
    let y = relu(bn(conv(x, filters, 3, strides, `${name}_conv1`), `${name}_bn1`), `${name}_relu1`);
    y = bn(conv(y, filters, 3, 1, `${name}_conv2`), `${name}_bn2`);
    const shortcut = strides === 1 && x.shape[3] === filters ? x : bn(conv(x, filters, 1, strides, `${name}_proj`), `${name}_proj_bn`);
    return relu(tf.layers.add({ name: `${name}_add` }).apply([y, shortcut]) as Sym, `${name}_relu`);
  };
  const input = tf.input({ shape: [28, 28, 1], name: 'input' });
  let x = relu(bn(conv(input, 16, 3, 2, 'stem_conv'), 'stem_bn'), 'stem_relu');
  x = block(x, 16, 1, 'block1');
  x = block(x, 32, 2, 'block2');
  x = tf.layers.globalAveragePooling2d({ name: 'gap' }).apply(x) as Sym;
  const logits = tf.layers.dense({ units: 10, kernelInitializer: glorot(), name: 'head' }).apply(x) as Sym;
  return tf.model({ name: 'resnet-tiny', inputs: input, outputs: logits });
}

// --- the switches -------------------------------------------------------------------------------

await initTrainingBackend({ backend: 'wasm', kernels: false });
const stockTile = tf.getKernel('Tile', 'wasm') as KernelConfig;
registerTrainingKernels('wasm');
const ourTile = tf.getKernel('Tile', 'wasm') as KernelConfig;

function useTile(config: KernelConfig): void {
  if (tf.getKernel('Tile', 'wasm') === config) return;
  tf.unregisterKernel('Tile', 'wasm');
  tf.registerKernel(config);
}

type Normalize = (x: tf.Tensor, gamma: tf.Tensor | undefined, beta: tf.Tensor | undefined) => tf.Tensor;
const layerProto = QuantBatchNormalization.prototype as unknown as { normalizeInTraining: Normalize };
const closedForm = layerProto.normalizeInTraining;
/** QuantBatchNormalization's training mode before this change, verbatim. */
const previousFormulation = function (this: QuantBatchNormalization, x: tf.Tensor, gamma: tf.Tensor | undefined, beta: tf.Tensor | undefined): tf.Tensor {
  const axes = Array.from({ length: x.rank - 1 }, (_, i) => i);
  const { mean, variance } = tf.moments(x, axes);
  const m = this.momentum;
  this.movingMean!.write(
    this.movingMean!.read()
      .mul(m)
      .add(mean.mul(1 - m)),
  );
  this.movingVariance!.write(
    this.movingVariance!.read()
      .mul(m)
      .add(variance.mul(1 - m)),
  );
  return tf.batchNorm(x, mean, variance, beta, gamma, this.epsilon);
};

interface Config {
  readonly name: string;
  readonly tile: KernelConfig;
  readonly normalize: Normalize;
}
const FLOAT: Config[] = [
  { name: 'old', tile: stockTile, normalize: closedForm },
  { name: 'new', tile: ourTile, normalize: closedForm },
];
const QAT: Config[] = [
  { name: 'old', tile: stockTile, normalize: previousFormulation },
  { name: 'tile', tile: ourTile, normalize: previousFormulation },
  { name: 'new', tile: ourTile, normalize: closedForm },
];

function select(config: Config): void {
  useTile(config.tile);
  layerProto.normalizeInTraining = config.normalize;
}

// --- measurement --------------------------------------------------------------------------------

const xs = tf.randomUniform([BATCH, 28, 28, 1], 0, 1, 'float32', 7);
const ys = tf.oneHot(tf.randomUniform([BATCH], 0, 10, 'int32', 8) as tf.Tensor1D, 10).toFloat();

async function stepMs(model: tf.LayersModel, steps: number): Promise<number> {
  const t0 = performance.now();
  for (let i = 0; i < steps; i++) await model.trainOnBatch(xs, ys);
  return (performance.now() - t0) / steps;
}

async function profileStep(model: tf.LayersModel): Promise<Array<{ name: string; ms: number; calls: number }>> {
  const info = await tf.profile(async () => {
    await model.trainOnBatch(xs, ys);
    return [];
  });
  const byName = new Map<string, { ms: number; calls: number }>();
  for (const k of info.kernels) {
    const e = byName.get(k.name) ?? { ms: 0, calls: 0 };
    byName.set(k.name, { ms: e.ms + (typeof k.kernelTimeMs === 'number' ? k.kernelTimeMs : 0), calls: e.calls + 1 });
  }
  return [...byName].map(([name, e]) => ({ name, ...e })).sort((a, b) => b.ms - a.ms);
}

interface Row {
  readonly model: string;
  readonly mode: string;
  readonly config: string;
  readonly ms: number;
  readonly ratio: number;
  readonly runs: number[];
}
const rows: Row[] = [];

async function bench(modelName: string, build: () => tf.LayersModel, mode: 'float' | 'QAT', configs: Config[]): Promise<void> {
  seed = 0;
  const built = build();
  const q = mode === 'QAT' ? quantizeModel(built, { lambda: 1 }) : undefined;
  const model = q?.model ?? built;
  model.compile({ optimizer: tf.train.adam(1e-3), loss: tf.losses.softmaxCrossEntropy });
  for (const c of configs) {
    select(c);
    await stepMs(model, WARMUP);
  }
  const times = configs.map(() => [] as number[]);
  const ratios = configs.map(() => [] as number[]);
  for (let rep = 0; rep < REPS; rep++) {
    // Rotate the order each rep, so no configuration always runs first.
    const order = configs.map((_, i) => (i + rep) % configs.length);
    const repTimes = new Array<number>(configs.length);
    for (const i of order) {
      select(configs[i]!);
      repTimes[i] = await stepMs(model, PER_REP);
    }
    configs.forEach((_, i) => {
      times[i]!.push(repTimes[i]!);
      ratios[i]!.push(repTimes[i]! / repTimes[0]!);
    });
  }
  configs.forEach((c, i) => rows.push({ model: modelName, mode, config: c.name, ms: median(times[i]!), ratio: median(ratios[i]!), runs: times[i]! }));
  if (PROFILE) {
    for (const c of [configs[0]!, configs[configs.length - 1]!]) {
      select(c);
      const kernels = await profileStep(model);
      const total = kernels.reduce((s, k) => s + k.ms, 0);
      console.log(`\n${modelName} ${mode} ${c.name}: one step, tf.profile, kernels sum ${total.toFixed(1)} ms (nested scopes counted twice)`);
      for (const k of kernels.slice(0, 10)) console.log(`  ${k.name.padEnd(36)} ${k.ms.toFixed(2).padStart(8)} ms  ${String(k.calls).padStart(4)} calls`);
    }
  }
  select(configs[configs.length - 1]!);
  if (q) q.dispose();
  else model.dispose();
}

for (const [name, build] of [
  ['dscnn', dscnn],
  ['resnet-tiny', resnetTiny],
] as const) {
  await bench(name, build, 'float', FLOAT);
  await bench(name, build, 'QAT', QAT);
}
tf.dispose([xs, ys]);

console.log(`\nBatchNorm training on wasm, batch ${BATCH}, ${REPS} reps × ${PER_REP} steps interleaved (median), Node ${process.version}\n`);
console.log('| model | training | path | step ms (median) | ratio to old (median of per-rep) | per-rep ms |');
console.log('|---|---|---|---:|---:|---|');
for (const r of rows)
  console.log(`| ${r.model} | ${r.mode} | ${r.config} | ${r.ms.toFixed(1)} | ${r.ratio.toFixed(2)} | ${r.runs.map((v) => v.toFixed(0)).join(', ')} |`);
