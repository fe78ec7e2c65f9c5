import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { expectClose } from '@quant-trim/test-utils';
import { expectGradientsClose, normal, OURS, RELATIVE_TOLERANCE, runOn, setUpBackends } from './backend/gradientCheck.testkit.js';
import type { Target } from './backend/gradientCheck.testkit.js';
import { initTrainingBackend } from '../src/backend/initTrainingBackend.js';
import { QuantBatchNormalization } from '../src/model/layers/QuantBatchNormalization.js';
import { batchNormInTraining } from '../src/model/layers/QuantBatchNormalization.js';
import { quantizeModel } from '../src/model/quantizeModel.js';
import { randomBatch, seedWeights } from './models.js';

const EPSILON = 1e-3;

interface BnCase {
  readonly shape: number[];
  readonly gamma: boolean;
  readonly beta: boolean;
}

/**
 * The formulation `batchNormInTraining` replaces: tf.moments over all axes but the last, then
 * tf.batchNorm. tfjs 4.22 cannot differentiate tf.batchNorm without a scale or an offset (its
 * FusedBatchNorm gradient saves and differentiates the missing input and throws), so an absent γ
 * or β is a constant 1 or 0 here: the same function.
 */
function reference(x: tf.Tensor, gamma: tf.Tensor1D | undefined, beta: tf.Tensor1D | undefined): { y: tf.Tensor; mean: tf.Tensor; variance: tf.Tensor } {
  const { mean, variance } = tf.moments(
    x,
    Array.from({ length: x.rank - 1 }, (_, i) => i),
  );
  const c = x.shape[x.rank - 1]!;
  return { y: tf.batchNorm(x, mean, variance, beta ?? tf.zeros([c]), gamma ?? tf.ones([c]), EPSILON), mean, variance };
}

/** Seeded x (off-centre, so the mean matters), γ (around 1, some negative), β and the loss weights r. */
function inputs(c: BnCase, seed: number) {
  const ch = c.shape[c.shape.length - 1]!;
  const x = tf.tensor(
    normal(c.shape, seed).map((v, i) => 2 + 1.5 * v + (i % ch) * 0.25),
    c.shape,
  );
  const gamma = c.gamma ? tf.tensor1d(normal([ch], seed + 1).map((v) => 1 + 0.7 * v)) : undefined;
  const beta = c.beta ? tf.tensor1d(normal([ch], seed + 2)) : undefined;
  const r = tf.tensor(normal(c.shape, seed + 3), c.shape);
  return { x, gamma, beta, r };
}

/**
 * Gradients of L = Σ r·BN(x) with respect to x, γ (if any) and β (if any): the stock cpu backend
 * differentiates `reference`; the others run `batchNormInTraining`'s closed-form backward.
 */
function gradients(target: Target, c: BnCase, seed: number): Promise<Float32Array[]> {
  return runOn(target, () => {
    const { x, gamma, beta, r } = inputs(c, seed);
    const params = [x, ...(gamma ? [gamma] : []), ...(beta ? [beta] : [])];
    const loss = (...ps: tf.Tensor[]) => {
      const g = c.gamma ? (ps[1] as tf.Tensor1D) : undefined;
      const b = c.beta ? (ps[c.gamma ? 2 : 1] as tf.Tensor1D) : undefined;
      const y = target === 'cpu-stock' ? reference(ps[0]!, g, b).y : batchNormInTraining(ps[0]!, g, b, EPSILON, () => {});
      return tf.sum(tf.mul(y, r));
    };
    return tf.grads(loss)(params);
  });
}

const CASES: BnCase[] = [];
const AFFINE = [
  { gamma: true, beta: true },
  { gamma: false, beta: false },
  { gamma: true, beta: false },
  { gamma: false, beta: true },
];
for (const channels of [1, 3, 16, 33]) {
  for (const batch of [1, 2, 8]) {
    for (const affine of AFFINE) CASES.push({ shape: [batch, channels], ...affine });
    for (const [h, w] of [
      [1, 1],
      [2, 3],
      [5, 5],
      [7, 7],
      [14, 14],
    ] as const) {
      for (const affine of AFFINE) CASES.push({ shape: [batch, h, w, channels], ...affine });
    }
  }
}

/**
 * max |γ|/σ·|dy|: the size of the terms dx is the sum of. When they cancel (one element per
 * channel: dx is exactly 0), max |reference| is rounding noise and cannot scale the tolerance.
 */
function termScale(c: BnCase, seed: number): number {
  return tf.tidy(() => {
    const { x, gamma, r } = inputs(c, seed);
    const { variance } = tf.moments(
      x,
      Array.from({ length: x.rank - 1 }, (_, i) => i),
    );
    const scale = tf.rsqrt(variance.add(EPSILON)).mul(gamma ? gamma.abs() : 1);
    return tf.max(tf.abs(r).mul(scale)).dataSync()[0]!;
  });
}

/** expectGradientsClose (the kernels' tolerance), with dx's absolute floor also scaled by `termScale`. */
function expectBnGradientsClose(actual: Float32Array[], expected: Float32Array[], terms: number, what: string): void {
  expectGradientsClose(actual.slice(1), expected.slice(1), `${what} dγ/dβ`);
  let scale = 0;
  for (const v of expected[0]!) scale = Math.max(scale, Math.abs(v));
  expectClose(actual[0]!, expected[0]!, { atol: RELATIVE_TOLERANCE * (scale + terms) + 1e-7, rtol: RELATIVE_TOLERANCE, what: `${what} dx` });
}

const describeCase = (c: BnCase) => `[${c.shape.join('x')}]${c.gamma ? ' γ' : ''}${c.beta ? ' β' : ''}`;

describe('batchNormInTraining (QuantBatchNormalization in training)', () => {
  beforeAll(async () => {
    await setUpBackends();
    // tfjs' per-kernel leak check counts what a customGrad saves for its backward as leaked (on
    // wasm even a saved input: its clone copies). runOn's own check, that no tensor and no backend
    // buffer outlives a forward + backward, still applies.
    tf.env().set('IS_TEST', false);
  });

  it(`dx, dγ and dβ match the stock cpu autodiff of tf.moments + tf.batchNorm over ${CASES.length} cases`, async () => {
    for (const [i, c] of CASES.entries()) {
      const expected = await gradients('cpu-stock', c, 100 + 7 * i);
      expect(expected.length).toBe(1 + Number(c.gamma) + Number(c.beta));
      await tf.setBackend('cpu');
      const terms = termScale(c, 100 + 7 * i);
      for (const target of OURS) expectBnGradientsClose(await gradients(target, c, 100 + 7 * i), expected, terms, `${target} ${describeCase(c)}`);
    }
  });

  it('forward and batch statistics are those of tf.moments + tf.batchNorm on the same backend (within 1e-6 relative)', async () => {
    for (const target of ['wasm-ours', 'cpu-ours'] as const) {
      for (const c of CASES.filter((_, i) => i % 5 === 0)) {
        const stats: Float32Array[] = [];
        const [y0, m0, v0, y1] = await runOn(target, () => {
          const { x, gamma, beta } = inputs(c, 3);
          const old = reference(x, gamma, beta);
          const y = batchNormInTraining(x, gamma, beta, EPSILON, (mean, variance) =>
            stats.push(mean.dataSync() as Float32Array, variance.dataSync() as Float32Array),
          );
          return [old.y, old.mean, old.variance, y];
        });
        const [m1, v1] = stats;
        for (const [a, e, what] of [
          [y1!, y0!, 'y'],
          [m1!, m0!, 'mean'],
          [v1!, v0!, 'variance'],
        ] as const) {
          expect(a.length).toBe(e.length);
          let worst = 0;
          e.forEach((v, k) => (worst = Math.max(worst, Math.abs(a[k]! - v) / Math.max(Math.abs(v), 1e-30))));
          expect(worst, `${target} ${describeCase(c)} ${what}`).toBeLessThanOrEqual(1e-6);
        }
      }
    }
  });

  it('records no gradient and saves nothing outside a gradient scope', async () => {
    await tf.setBackend('wasm');
    const before = tf.memory().numTensors;
    const y = tf.tidy(() => {
      const { x, gamma, beta } = inputs({ shape: [2, 3, 3, 4], gamma: true, beta: true }, 9);
      return batchNormInTraining(x, gamma, beta, EPSILON, () => {});
    });
    expect(y.shape).toEqual([2, 3, 3, 4]);
    y.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });
});

/** apps/cli's dscnn (stem conv 16 s2 + BN + ReLU6, two depthwise-separable blocks, GAP, dense), 28×28×1. */
function dscnn(): tf.Sequential {
  const bnRelu6 = (name: string): tf.layers.Layer[] => [
    tf.layers.batchNormalization({ name: `${name}_bn`, momentum: 0.9 }),
    tf.layers.reLU({ maxValue: 6, name: `${name}_relu` }),
  ];
  const layers: tf.layers.Layer[] = [
    tf.layers.inputLayer({ inputShape: [28, 28, 1] }),
    tf.layers.conv2d({ filters: 16, kernelSize: 3, strides: 2, padding: 'same', useBias: false, name: 'stem_conv' }),
    ...bnRelu6('stem'),
  ];
  [
    { filters: 32, strides: 2 },
    { filters: 64, strides: 1 },
  ].forEach(({ filters, strides }, i) => {
    layers.push(
      tf.layers.depthwiseConv2d({ kernelSize: 3, strides, padding: 'same', useBias: false, name: `b${i}_dw` }),
      ...bnRelu6(`b${i}_dw`),
      tf.layers.conv2d({ filters, kernelSize: 1, useBias: false, name: `b${i}_pw` }),
      ...bnRelu6(`b${i}_pw`),
    );
  });
  layers.push(tf.layers.globalAveragePooling2d({}), tf.layers.dense({ units: 10, name: 'head' }));
  return tf.sequential({ layers });
}

type Normalize = (x: tf.Tensor, gamma: tf.Tensor | undefined, beta: tf.Tensor | undefined) => tf.Tensor;
const layerProto = QuantBatchNormalization.prototype as unknown as { normalizeInTraining: Normalize };
const closedForm = layerProto.normalizeInTraining;
/** QuantBatchNormalization's training mode before the closed-form gradient, verbatim. */
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

/** Losses of `steps` training steps of the quantized dscnn (seeded weights and data), and its BN moving statistics after them. */
async function trainDscnn(lambda: number, normalize: Normalize, steps: number): Promise<{ losses: number[]; moving: number[] }> {
  layerProto.normalizeInTraining = normalize;
  try {
    const base = dscnn();
    seedWeights(base, 5);
    const q = quantizeModel(base, { lambda });
    q.model.compile({ optimizer: tf.train.adam(1e-3), loss: tf.losses.softmaxCrossEntropy });
    const xs = randomBatch([16, 28, 28, 1], 11);
    const ys = tf.tidy(() =>
      tf
        .oneHot(
          tf.tensor1d(
            Array.from({ length: 16 }, (_, i) => (i * 7) % 10),
            'int32',
          ),
          10,
        )
        .toFloat(),
    );
    const losses: number[] = [];
    for (let i = 0; i < steps; i++) losses.push((await q.model.trainOnBatch(xs, ys)) as number);
    const moving = q.model.layers
      .filter((l): l is QuantBatchNormalization => l instanceof QuantBatchNormalization)
      .flatMap((l) => [...l.movingMean!.read().dataSync(), ...l.movingVariance!.read().dataSync()]);
    tf.dispose([xs, ys]);
    q.dispose();
    return { losses, moving };
  } finally {
    layerProto.normalizeInTraining = closedForm;
  }
}

describe('QuantBatchNormalization training with the closed-form gradient', () => {
  beforeAll(async () => {
    await initTrainingBackend({ backend: 'wasm' });
    tf.env().set('IS_TEST', false);
  });

  it('trains dscnn (float through quantizeModel, and QAT) with the loss curve and moving statistics of the previous formulation', async () => {
    for (const lambda of [0, 1]) {
      const old = await trainDscnn(lambda, previousFormulation, 6);
      const now = await trainDscnn(lambda, closedForm, 6);
      expect(now.losses[5]!, `λ ${lambda}: it trains`).toBeLessThan(now.losses[0]!);
      expect(now.losses[0], `λ ${lambda}: the first step's forward is the same`).toBe(old.losses[0]);
      expectClose(Float32Array.from(now.losses), Float32Array.from(old.losses), { atol: 0, rtol: 1e-4, what: `λ ${lambda} losses ${old.losses.join(', ')}` });
      expectClose(Float32Array.from(now.moving), Float32Array.from(old.moving), { atol: 1e-5, rtol: 1e-4, what: `λ ${lambda} moving statistics` });
    }
  });

  it('leaks nothing over 150 QAT steps of dscnn on wasm: tensors, bytes, backend buffers and wasm heap are stable', async () => {
    const base = dscnn();
    seedWeights(base, 6);
    const q = quantizeModel(base, { lambda: 1 });
    q.model.compile({ optimizer: tf.train.adam(1e-3), loss: tf.losses.softmaxCrossEntropy });
    const xs = randomBatch([8, 28, 28, 1], 12);
    const ys = tf.tidy(() => tf.oneHot(tf.tensor1d([0, 1, 2, 3, 4, 5, 6, 7], 'int32'), 10).toFloat());
    const snapshot = () => {
      const { numTensors, numBytes, numDataBuffers } = tf.memory();
      const backend = tf.backend() as tf.KernelBackend & { wasm?: { HEAPU8: Uint8Array } };
      return { numTensors, numBytes, numDataBuffers, backendDataIds: backend.numDataIds(), wasmHeapBytes: backend.wasm?.HEAPU8.length ?? 0 };
    };
    let early: ReturnType<typeof snapshot> | undefined;
    for (let step = 1; step <= 150; step++) {
      await q.model.trainOnBatch(xs, ys);
      if (step === 10) early = snapshot();
    }
    expect(snapshot()).toEqual(early);
    tf.dispose([xs, ys]);
    q.dispose();
  });
});
