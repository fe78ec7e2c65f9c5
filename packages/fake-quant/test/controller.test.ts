import * as tf from '@tensorflow/tfjs';
import { quantTrimCurriculum } from '@quant-trim/schedulers';
import { beforeAll, describe, expect, it } from 'vitest';
import { errorCode } from '@quant-trim/test-utils';
import { QuantTrimController, type StepInfo, quantizeModel } from '../src/index.js';
import { randomBatch } from './models.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

const tiny = () =>
  tf.sequential({ layers: [tf.layers.dense({ inputShape: [4], units: 3, activation: 'relu', name: 'a' }), tf.layers.dense({ units: 2, name: 'b' })] });

describe('QuantTrimController', () => {
  it('drives λ along the curriculum through model.fit, with strength = λ and freeze points', async () => {
    const q = quantizeModel(tiny());
    q.model.compile({ optimizer: tf.train.sgd(0.01), loss: 'meanSquaredError' });
    const steps: StepInfo[] = [];
    const epochs: number[] = [];
    const controller = new QuantTrimController(q, {
      totalSteps: 40,
      reporter: { onStep: (s) => void steps.push(s), onEpochEnd: (e) => void epochs.push(e.epoch) },
    });
    await q.model.fit(randomBatch([80, 4], 1), randomBatch([80, 2], 2), {
      epochs: 4,
      batchSize: 8,
      shuffle: false,
      callbacks: [controller.callback()],
      verbose: 0,
    });
    const curriculum = quantTrimCurriculum({ totalSteps: 40 });
    expect(steps.map((s) => s.step)).toEqual(Array.from({ length: 40 }, (_, i) => i));
    expect(steps.map((s) => s.lambda)).toEqual(steps.map((s) => curriculum.at(s.step)));
    expect(steps.every((s) => s.strength === s.lambda)).toBe(true);
    expect(steps.find((s) => s.observersFrozen)?.step).toBe(36);
    expect(steps[5]!.logs).toHaveProperty('loss');
    expect(epochs).toEqual([0, 1, 2, 3]);
    expect(q.state.lambdaValue).toBe(1);
    q.dispose();
  });

  it('samples randomised schemes deterministically per step, so a resumed run samples the same', () => {
    const q = quantizeModel(tiny(), {
      randomize: {
        weights: ['int8-sym-per-channel', 'int4-sym-per-channel', 'int8-sym-per-tensor'],
        activations: ['uint8-asym-per-tensor', 'int8-asym-per-tensor'],
        seed: 7,
      },
    });
    const a = new QuantTrimController(q, { totalSteps: 30 });
    const seen: string[] = [];
    for (let i = 0; i < 30; i++) {
      const info = a.beginStep();
      seen.push(`${info.weightScheme}|${info.activationScheme}`);
      void a.endStep();
    }
    expect(new Set(seen.map((s) => s.split('|')[0])).size).toBe(3);
    expect(new Set(seen.map((s) => s.split('|')[1])).size).toBe(2);
    const resumed = QuantTrimController.fromJSON(q, { ...a.toJSON(), step: 12 });
    expect(resumed.beginStep().weightScheme).toBe(seen[12]!.split('|')[0]);
    q.dispose();
  });

  it('accepts any schedule as JSON and validates its options', () => {
    const q = quantizeModel(tiny());
    const c = new QuantTrimController(q, {
      totalSteps: 10,
      lambda: { type: 'linear', start: 0, end: 1, steps: 10 },
      strength: { type: 'constant', value: 0.3 },
      freezeObservers: false,
    });
    c.beginStep();
    expect(q.state.strength).toBe(0.3);
    expect(JSON.parse(JSON.stringify(c.toJSON()))).toMatchObject({ step: 0, lambda: { type: 'linear' }, freezeObservers: false });
    expect(errorCode(() => new QuantTrimController(q, { totalSteps: 0 }))).toBe('QT_INVALID_ARGUMENT');
    expect(errorCode(() => new QuantTrimController(q, { totalSteps: 5, freezeObservers: { atFraction: 2 } }))).toBe('QT_INVALID_ARGUMENT');
    expect(errorCode(() => new QuantTrimController(q, { totalSteps: 5, lambda: { type: 'nope' } as never }))).toBe('QT_INVALID_SCHEDULE');
    q.dispose();
  });

  it("calls the weight transform's beginStep with the step, strength and every quantized weight", () => {
    const calls: { step: number; strength: number; weights: string[] }[] = [];
    const q = quantizeModel(tiny(), {
      weightTransform: {
        name: 'recorder',
        apply: (w) => w,
        beginStep: (c) =>
          void calls.push({ step: c.step, strength: c.strength, weights: c.weights.map((w) => `${w.layer}/${w.weight}:${w.channelAxis}:${w.view.join('x')}`) }),
      },
    });
    const c = new QuantTrimController(q, { totalSteps: 10, strength: { type: 'constant', value: 0.5 } });
    c.beginStep();
    void c.endStep();
    c.beginStep();
    expect(calls).toEqual([
      { step: 0, strength: 0.5, weights: ['a/kernel:1:4x3', 'b/kernel:1:3x2'] },
      { step: 1, strength: 0.5, weights: ['a/kernel:1:4x3', 'b/kernel:1:3x2'] },
    ]);
    q.dispose();
  });
});
