import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { attachBlankSuppression, initTrainingBackend } from '@quant-trim/fake-quant';
import { isQuantTrimError } from '@quant-trim/errors';
import * as ort from 'onnxruntime-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildModel } from '../../src/models/index.js';
import { syntheticDataset } from './syntheticDataset.js';
import { exportCheckpoint, weightHistograms } from '../../src/train/exportModels.js';
import { trainMethod, type TrainOptions, type TrainResult } from '../../src/train/trainMethod.js';

const SIZE = 14;
/** The reference CNN (conv 8 → pool → conv 16 → dense), seeded. */
const build = () => buildModel('cnn', { inputShape: [SIZE, SIZE, 1], classes: 10, seed: 0 });

describe('trainMethod', () => {
  const dir = mkdtempSync(join(tmpdir(), 'qt-cli-train-'));
  const data = syntheticDataset(480, 160, SIZE);
  const base = (method: TrainOptions['method'], sub: string): TrainOptions => ({
    method,
    build,
    dataset: data,
    epochs: 3,
    batchSize: 32,
    learningRate: 3e-3,
    seed: 7,
    scheme: { weights: 'int8-sym-per-channel', activations: 'uint8-asym-per-tensor' },
    trim: { refreshEvery: 4 },
    dir: join(dir, sub),
  });
  beforeAll(async () => {
    await initTrainingBackend({ backend: 'wasm' });
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('an interrupted Quant-Trim run resumed from its last checkpoint ends with the same weights as an uninterrupted one', async () => {
    const straight = await trainMethod(base('quant-trim', 'straight'));
    const weights = straight.quantized.model.getWeights().map((w) => Array.from(w.dataSync()));
    expect(straight.history.map((h) => h.epoch)).toEqual([1, 2, 3]);
    expect(straight.history.at(-1)!.loss).toBeLessThan(straight.history[0]!.loss);
    // λ follows the curriculum: 0 at the start, 1 at the end
    expect(straight.schedule[0]!.lambda).toBe(0);
    expect(straight.schedule.at(-1)!.lambda).toBe(1);
    expect(Math.max(...straight.schedule.map((s) => s.trim))).toBeGreaterThan(0);

    // Interrupt in the middle of epoch 2 (step 20 of 45).
    const controller = new AbortController();
    const interrupted = base('quant-trim', 'resumed');
    const error = await trainMethod({ ...interrupted, signal: controller.signal, reporter: { onProgress: (e) => e.done === 20 && controller.abort() } }).catch(
      (e: unknown) => e,
    );
    expect(isQuantTrimError(error, 'QT_INTERRUPTED')).toBe(true);
    expect(JSON.parse(readFileSync(join(interrupted.dir, 'latest.json'), 'utf8')).epoch).toBe(1);
    expect(readdirSync(interrupted.dir).sort()).toEqual(['epoch-1', 'latest.json']);

    const resumed = await trainMethod({ ...interrupted, resume: true });
    expect(resumed.resumedFrom).toBe(1);
    expect(resumed.history).toEqual(straight.history.map((h, i) => ({ ...h, seconds: resumed.history[i]!.seconds })));
    expect(resumed.quantized.model.getWeights().map((w) => Array.from(w.dataSync()))).toEqual(weights);
    expect(resumed.schedule).toEqual(straight.schedule);

    // different settings cannot resume
    const mismatch = await trainMethod({ ...interrupted, resume: true, seed: 8 }).catch((e: unknown) => e);
    expect(isQuantTrimError(mismatch, 'QT_INVALID_ARGUMENT')).toBe(true);
    expect((mismatch as Error).message).toMatch(/different settings \(seed\)/);

    // the exported FP32 ONNX outputs the float checkpoint's logits
    const exported = exportCheckpoint(resumed.quantized, { qdq: true });
    const x = data.test.x.subarray(0, 8 * SIZE * SIZE);
    const expected = (exported.float.predict(tf.tensor(x, [8, SIZE, SIZE, 1])) as tf.Tensor).dataSync() as Float32Array;
    const session = await ort.InferenceSession.create(exported.fp32.bytes());
    const got = (await session.run({ [session.inputNames[0]!]: new ort.Tensor('float32', x, [8, SIZE, SIZE, 1]) }))[session.outputNames[0]!]!
      .data as Float32Array;
    await session.release();
    // both output logits (the training softmax is not part of the exported checkpoint)
    const amp = Math.max(...expected.map(Math.abs));
    for (let i = 0; i < expected.length; i++) expect(Math.abs(got[i]! - expected[i]!)).toBeLessThan(1e-5 * amp);
    expect(exported.qdq!.model.graph.nodes.some((n) => n.opType === 'QuantizeLinear')).toBe(true);
    expect(exported.fp32.model.graph.nodes.some((n) => n.opType === 'Softmax')).toBe(false);

    // Every epoch logs the calibrator disagreement of each activation tensor, largest first.
    for (const h of straight.history) {
      const d = h.calibratorDisagreement!;
      expect(d.length).toBeGreaterThan(2);
      expect(d.every((t, i) => t.ratio >= 1 && (i === 0 || t.ratio <= d[i - 1]!.ratio))).toBe(true);
    }
    // FP (no fake-quant layers) is probed on the same tensors of its deployed float model.
    const fp = await trainMethod({ ...base('fp', 'fp'), epochs: 1 });
    const layers = (h: { calibratorDisagreement?: readonly { layer: string }[] }) => h.calibratorDisagreement!.map((t) => t.layer).sort();
    expect(layers(fp.history[0]!)).toEqual(layers(straight.history[0]!));
    fp.quantized.dispose();

    const histograms = weightHistograms(resumed.quantized);
    expect(histograms.map((h) => h.layer)).toEqual(['conv1', 'conv2', 'head']);
    for (const h of histograms) {
      expect(h.before.reduce((a, b) => a + b, 0)).toBe(h.after.reduce((a, b) => a + b, 0));
      expect(h.scaleInflationAfter).toBeLessThanOrEqual(h.scaleInflationBefore);
    }
    straight.quantized.dispose();
    resumed.quantized.dispose();
    exported.float.dispose();
  }, 240_000);

  it("blank-response suppression (decoupled): the blank responses reach 0 where the paper recipe's stay positive, and a resumed run is bit-identical", async () => {
    const recipe = { blankSuppression: { weight: 1, stepSize: 0.5 } }; // the CLI's default mode: decoupled
    const plain = await trainMethod(base('quant-trim', 'blank-plain'));
    const straight = await trainMethod({ ...base('quant-trim', 'blank-straight'), recipe });
    const responses = (t: typeof plain) => {
      const probe = attachBlankSuppression(t.quantized);
      const r = probe.responses();
      probe.detach();
      return r;
    };
    const sum = (a: number[]) => a.reduce((x, y) => x + y, 0);
    // The penalty is off the model once training returns: the loss layers are as before.
    expect(straight.quantized.model.layers.every((l) => l.losses.length === 0)).toBe(true);
    expect(responses(straight).every((r) => r === 0)).toBe(true);
    expect(sum(responses(plain))).toBeGreaterThan(0);
    const controller = new AbortController();
    const interrupted = { ...base('quant-trim', 'blank-resumed'), recipe };
    const error = await trainMethod({ ...interrupted, signal: controller.signal, reporter: { onProgress: (e) => e.done === 20 && controller.abort() } }).catch(
      (e: unknown) => e,
    );
    expect(isQuantTrimError(error, 'QT_INTERRUPTED')).toBe(true);
    const resumed = await trainMethod({ ...interrupted, resume: true });
    expect(resumed.quantized.model.getWeights().map((w) => Array.from(w.dataSync()))).toEqual(
      straight.quantized.model.getWeights().map((w) => Array.from(w.dataSync())),
    );
    expect(resumed.history.map((h) => h.loss)).toEqual(straight.history.map((h) => h.loss));
    // A checkpoint trained without the penalty does not resume with it.
    const mismatch = await trainMethod({ ...base('quant-trim', 'blank-plain'), recipe, resume: true }).catch((e: unknown) => e);
    expect((mismatch as Error).message).toMatch(/different settings \(recipe\)/);
    for (const r of [plain, straight, resumed]) r.quantized.dispose();
  }, 240_000);

  it('BatchNorm statistics freeze only when asked (QAT / Quant-Trim), never for FP; the setting is part of the checkpoint fingerprint', async () => {
    const dscnn = () => buildModel('dscnn', { inputShape: [SIZE, SIZE, 1], classes: 10, seed: 0 });
    const movingMeans = (t: TrainResult) =>
      t.quantized.model.weights.filter((w) => w.name.includes('moving_mean')).flatMap((w) => Array.from(w.read().dataSync()));
    const run = (method: TrainOptions['method'], sub: string, freezeBatchNorm?: number | false) =>
      trainMethod({ ...base(method, sub), epochs: 1, build: dscnn, ...(freezeBatchNorm !== undefined ? { freezeBatchNorm } : {}) });
    const free = await run('qat', 'bn-free');
    const frozen = await run('qat', 'bn-frozen', 0);
    const fp = await run('fp', 'bn-fp', 0);
    // Default: batch statistics (which move the moving statistics) until the end.
    expect(free.quantized.state.batchNormFrozen).toBe(false);
    expect(movingMeans(free).some((m) => m !== 0)).toBe(true);
    // Frozen from step 0: the moving statistics never leave their initial 0.
    expect(frozen.quantized.state.batchNormFrozen).toBe(true);
    expect(movingMeans(frozen).every((m) => m === 0)).toBe(true);
    // FP never freezes, whatever is asked.
    expect(fp.quantized.state.batchNormFrozen).toBe(false);
    expect(movingMeans(fp).some((m) => m !== 0)).toBe(true);
    // A checkpoint trained without freezing does not resume with it.
    const mismatch = await trainMethod({ ...base('qat', 'bn-free'), epochs: 1, build: dscnn, freezeBatchNorm: 0.5, resume: true }).catch((e: unknown) => e);
    expect((mismatch as Error).message).toMatch(/different settings \(freezeBatchNorm\)/);
    for (const r of [free, frozen, fp]) r.quantized.dispose();
  }, 240_000);

  it('blank-response suppression on a model without spatial activations (mlp): nothing to do, no warning, training goes on', async () => {
    const warnings: string[] = [];
    const mlp = await trainMethod({
      ...base('quant-trim', 'blank-mlp'),
      epochs: 1,
      build: () => buildModel('mlp', { inputShape: [SIZE, SIZE, 1], classes: 10, seed: 0 }),
      recipe: { blankSuppression: { stepSize: 0.5 } },
      reporter: { onWarning: (m) => warnings.push(m) },
    });
    expect(warnings).toEqual([]);
    expect(mlp.history).toHaveLength(1);
    mlp.quantized.dispose();
  }, 240_000);
});

describe('trainMethod: trimming schedule', () => {
  it('trim.strength replaces λ as the trimming strength (constant 0: nothing trimmed; constant 1: p_max from the first step)', async () => {
    await initTrainingBackend({ backend: 'wasm' });
    const dir = mkdtempSync(join(tmpdir(), 'qt-cli-trim-'));
    try {
      const data = syntheticDataset(480, 160, SIZE);
      const run = (strength: { type: 'constant'; value: number }, sub: string) =>
        trainMethod({
          method: 'quant-trim',
          build,
          dataset: data,
          epochs: 1,
          batchSize: 32,
          learningRate: 3e-3,
          seed: 1,
          scheme: { weights: 'int8-sym-per-channel', activations: 'uint8-asym-per-tensor' },
          trim: { refreshEvery: 1, strength },
          dir: join(dir, sub),
        });
      const off = await run({ type: 'constant', value: 0 }, 'off');
      const full = await run({ type: 'constant', value: 1 }, 'full');
      expect(off.schedule.every((s) => s.trim === 0)).toBe(true);
      // λ starts at 0 (curriculum) but trimming is already at full strength
      expect(full.schedule[0]!.lambda).toBe(0);
      expect(full.schedule[0]!.trim).toBeGreaterThan(0);
      off.quantized.dispose();
      full.quantized.dispose();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 120_000);
});
