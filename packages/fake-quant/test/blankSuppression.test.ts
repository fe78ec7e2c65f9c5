import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { attachBlankSuppression, isQuantTrimError, quantizeModel, resolveBlankSuppression } from '../src/index.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

/** input 6×6×2 → conv1 (relu, 3 ch) → conv2 (relu, 4 ch) → flatten → dense 3: two spatial activation tensors. */
function convNet(bias1: number[], bias2: number[], kernel2Zero = true): tf.LayersModel {
  const input = tf.input({ shape: [6, 6, 2] });
  const c1 = tf.layers.conv2d({
    filters: 3,
    kernelSize: 3,
    padding: 'same',
    activation: 'relu',
    name: 'conv1',
    kernelInitializer: tf.initializers.randomNormal({ seed: 1 }),
  });
  const c2 = tf.layers.conv2d({
    filters: 4,
    kernelSize: 3,
    padding: 'same',
    activation: 'relu',
    name: 'conv2',
    kernelInitializer: tf.initializers.randomNormal({ seed: 2 }),
  });
  const d = tf.layers.dense({ units: 3, name: 'dense', kernelInitializer: tf.initializers.randomNormal({ seed: 3 }) });
  const out = d.apply(tf.layers.flatten().apply(c2.apply(c1.apply(input)))) as tf.SymbolicTensor;
  const model = tf.model({ inputs: input, outputs: out });
  c1.setWeights([c1.getWeights()[0]!, tf.tensor1d(bias1)]);
  c2.setWeights([kernel2Zero ? tf.zerosLike(c2.getWeights()[0]!) : c2.getWeights()[0]!, tf.tensor1d(bias2)]);
  return model;
}

const relu = (v: number) => Math.max(0, v);
const mean = (a: number[]) => a.reduce((s, v) => s + v, 0) / a.length;

describe('blank-response suppression', () => {
  it('penalises the mean |response| of each spatial activation to the blank input (hand-computed)', () => {
    // A zero input through a zero-padded conv gives relu(bias) at every position; conv2's kernel is
    // zero, so its response is relu(bias2) whatever conv1 answers.
    const b1 = [0.5, -0.2, 0.3];
    const b2 = [0.1, 0.4, -1, 0.25];
    const q = quantizeModel(convNet(b1, b2), { lambda: 0 });
    const blank = attachBlankSuppression(q, { weight: 2 });
    expect(blank.layers.length).toBe(2);
    const responses = blank.responses();
    expect(responses[0]).toBeCloseTo(mean(b1.map(relu)), 6);
    expect(responses[1]).toBeCloseTo(mean(b2.map(relu)), 6);
    const p = blank.penalty();
    expect(p.dataSync()[0]).toBeCloseTo(2 * (mean(b1.map(relu)) + mean(b2.map(relu))), 6);
    p.dispose();
    blank.detach();
    q.dispose();
  });

  it("gives each tensor's term to the layers since the previous activation quantizer only", () => {
    // conv2 is inhibitory (kernel −1): through it, lowering conv1's blank response would raise
    // conv2's. Detached, conv1's bias sees its own term alone: 1/3 per positive channel (3 channels).
    const q = quantizeModel(convNet([0.5, -0.2, 0.3], [10, 10, 10, 10], false), { lambda: 0 });
    const conv2 = q.model.getLayer('conv2');
    conv2.setWeights([tf.fill([3, 3, 3, 4], -1), tf.tensor1d([10, 10, 10, 10])]); // every position stays positive
    const blank = attachBlankSuppression(q);
    const bias1 = q.model.getLayer('conv1').trainableWeights[1]!.read() as tf.Variable;
    const { grads, value } = tf.variableGrads(() => blank.penalty(), [bias1]);
    expect(Array.from(grads[bias1.name]!.dataSync()).map((g) => +g.toFixed(6))).toEqual([1 / 3, 0, 1 / 3].map((g) => +g.toFixed(6)));
    expect(q.state.detachActivations).toBe(false);
    tf.dispose([value, ...Object.values(grads)]);
    blank.detach();
    q.dispose();
  });

  it('uses the blank value given per input channel', () => {
    // conv1 with a kernel of ones on channel 0 only: the interior response to a blank of [1, 5] is relu(9·1 + b).
    const q = quantizeModel(convNet([0, 0, 0], [0, 0, 0, 0]), { lambda: 0 });
    const conv1 = q.model.getLayer('conv1');
    const k = tf.buffer([3, 3, 2, 3]);
    for (let i = 0; i < 3; i++) for (let j = 0; j < 3; j++) for (let o = 0; o < 3; o++) k.set(1, i, j, 0, o);
    conv1.setWeights([k.toTensor(), tf.tensor1d([0, -3, -12])]);
    const blank = attachBlankSuppression(q, { value: [1, 5] });
    // Zero padding: corners see 4 taps, edges 6, the 16 interior positions 9 (a 6×6 map: 4 corners, 16 edges, 16 interior).
    const at = (taps: number, b: number) => relu(taps + b);
    const expected = [0, -3, -12].map((b) => (4 * at(4, b) + 16 * at(6, b) + 16 * at(9, b)) / 36);
    expect(blank.responses()[0]).toBeCloseTo(mean(expected), 5);
    blank.detach();
    q.dispose();
  });

  it('adds to the loss trainOnBatch minimises and reports, and detach() removes it', async () => {
    const q = quantizeModel(convNet([0.5, 0.5, 0.5], [0.5, 0.5, 0.5, 0.5]), { lambda: 0 });
    q.model.compile({ optimizer: tf.train.sgd(0), loss: 'meanSquaredError' });
    const x = tf.randomUniform([4, 6, 6, 2], 0, 1, 'float32', 7);
    const y = tf.zeros([4, 3]);
    const plain = (await q.model.trainOnBatch(x, y)) as number;
    const blank = attachBlankSuppression(q);
    const p = blank.penalty();
    const withPenalty = (await q.model.trainOnBatch(x, y)) as number;
    expect(withPenalty - plain).toBeCloseTo(p.dataSync()[0]!, 5);
    blank.detach();
    expect((await q.model.trainOnBatch(x, y)) as number).toBeCloseTo(plain, 6);
    tf.dispose([x, y, p]);
    q.dispose();
  });

  it('trains the blank responses to exactly 0, where plain training leaves them positive', async () => {
    // The targets are the model's own outputs at the start, so plain training has nothing to move
    // and its blank responses stay positive; the penalty alone has to take them to 0.
    const train = async (suppress: boolean): Promise<number[]> => {
      const q = quantizeModel(convNet([0.5, 0.4, 0.3], [0.6, 0.5, 0.4, 0.3], false), { lambda: 0 });
      q.model.compile({ optimizer: tf.train.adam(0.01), loss: 'meanSquaredError' });
      const x = tf.randomUniform([16, 6, 6, 2], 0, 1, 'float32', 3);
      const y = q.model.predict(x) as tf.Tensor;
      const blank = attachBlankSuppression(q);
      if (!suppress) blank.detach();
      for (let i = 0; i < 200; i++) await q.model.trainOnBatch(x, y);
      const probe = suppress ? blank : attachBlankSuppression(q);
      const r = probe.responses();
      probe.detach();
      tf.dispose([x, y]);
      q.dispose();
      return r;
    };
    const suppressed = await train(true);
    const plain = await train(false);
    for (const r of suppressed) expect(r).toBe(0);
    expect(Math.min(...plain)).toBeGreaterThan(0.1);
  });

  it('decoupled (stepSize): stays out of the loss; step() is a plain gradient step of that size on the penalty', async () => {
    const q = quantizeModel(convNet([0.5, -0.2, 0.3], [0.1, 0.4, -1, 0.25]), { lambda: 0 });
    q.model.compile({ optimizer: tf.train.sgd(0), loss: 'meanSquaredError' });
    const x = tf.randomUniform([4, 6, 6, 2], 0, 1, 'float32', 7);
    const y = tf.zeros([4, 3]);
    const plain = (await q.model.trainOnBatch(x, y)) as number;
    const blank = attachBlankSuppression(q, { stepSize: 0.3 });
    expect((await q.model.trainOnBatch(x, y)) as number).toBeCloseTo(plain, 6);
    const bias = (name: string) => Array.from(q.model.getLayer(name).getWeights()[1]!.dataSync());
    const [b1, b2] = [bias('conv1'), bias('conv2')];
    blank.step();
    // d/db of mean(relu(b)) over a channel-constant map is 1/C for a positive channel: conv1 has 3, conv2 4.
    bias('conv1').forEach((b, i) => expect(b).toBeCloseTo(b1[i]! - (b1[i]! > 0 ? 0.3 / 3 : 0), 6));
    bias('conv2').forEach((b, i) => expect(b).toBeCloseTo(b2[i]! - (b2[i]! > 0 ? 0.3 / 4 : 0), 6));
    for (let i = 0; i < 20; i++) blank.step();
    expect(blank.responses()).toEqual([0, 0]);
    blank.detach();
    tf.dispose([x, y]);
    q.dispose();
  });

  it('runs BatchNorm with its running statistics (the deployed model), not the one-sample batch', () => {
    const input = tf.input({ shape: [4, 4, 1] });
    const conv = tf.layers.conv2d({ filters: 2, kernelSize: 1, useBias: false, name: 'conv', kernelInitializer: 'ones' });
    const bn = tf.layers.batchNormalization({
      name: 'bn',
      betaInitializer: tf.initializers.constant({ value: 0.7 }),
      movingMeanInitializer: tf.initializers.constant({ value: 0.2 }),
    });
    const act = tf.layers.reLU({ name: 'relu' });
    const out = tf.layers.dense({ units: 2 }).apply(tf.layers.flatten().apply(act.apply(bn.apply(conv.apply(input))))) as tf.SymbolicTensor;
    // Folded (the default): the activation quantizer sits after conv → BN → ReLU.
    const q = quantizeModel(tf.model({ inputs: input, outputs: out }), { lambda: 0 });
    const blank = attachBlankSuppression(q);
    // Inference BN on a zero input: (0 − 0.2)/√(1 + ε)·1 + 0.7 ≈ 0.5 (a one-sample batch would give β = 0.7).
    expect(blank.responses()).toHaveLength(1);
    expect(blank.responses()[0]).toBeCloseTo(0.7 - 0.2 / Math.sqrt(1 + 1e-3), 5);
    blank.detach();
    q.dispose();
  });

  it('refuses bad settings and models it cannot serve, naming the field', () => {
    const codeOf = (f: () => unknown) => {
      try {
        f();
      } catch (e) {
        return isQuantTrimError(e) ? `${e.code} ${String((e.details as { field?: string }).field)}` : String(e);
      }
      return 'no error';
    };
    expect(codeOf(() => resolveBlankSuppression({ weight: 0 }))).toBe('QT_INVALID_ARGUMENT blankSuppression.weight');
    expect(codeOf(() => resolveBlankSuppression({ value: [Number.NaN] }))).toBe('QT_INVALID_ARGUMENT blankSuppression.value');
    expect(resolveBlankSuppression(true)).toEqual({ weight: 1, value: 0 });
    expect(codeOf(() => resolveBlankSuppression({ stepSize: -1 }))).toBe('QT_INVALID_ARGUMENT blankSuppression.stepSize');
    const q = quantizeModel(convNet([0, 0, 0], [0, 0, 0, 0]), { lambda: 0 });
    expect(codeOf(() => attachBlankSuppression(q, { value: [0, 0, 0] }))).toBe('QT_INVALID_ARGUMENT blankSuppression.value');
    q.dispose();
    const input = tf.input({ shape: [5] });
    const mlp = quantizeModel(tf.model({ inputs: input, outputs: tf.layers.dense({ units: 2, activation: 'relu' }).apply(input) as tf.SymbolicTensor }), {
      lambda: 0,
    });
    expect(codeOf(() => attachBlankSuppression(mlp))).toBe('QT_INVALID_ARGUMENT model');
    expect(() => attachBlankSuppression(mlp)).toThrow(expect.objectContaining({ details: expect.objectContaining({ reason: 'no-spatial-activation' }) }));
    mlp.dispose();
    // Free spatial sizes: no blank sample to build (a different reason: the CLI warns about this one).
    const free = tf.input({ shape: [null, null, 2] });
    const conv = tf.layers.conv2d({ filters: 2, kernelSize: 1, activation: 'relu' }).apply(free) as tf.SymbolicTensor;
    const pooled = tf.layers.globalAveragePooling2d({}).apply(conv) as tf.SymbolicTensor;
    const fcn = quantizeModel(tf.model({ inputs: free, outputs: tf.layers.dense({ units: 2 }).apply(pooled) as tf.SymbolicTensor }), { lambda: 0 });
    expect(() => attachBlankSuppression(fcn)).toThrow(/input dimension 1 is not fixed/);
    fcn.dispose();
  });
});
