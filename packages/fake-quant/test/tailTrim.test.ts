import * as tf from '@tensorflow/tfjs';
import { createScheme, defaultRegistry, schemeToJSON } from '@quant-trim/quant-grid';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  Clamp,
  FakeQuant,
  QuantState,
  QuantTrimController,
  type TailTrimConfig,
  clampLayerFor,
  isQuantTrimError,
  quantizeModel,
  registerQuantLayers,
} from '../src/index.js';
import { referenceCnn, seedWeights } from './models.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

let nextPoint = 0;
const uint8 = schemeToJSON(defaultRegistry.scheme('uint8-asym-per-tensor'));
const int8 = schemeToJSON(createScheme({ bits: 8, signed: true, symmetric: false }));

function point(tailTrim: TailTrimConfig, options: { lambda?: number; scheme?: typeof uint8 } = {}): { fq: FakeQuant; state: QuantState } {
  const fq = new FakeQuant({ name: `fq_${nextPoint++}`, scheme: options.scheme ?? uint8, observer: { tailTrim } });
  const state = new QuantState(options.lambda ?? 1);
  fq.quantState = state;
  return { fq, state };
}

const run = (fq: FakeQuant, x: tf.Tensor, training = true) => fq.apply(x, { training }) as tf.Tensor;
const range = (a: number, n: number, step = 1) => Float32Array.from({ length: n }, (_, i) => a + i * step);

describe('activation tail trimming', () => {
  it('clamps at the running high quantile (hand-computed k-th largest, EMA, strength, subsampling)', () => {
    const { fq, state } = point({ pMax: 0.1, momentum: 0.5 });
    // 1..100, share 0.1: k = ⌊0.1·100⌋ + 1 = 11, the 11th largest is 90; low quantile 11 ≥ 0, so min stays 0.
    const y1 = run(fq, tf.tensor1d(range(1, 100)));
    expect(fq.trainingClamp()).toEqual({ min: 0, max: 90 });
    expect(Array.from(fq.tailClamp!.read().dataSync())).toEqual([11, 90, Math.fround(0.1), 1]);
    // The fake quantizer runs on the clamped input: nothing above 90 comes out.
    expect(y1.max().dataSync()[0]).toBeCloseTo(90, 4);
    // 2, 4, …, 200: batch quantile 180; EMA 0.5·90 + 0.5·180 = 135.
    run(fq, tf.tensor1d(range(2, 100, 2)));
    expect(fq.trainingClamp()!.max).toBe(135);
    // Strength 0.5 (the controller's activation strength): share 0.05, k = 6, 6th largest of 1..100 = 95; EMA (135 + 95)/2.
    state.activationStrength = 0.5;
    run(fq, tf.tensor1d(range(1, 100)));
    expect(fq.trainingClamp()!.max).toBe(115);
    expect(fq.tailClamp!.read().dataSync()[2]).toBe(Math.fround(0.05));

    // Subsampling: 0..999 with sampleSize 100 → every 10th value (0, 10, …, 990); k = 11 → 890.
    const sub = point({ pMax: 0.1, sampleSize: 100 });
    run(sub.fq, tf.tensor1d(range(0, 1000)));
    expect(sub.fq.trainingClamp()!.max).toBe(890);
  });

  it('trims a real negative tail from below too; lower: false leaves it', () => {
    // −50..49, share 0.1: high = 11th largest = 39, low = 11th smallest = −40.
    const { fq } = point({ pMax: 0.1 }, { scheme: int8 });
    const y = run(fq, tf.tensor1d(range(-50, 100)));
    expect(fq.trainingClamp()).toEqual({ min: -40, max: 39 });
    expect(y.min().dataSync()[0]).toBeCloseTo(-40, 0); // −40 on the int8 grid (step ≈ 0.31)
    const upper = point({ pMax: 0.1, lower: false }, { scheme: int8 });
    run(upper.fq, tf.tensor1d(range(-50, 100)));
    expect(upper.fq.trainingClamp()).toEqual({ min: -Infinity, max: 39 });
  });

  it('acts on the float path too (λ = 0) and nothing is trimmed at strength 0', () => {
    const { fq, state } = point({ pMax: 0.1 }, { lambda: 0 });
    // Strength follows λ = 0: the estimate starts (at the batch extremes) but nothing is clamped.
    const x = tf.tensor1d(range(1, 100));
    expect(Array.from(run(fq, x).dataSync())).toEqual(Array.from(x.dataSync()));
    expect(fq.trainingClamp()).toBeUndefined();
    // With a separate activation strength the float path is clamped: y = clip(x, 0, q).
    state.activationStrength = 1;
    const y = run(fq, x);
    const q = fq.trainingClamp()!.max;
    expect(q).toBe(Math.fround(0.9 * 100 + 0.1 * 90));
    expect(Array.from(y.dataSync())).toEqual(Array.from(x.dataSync(), (v) => Math.min(v, q)));
  });

  it('gradient: 1 inside the clamp, 0 in the trimmed tail (tf.grad), at λ = 0 and through the STE at λ = 1', () => {
    for (const lambda of [0, 1]) {
      const { fq, state } = point({ pMax: 0.1 }, { lambda });
      state.activationStrength = 1;
      const x = tf.tensor1d(range(1, 100));
      run(fq, x); // clamp at 90
      state.observersFrozen = true; // keep the clamp where it is while differentiating
      const g = tf.grad((t: tf.Tensor) => tf.sum(tf.mul(run(fq, t), 2)))(x);
      expect(Array.from(g.dataSync())).toEqual(Array.from(x.dataSync(), (v) => (v <= 90 ? 2 : 0)));
    }
  });

  it('the observer sees the clamped values', () => {
    const { fq } = point({ pMax: 0.1 });
    run(fq, tf.tensor1d(range(1, 100)));
    expect(fq.range().max).toEqual([90]);
    const plain = new FakeQuant({ scheme: uint8 });
    plain.quantState = new QuantState(1);
    run(plain, tf.tensor1d(range(1, 100)));
    expect(plain.range().max).toEqual([100]);
  });

  it('refreshes every refreshEvery steps of the controller and freezes with the observers', () => {
    const { fq, state } = point({ pMax: 0.1, refreshEvery: 2, momentum: 0 });
    state.step = 0;
    run(fq, tf.tensor1d(range(1, 100))); // estimate 90
    state.step = 1;
    run(fq, tf.tensor1d(range(2, 100, 2))); // not due: stays 90
    expect(fq.trainingClamp()!.max).toBe(90);
    state.step = 2;
    run(fq, tf.tensor1d(range(2, 100, 2))); // due: 180
    expect(fq.trainingClamp()!.max).toBe(180);
    state.observersFrozen = true;
    state.step = 4;
    run(fq, tf.tensor1d(range(1, 100)));
    expect(fq.trainingClamp()!.max).toBe(180);
  });

  it('inference applies the clamp only when deployed; deployedClamp and the standard clamp layer', () => {
    const deployed = point({ pMax: 0.1 });
    const ablation = point({ pMax: 0.1, deploy: false });
    const x = tf.tensor1d(range(1, 100));
    run(deployed.fq, x);
    run(ablation.fq, x);
    deployed.state.setLambda(0);
    ablation.state.setLambda(0);
    expect(run(deployed.fq, x, false).max().dataSync()[0]).toBe(90);
    expect(run(ablation.fq, x, false).max().dataSync()[0]).toBe(100);
    expect(deployed.fq.deployedClamp()).toEqual({ min: 0, max: 90 });
    expect(ablation.fq.deployedClamp()).toBeUndefined();
    expect(ablation.fq.trainingClamp()).toEqual({ min: 0, max: 90 });
    // min 0 → a stock ReLU(maxValue); otherwise the registered Clamp layer.
    const relu = deployed.fq.deployedClampLayer()!;
    expect(relu.getClassName()).toBe('ReLU');
    expect(relu.getConfig()['maxValue']).toBe(90);
    const clamp = clampLayerFor({ min: -1.5, max: 2 });
    expect(clamp).toBeInstanceOf(Clamp);
    expect(Array.from((clamp.apply(tf.tensor1d([-3, 0, 3])) as tf.Tensor).dataSync())).toEqual([-1.5, 0, 2]);
    expect((clampLayerFor({ min: -Infinity, max: 2 }) as Clamp).min).toBeNull();
  });

  it('the Clamp layer serialises and reloads through tfjs IO', async () => {
    registerQuantLayers();
    const input = tf.input({ shape: [3] });
    const out = new Clamp({ min: -0.5, max: 0.25, name: 'clamp' }).apply(input) as tf.SymbolicTensor;
    const model = tf.model({ inputs: input, outputs: out });
    let saved: tf.io.ModelArtifacts | undefined;
    await model.save(tf.io.withSaveHandler(async (a) => ((saved = a), { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } })));
    const loaded = await tf.loadLayersModel(tf.io.fromMemory(saved!));
    expect(Array.from((loaded.predict(tf.tensor2d([[-1, 0.1, 1]])) as tf.Tensor).dataSync())).toEqual([-0.5, Math.fround(0.1), 0.25]);
  });

  it('quantizeModel passes tailTrim to every activation quantizer; training with the controller clamps and stays finite', async () => {
    const model = referenceCnn();
    seedWeights(model, 5);
    const q = quantizeModel(model, { observer: { tailTrim: { pMax: 0.01 } } });
    q.model.compile({ optimizer: tf.train.adam(1e-3), loss: 'categoricalCrossentropy' });
    const controller = new QuantTrimController(q, { totalSteps: 6, activationStrength: { type: 'constant', value: 1 } });
    const x = tf.randomUniform([8, 12, 12, 1], 0, 1, 'float32', 3);
    const y = tf.oneHot(tf.tensor1d([0, 1, 2, 3, 4, 5, 6, 7], 'int32'), 10);
    const points = q.fakeQuantLayers();
    const highest = new Map<string, number>();
    for (let i = 0; i < 6; i++) {
      controller.beginStep();
      expect(q.state.activationStrength).toBe(1);
      const loss = (await q.model.trainOnBatch(x, y)) as number;
      expect(Number.isFinite(loss)).toBe(true);
      await controller.endStep();
      for (const fq of points) highest.set(fq.name, Math.max(highest.get(fq.name) ?? 0, fq.trainingClamp()!.max));
    }
    expect(points.length).toBeGreaterThan(1);
    for (const fq of points) {
      const clamp = fq.deployedClamp()!;
      expect(clamp.max).toBeGreaterThan(0);
      // The observer averages clamped batch maxima: never above the highest clamp it was trained with.
      expect(fq.range().max[0]!).toBeLessThanOrEqual(highest.get(fq.name)!);
    }
    expect(controller.toJSON().activationStrength).toEqual({ type: 'constant', value: 1 });
    q.dispose();
  });

  it('rejects invalid options with a coded error naming the field', () => {
    const bad = (tailTrim: unknown) => {
      try {
        new FakeQuant({ scheme: uint8, observer: { tailTrim: tailTrim as TailTrimConfig } });
      } catch (e) {
        return isQuantTrimError(e) ? `${e.code} ${e.message.split(':')[0]}` : 'other';
      }
      return 'none';
    };
    expect(bad({ pMax: 0.7 })).toBe('QT_INVALID_ARGUMENT observer.tailTrim.pMax');
    expect(bad({ momentum: 1 })).toBe('QT_INVALID_ARGUMENT observer.tailTrim.momentum');
    expect(bad({ refreshEvery: 0 })).toBe('QT_INVALID_ARGUMENT observer.tailTrim.refreshEvery');
    expect(bad({ deploy: 'yes' })).toBe('QT_INVALID_ARGUMENT observer.tailTrim.deploy');
  });
});
