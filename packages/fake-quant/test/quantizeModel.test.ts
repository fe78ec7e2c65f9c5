import * as tf from '@tensorflow/tfjs';
import { computeQParams, computeRanges, createScheme, fakeQuantize as gridFakeQuantize } from '@quant-trim/quant-grid';
import { beforeAll, describe, expect, it } from 'vitest';
import { type FakeQuant, QuantBatchNormalization, QuantConv2D, isQuantTrimError, loadQuantizedModel, quantizeModel, saveQuantizedModel } from '../src/index.js';
import { maxAbsDiff, randomBatch, referenceCnn, residualDsCnn, seedWeights } from './models.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe('quantizeModel', () => {
  it('wraps the reference CNN: weighted layers quantized, activation quantizers at the input and after each weighted op', () => {
    const model = referenceCnn();
    seedWeights(model);
    const q = quantizeModel(model);
    expect(q.warnings).toEqual([]);
    expect(q.layers.filter((l) => l.status === 'quantized').map((l) => l.name)).toEqual(['conv1', 'conv2', 'head']);
    expect(q.fakeQuantLayers().map((l) => l.name)).toEqual([expect.stringMatching(/_fq$/), 'conv1_fq', 'conv2_fq', 'head_fq']);
    expect(q.model.layers.find((l) => l.name === 'conv1')).toBeInstanceOf(QuantConv2D);
    q.dispose();
  });

  it('at λ = 0 it computes exactly the float model', () => {
    const model = referenceCnn();
    seedWeights(model);
    const q = quantizeModel(model, { lambda: 0 });
    const x = randomBatch([4, 12, 12, 1], 3);
    expect(maxAbsDiff(q.model.predict(x) as tf.Tensor, model.predict(x) as tf.Tensor)).toBe(0);
    q.dispose();
  });

  it('at λ = 1 a conv uses its kernel fake-quantized per output channel, exactly as quant-grid does', () => {
    const model = tf.sequential({ layers: [tf.layers.conv2d({ inputShape: [6, 6, 2], filters: 3, kernelSize: 3, useBias: false, name: 'c' })] });
    seedWeights(model, 5);
    const q = quantizeModel(model, { activations: false, weights: 'int4-sym-per-channel' });
    const kernel = model.layers[0]!.getWeights()[0]!;
    const scheme = createScheme({ bits: 4, granularity: { kind: 'per-channel', axis: 3 } });
    const data = kernel.dataSync() as Float32Array;
    const expected = gridFakeQuantize(data, kernel.shape, computeQParams(computeRanges(data, kernel.shape, scheme.granularity), scheme), scheme);
    const x = randomBatch([2, 6, 6, 2], 9);
    const reference = tf.conv2d(x as tf.Tensor4D, tf.tensor4d(expected, kernel.shape as [number, number, number, number]), 1, 'valid');
    expect(maxAbsDiff(q.model.predict(x) as tf.Tensor, reference)).toBeLessThan(1e-6);
    q.dispose();
  });

  it('handles a functional depthwise-separable CNN with BatchNorm folding, ReLU6, Add, Concatenate and pooling', () => {
    const model = residualDsCnn();
    seedWeights(model, 2);
    const x = randomBatch([3, 12, 12, 3], 4);
    const q = quantizeModel(model, { lambda: 0 });
    expect(q.warnings).toEqual([]);
    expect(q.layers.filter((l) => l.status === 'folded').map((l) => [l.name, l.into])).toEqual([
      ['stem_bn', 'stem'],
      ['dw_bn', 'dw'],
    ]);
    // Folding changes float rounding only.
    expect(maxAbsDiff(q.model.predict(x) as tf.Tensor, model.predict(x) as tf.Tensor)).toBeLessThan(1e-4);
    // Quantization points: input, stem (after ReLU6), dw (after ReLU), pw, residual, sep, cat, gap, logits.
    expect(
      q
        .fakeQuantLayers()
        .map((l) => l.name)
        .slice(1),
    ).toEqual(['stem_relu6_fq', 'dw_relu_fq', 'pw_fq', 'residual_fq', 'sep_fq', 'cat_fq', 'gap_fq', 'logits_fq']);
    q.setLambda(1);
    const y = q.model.predict(x) as tf.Tensor;
    expect(Number.isFinite(y.sum().dataSync()[0]!)).toBe(true);
    expect(maxAbsDiff(y, model.predict(x) as tf.Tensor)).toBeGreaterThan(0);
    q.dispose();
  });

  it("keeps BatchNorm float in 'keep' mode, and frozen BatchNorm stops updating", async () => {
    const model = residualDsCnn();
    seedWeights(model, 2);
    const q = quantizeModel(model, { batchNorm: 'keep' });
    const bn = q.model.layers.find((l) => l.name === 'stem_bn');
    expect(bn).toBeInstanceOf(QuantBatchNormalization);
    q.model.compile({ optimizer: tf.train.sgd(0.01), loss: 'meanSquaredError' });
    const x = randomBatch([2, 12, 12, 3], 4);
    const y = tf.zeros([2, 5]);
    const mean = () => (bn as QuantBatchNormalization).movingMean!.read().dataSync().slice();
    const before = mean();
    await q.model.trainOnBatch(x, y);
    const after = mean();
    expect(after).not.toEqual(before);
    q.freezeBatchNorm();
    await q.model.trainOnBatch(x, y);
    expect(mean()).toEqual(after);
    q.dispose();
  });

  it('applies per-layer overrides by name pattern; the first match wins', () => {
    const model = referenceCnn();
    const q = quantizeModel(model, {
      overrides: [
        { pattern: 'head*', exclude: true },
        { pattern: 'conv?', weights: ['int4-sym-per-group', { groupSize: 4 }] },
        { pattern: 'conv*', weights: 'int8-sym-per-tensor' },
      ],
    });
    const conv1 = q.model.layers.find((l) => l.name === 'conv1') as QuantConv2D;
    expect(conv1.weightScheme).toMatchObject({ bits: 4, granularity: { kind: 'per-group', groupSize: 4 } });
    expect(q.layers.find((l) => l.name === 'head')).toMatchObject({ status: 'float', reason: 'excluded by an override' });
    expect(q.fakeQuantLayers().map((l) => l.name)).not.toContain('head_fq');
    q.dispose();
  });

  it('leaves unknown layers float with a warning instead of failing', () => {
    const input = tf.input({ shape: [8] });
    const norm = tf.layers.layerNormalization({ name: 'norm' }).apply(input) as tf.SymbolicTensor;
    const out = tf.layers.dense({ units: 2, name: 'd' }).apply(norm) as tf.SymbolicTensor;
    const model = tf.model({ inputs: input, outputs: out });
    const q = quantizeModel(model, { lambda: 0 });
    expect(q.warnings).toEqual(['norm (LayerNormalization): layer class LayerNormalization is not supported for quantization; it stays float']);
    // The dense layer still gets a quantized input.
    expect(q.fakeQuantLayers().map((l) => l.name)).toContain('d_in0_fq');
    const x = randomBatch([3, 8], 1);
    expect(maxAbsDiff(q.model.predict(x) as tf.Tensor, model.predict(x) as tf.Tensor)).toBe(0);
    q.dispose();
  });

  it('rejects an invalid scheme with a coded error naming the field', () => {
    let err: unknown;
    try {
      quantizeModel(referenceCnn(), { weights: { bits: 1 } });
    } catch (e) {
      err = e;
    }
    expect(isQuantTrimError(err, 'QT_INVALID_SCHEME')).toBe(true);
    expect((err as Error).message).toMatch(/^config\.weights: scheme\.bits: expected an integer from 2 to 16, got 1/);
  });

  it('activation quantizers track an EMA of the batch range while training and hold it at inference', async () => {
    const model = tf.sequential({ layers: [tf.layers.dense({ inputShape: [4], units: 2, name: 'd' })] });
    seedWeights(model);
    const q = quantizeModel(model, { observer: { momentum: 0.5 } });
    q.model.compile({ optimizer: tf.train.sgd(0), loss: 'meanSquaredError' });
    const input = q.fakeQuantLayers()[0] as FakeQuant;
    await q.model.trainOnBatch(tf.tensor2d([[0, 1, 2, 3]]), tf.zeros([1, 2]));
    expect(input.range()).toMatchObject({ min: [0], max: [3] });
    await q.model.trainOnBatch(tf.tensor2d([[-1, 1, 2, 7]]), tf.zeros([1, 2]));
    expect(input.range()).toMatchObject({ min: [-0.5], max: [5] });
    q.model.predict(tf.tensor2d([[-9, 1, 2, 70]]));
    expect(input.range()).toMatchObject({ min: [-0.5], max: [5] });
    q.freezeObservers();
    await q.model.trainOnBatch(tf.tensor2d([[-9, 1, 2, 70]]), tf.zeros([1, 2]));
    expect(input.range()).toMatchObject({ min: [-0.5], max: [5] });
    q.dispose();
  });

  it("'dynamic' observers use each batch's own range, at inference too", () => {
    const model = tf.sequential({ layers: [tf.layers.dense({ inputShape: [4], units: 2, name: 'd' })] });
    seedWeights(model);
    const q = quantizeModel(model, { observer: { mode: 'dynamic' }, weights: false });
    const input = q.fakeQuantLayers()[0] as FakeQuant;
    const small = tf.tensor2d([[0, 0.1, 0.2, 0.3]]);
    const large = tf.tensor2d([[0, 10, 20, 30]]);
    // Each batch quantized on its own grid: a value on both grids' points survives exactly.
    const out = (x: tf.Tensor) => Array.from((input.apply(x) as tf.Tensor).dataSync());
    expect(out(small)[3]).toBeCloseTo(0.3, 6);
    expect(out(large)[3]).toBeCloseTo(30, 4);
    expect(input.range()).toMatchObject({ min: [0], max: [0] }); // nothing stored
    q.dispose();
  });

  it('any quant-grid calibrator can observe activations, and its state is saved with the checkpoint', async () => {
    const model = tf.sequential({ layers: [tf.layers.dense({ inputShape: [64], units: 2, name: 'd' })] });
    seedWeights(model);
    const q = quantizeModel(model, { observer: { mode: 'calibrator', calibrator: { name: 'percentile', options: { percentile: 95 } } } });
    q.model.compile({ optimizer: tf.train.sgd(0), loss: 'meanSquaredError' });
    const batch = tf.tensor2d([Array.from({ length: 64 }, (_, i) => (i === 63 ? 100 : i / 64))]);
    await q.model.trainOnBatch(batch, tf.zeros([1, 2]));
    const input = q.fakeQuantLayers()[0] as FakeQuant;
    const { max } = input.range();
    expect(max[0]).toBeGreaterThan(0.9);
    expect(max[0]).toBeLessThan(5); // the outlier at 100 is clipped
    const state = input.quantizer.calibratorState();
    expect(state).toMatchObject({ name: 'percentile' });
    let saved: tf.io.ModelArtifacts | undefined;
    await saveQuantizedModel(
      q,
      tf.io.withSaveHandler(async (a) => ((saved = a), { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } })),
    );
    const { quantized } = await loadQuantizedModel(tf.io.fromMemory(saved!));
    expect((quantized.fakeQuantLayers()[0] as FakeQuant).quantizer.calibratorState()).toEqual(state);
    q.dispose();
    quantized.dispose();
  });
});
