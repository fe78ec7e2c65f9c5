import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { QuantBatchNormalization, type QuantLayer, loadQuantizedModel, quantizeModel, saveQuantizedModel, stripQuantization } from '../src/index.js';
import { maxAbsDiff, memoryIO, randomBatch, seedWeights } from './models.js';

const INT4_PER_TENSOR = { bits: 4, signed: true, symmetric: true, granularity: { kind: 'per-tensor' } } as const;

beforeAll(async () => {
  await tf.setBackend('cpu');
});

/** Conv-BN-ReLU6 → depthwise-BN-ReLU → pointwise → pooled head; no dropout, so training passes are deterministic. */
function bnCnn(): tf.LayersModel {
  const input = tf.input({ shape: [12, 12, 3] });
  // Snake-case names: tfjs camel-cases config strings on load, so the fold link must survive that.
  let x = tf.layers.conv2d({ filters: 8, kernelSize: 3, padding: 'same', useBias: false, name: 'stem_conv' }).apply(input) as tf.SymbolicTensor;
  x = tf.layers.batchNormalization({ name: 'stem_bn' }).apply(x) as tf.SymbolicTensor;
  x = tf.layers.reLU({ maxValue: 6, name: 'stem_relu6' }).apply(x) as tf.SymbolicTensor;
  x = tf.layers.depthwiseConv2d({ kernelSize: 3, padding: 'same', name: 'dw' }).apply(x) as tf.SymbolicTensor;
  x = tf.layers.batchNormalization({ name: 'dw_bn' }).apply(x) as tf.SymbolicTensor;
  x = tf.layers.activation({ activation: 'relu', name: 'dw_relu' }).apply(x) as tf.SymbolicTensor;
  x = tf.layers.conv2d({ filters: 12, kernelSize: 1, name: 'pw' }).apply(x) as tf.SymbolicTensor;
  x = tf.layers.globalAveragePooling2d({ name: 'gap' }).apply(x) as tf.SymbolicTensor;
  return tf.model({ inputs: input, outputs: tf.layers.dense({ units: 5, name: 'logits' }).apply(x) as tf.SymbolicTensor });
}

/** A fresh BatchNorm model (γ = 1, β = 0, mean 0, var 1: what folding used to delete) with seeded conv weights. */
function freshDsCnn(): tf.LayersModel {
  const model = bnCnn();
  const r = randomBatch([1, 4096], 11).dataSync();
  let k = 0;
  for (const layer of model.layers) {
    if (layer.getClassName() === 'BatchNormalization') continue;
    const weights = layer.getWeights();
    if (weights.length > 0)
      layer.setWeights(
        weights.map((w) =>
          tf.tensor(
            Float32Array.from({ length: w.size }, () => (r[k++ % r.length]! - 0.25) * 0.8),
            w.shape,
          ),
        ),
      );
  }
  return model;
}

function batches(n: number, seed: number) {
  return Array.from({ length: n }, (_, i) => ({
    x: randomBatch([8, 12, 12, 3], seed + i),
    y: tf.oneHot(
      tf.tensor1d(
        Array.from({ length: 8 }, (_, j) => (i + 3 * j) % 5),
        'int32',
      ),
      5,
    ),
  }));
}

async function lossCurve(model: tf.LayersModel, data: { x: tf.Tensor; y: tf.Tensor }[]): Promise<number[]> {
  model.compile({ optimizer: tf.train.sgd(0.05), loss: tf.losses.softmaxCrossEntropy });
  const losses: number[] = [];
  for (const { x, y } of data) losses.push((await model.trainOnBatch(x, y)) as number);
  return losses;
}

describe("BatchNorm trained as BatchNorm (batchNorm: 'fold')", () => {
  it('keeps a fresh BatchNorm, normalising with batch statistics: float training matches plain tfjs step by step', async () => {
    const data = batches(12, 40);
    const plain = freshDsCnn();
    const q = quantizeModel(freshDsCnn(), { weights: false, activations: false });
    const bns = q.model.layers.filter((l): l is QuantBatchNormalization => l instanceof QuantBatchNormalization);
    expect(bns.map((l) => [l.name, l.foldedInto])).toEqual([
      ['stem_bn', 'stem_conv'],
      ['dw_bn', 'dw'],
    ]);
    // Training-mode forward pass: batch statistics, exactly as tfjs' own BatchNormalization.
    const x = data[0]!.x;
    expect(maxAbsDiff(plain.apply(x, { training: true }) as tf.Tensor, q.model.apply(x, { training: true }) as tf.Tensor)).toBeLessThan(1e-5);
    const reference = await lossCurve(plain, data);
    const ours = await lossCurve(q.model, data);
    expect(reference.at(-1)!).toBeLessThan(reference[0]!); // it learns
    for (let i = 0; i < reference.length; i++) expect(Math.abs(ours[i]! - reference[i]!)).toBeLessThan(1e-4 * Math.max(1, reference[i]!));
    // The moving statistics moved like tfjs' (momentum 0.99).
    const moving = (m: tf.LayersModel) => m.getLayer('stem_bn').getWeights()[2]!;
    expect(maxAbsDiff(moving(plain), moving(q.model))).toBeLessThan(1e-5);
    expect(moving(plain).abs().max().dataSync()[0]).toBeGreaterThan(0);
    q.dispose();
  });

  it('fake-quantizes the weight folded with the moving statistics, as the deployed (folded) model is quantized', () => {
    const model = bnCnn();
    seedWeights(model, 5); // γ in [0.8, 1.2], σ² in [0.5, 1.5]: per-channel factors differ
    const config = { weights: INT4_PER_TENSOR, activations: false } as const;
    const folded = quantizeModel(model, config);
    const kept = quantizeModel(model, { ...config, batchNorm: 'keep' });
    const deployed = quantizeModel(stripQuantization(folded).model, config);
    expect(deployed.model.layers.some((l) => l instanceof QuantBatchNormalization)).toBe(false);
    const x = randomBatch([4, 12, 12, 3], 9);
    const ours = folded.model.predict(x) as tf.Tensor;
    // At inference (moving statistics) conv(x, Q(W·γ/σ)/(γ/σ)) then BN equals conv(x, Q(W·γ/σ)) + folded bias.
    expect(maxAbsDiff(ours, deployed.model.predict(x) as tf.Tensor)).toBeLessThan(1e-4);
    // Quantizing the unfolded weight on a per-tensor grid is a different model (so the check above can fail).
    expect(maxAbsDiff(ours, kept.model.predict(x) as tf.Tensor)).toBeGreaterThan(1e-3);
    // At λ = 0 the fold is exact float: the quantized model equals the stripped float model.
    folded.setLambda(0);
    expect(maxAbsDiff(folded.model.predict(x) as tf.Tensor, stripQuantization(folded).model.predict(x) as tf.Tensor)).toBeLessThan(1e-5);
    for (const q of [folded, kept, deployed]) q.dispose();
  });

  it('frozen BatchNorm trains with the moving statistics: the training forward pass equals inference', () => {
    const model = bnCnn();
    seedWeights(model, 6);
    const q = quantizeModel(model, { weights: 'int8-sym-per-tensor', activations: false });
    const x = randomBatch([4, 12, 12, 3], 12);
    q.freezeBatchNorm();
    const before = q.model.getLayer('dw_bn').getWeights()[3]!.dataSync().slice();
    expect(maxAbsDiff(q.model.apply(x, { training: true }) as tf.Tensor, q.model.predict(x) as tf.Tensor)).toBeLessThan(1e-6);
    expect(Array.from(q.model.getLayer('dw_bn').getWeights()[3]!.dataSync())).toEqual(Array.from(before));
    q.freezeBatchNorm(false);
    expect(maxAbsDiff(q.model.apply(x, { training: true }) as tf.Tensor, q.model.predict(x) as tf.Tensor)).toBeGreaterThan(1e-3);
    q.dispose();
  });

  it('gradients reach the weight, γ and β through the folded fake quantizer (STE)', () => {
    const model = bnCnn();
    seedWeights(model, 7);
    const q = quantizeModel(model, { weights: 'int8-sym-per-tensor', activations: false });
    const x = randomBatch([4, 12, 12, 3], 13);
    const stem = q.model.getLayer('stem_conv') as QuantLayer;
    const bn = q.model.getLayer('stem_bn') as QuantBatchNormalization;
    const vars = [stem.weights[0]!, bn.gamma!, bn.beta!].map((w) => (w as unknown as { val: tf.Variable }).val);
    const { grads } = tf.variableGrads(() => (q.model.apply(x, { training: true }) as tf.Tensor).square().mean() as tf.Scalar, vars);
    for (const v of vars) expect(grads[v.name]!.abs().max().dataSync()[0]).toBeGreaterThan(0);
    q.dispose();
  });

  it('the fold link survives save / load', async () => {
    const model = bnCnn();
    seedWeights(model, 8);
    const q = quantizeModel(model, { weights: INT4_PER_TENSOR, activations: false });
    const io = memoryIO();
    await saveQuantizedModel(q, io.save);
    const { quantized } = await loadQuantizedModel(io.load());
    expect((quantized.model.getLayer('stem_conv') as QuantLayer).foldedBatchNorm?.name).toBe('stem_bn');
    const x = randomBatch([2, 12, 12, 3], 14);
    expect(maxAbsDiff(quantized.model.predict(x) as tf.Tensor, q.model.predict(x) as tf.Tensor)).toBe(0);
    q.dispose();
    quantized.dispose();
  });
});
