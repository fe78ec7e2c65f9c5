import * as tf from '@tensorflow/tfjs';
import { initTrainingBackend } from '@quant-trim/fake-quant';
import { errorCode } from '@quant-trim/test-utils';
import { beforeAll, describe, expect, it } from 'vitest';
import { MODEL_NAMES, buildModel, describeModel, isModelName } from '../../src/models/index.js';
import type { ModelName } from '../../src/models/index.js';

const OPTIONS = { inputShape: [28, 28, 1], classes: 10 } as const;

const weightsOf = (model: tf.LayersModel): Float32Array[] => model.getWeights().map((w) => w.dataSync() as Float32Array);

beforeAll(async () => {
  await initTrainingBackend({ backend: 'wasm' });
});

/** Expected parameter counts for [28, 28, 1] inputs and 10 classes (total incl. BN statistics, trainable). */
const PARAMETERS: Record<ModelName, [number, number]> = {
  mlp: [109_386, 109_386],
  cnn: [20_618, 20_618],
  dscnn: [4_426, 4_106],
  'resnet-tiny': [19_994, 19_706],
};

describe('buildModel', () => {
  it('lists the four architectures', () => {
    expect(MODEL_NAMES).toEqual(['mlp', 'cnn', 'dscnn', 'resnet-tiny']);
    expect(isModelName('cnn')).toBe(true);
    expect(isModelName('resnet')).toBe(false);
  });

  for (const name of MODEL_NAMES) {
    describe(name, () => {
      it('builds for [28, 28, 1] × 10 classes and outputs [N, 10] logits', () => {
        const model = buildModel(name, OPTIONS);
        expect(model.inputs[0]!.shape).toEqual([null, 28, 28, 1]);
        expect(model.outputs[0]!.shape).toEqual([null, 10]);
        const y = tf.tidy(() => model.predict(tf.randomUniform([3, 28, 28, 1], 0, 1, 'float32', 1)) as tf.Tensor);
        expect(y.shape).toEqual([3, 10]);
        // logits, not probabilities: rows do not sum to 1
        const sums = tf.tidy(() => y.sum(1).dataSync());
        expect(Array.from(sums).some((s) => Math.abs(s - 1) > 1e-3)).toBe(true);
        expect(model.layers.at(-1)!.name).toBe('head');
        expect(model.layers.at(-1)!.getConfig()['activation']).toBe('linear');
        tf.dispose(y);
        model.dispose();
      });

      it('builds identical weights from the same seed and different ones from another seed', () => {
        const a = buildModel(name, { ...OPTIONS, seed: 7 });
        const b = buildModel(name, { ...OPTIONS, seed: 7 });
        const c = buildModel(name, { ...OPTIONS, seed: 8 });
        const [wa, wb, wc] = [weightsOf(a), weightsOf(b), weightsOf(c)];
        expect(wa.length).toBe(wb.length);
        wa.forEach((w, i) => expect(Array.from(w)).toEqual(Array.from(wb[i]!)));
        // every kernel (the randomly initialised weights) differs with the seed
        const kernels = a.weights.map((w, i) => [w.originalName, i] as const).filter(([n]) => /kernel$/.test(n));
        expect(kernels.length).toBeGreaterThan(0);
        for (const [n, i] of kernels) expect(Array.from(wa[i]!), n).not.toEqual(Array.from(wc[i]!));
        // the default seed is 0
        const d = buildModel(name, OPTIONS);
        const e = buildModel(name, { ...OPTIONS, seed: 0 });
        weightsOf(d).forEach((w, i) => expect(Array.from(w)).toEqual(Array.from(weightsOf(e)[i]!)));
        for (const m of [a, b, c, d, e]) m.dispose();
      });

      it('has stable layer names and the expected parameter count', () => {
        const model = buildModel(name, OPTIONS);
        const summary = describeModel(model);
        const again = describeModel(buildModel(name, OPTIONS));
        expect(summary.layers.map((l) => l.name)).toEqual(again.layers.map((l) => l.name));
        expect(summary.layers.every((l) => /^[a-z][a-z0-9_]*$/.test(l.name))).toBe(true);
        expect([summary.parameters, summary.trainableParameters]).toEqual(PARAMETERS[name]);
        expect(summary.parameters).toBe(summary.layers.reduce((n, l) => n + l.parameters, 0));
        expect(summary.layers.at(-1)).toEqual({ name: 'head', className: 'Dense', outputShape: [10], parameters: expect.any(Number) });
        model.dispose();
      });
    });
  }

  it('builds the reference CNN of the repository (names, shapes, and with seed 0 the bench weights)', () => {
    const model = buildModel('cnn', OPTIONS);
    expect(describeModel(model).layers.map((l) => `${l.name}:${l.className}:${l.outputShape.join('x')}`)).toEqual([
      'conv1:Conv2D:26x26x8',
      'pool:MaxPooling2D:13x13x8',
      'conv2:Conv2D:11x11x16',
      'flatten:Flatten:1936',
      'head:Dense:10',
    ]);
    const reference = tf.sequential({
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
        tf.layers.dense({ units: 10, kernelInitializer: tf.initializers.glorotUniform({ seed: 3 }) }),
      ],
    });
    weightsOf(reference).forEach((w, i) => expect(Array.from(w)).toEqual(Array.from(weightsOf(model)[i]!)));
    model.dispose();
    reference.dispose();
  });

  it('builds for other input shapes and class counts', () => {
    for (const name of MODEL_NAMES) {
      const model = buildModel(name, { inputShape: [32, 32, 3], classes: 4, seed: 3 });
      expect(model.outputs[0]!.shape).toEqual([null, 4]);
      const y = tf.tidy(() => model.predict(tf.zeros([2, 32, 32, 3])) as tf.Tensor);
      expect(y.shape).toEqual([2, 4]);
      y.dispose();
      model.dispose();
    }
  });

  it('rejects bad arguments with QT_INVALID_ARGUMENT', () => {
    expect(errorCode(() => buildModel('resnet' as ModelName, OPTIONS))).toBe('QT_INVALID_ARGUMENT');
    expect(() => buildModel('resnet' as ModelName, OPTIONS)).toThrow(/mlp, cnn, dscnn, resnet-tiny/);
    expect(errorCode(() => buildModel('mlp', { inputShape: [28, 28] as unknown as [number, number, number], classes: 10 }))).toBe('QT_INVALID_ARGUMENT');
    expect(errorCode(() => buildModel('mlp', { inputShape: [28, 0, 1], classes: 10 }))).toBe('QT_INVALID_ARGUMENT');
    expect(errorCode(() => buildModel('cnn', { inputShape: [6, 6, 1], classes: 10 }))).toBe('QT_INVALID_ARGUMENT');
    expect(errorCode(() => buildModel('mlp', { ...OPTIONS, classes: 1 }))).toBe('QT_INVALID_ARGUMENT');
    expect(errorCode(() => buildModel('mlp', { ...OPTIONS, classes: 2.5 }))).toBe('QT_INVALID_ARGUMENT');
    expect(errorCode(() => buildModel('mlp', { ...OPTIONS, seed: -1 }))).toBe('QT_INVALID_ARGUMENT');
    expect(errorCode(() => buildModel('mlp', { ...OPTIONS, seed: 0.5 }))).toBe('QT_INVALID_ARGUMENT');
  });
});
