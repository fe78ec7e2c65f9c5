import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { readOnnx, writeOnnx } from '@quant-trim/onnx-export';
import { defaultRegistry } from '@quant-trim/quant-grid';
import { buildModel, DataType } from '@quant-trim/test-utils/onnx';
import { describe, expect, it } from 'vitest';
import { inspect } from '../../src/commands/inspect/index.js';
import { activationDisagreement, activationTensors } from '../../src/diagnostics/activationDisagreement.js';
import { run, tempDir } from './helpers.js';

const HIDDEN = 512;
const UNIFORM = 256;

/** Deterministic pseudo-random numbers in [-0.5, 0.5) (a sine hash; no Math.random). */
const hash = (k: number, i: number) => {
  const v = Math.sin(k * 12.9898 + i * 78.233) * 43758.5453;
  return v - Math.floor(v) - 0.5;
};

/** The tail unit: GAIN × (z − THRESHOLD), z a random projection of the image like the bulk units'. */
const TAIL = 255;
const GAIN = 200;
const THRESHOLD = 1.6;
/** Pre-ReLU level of units TAIL+1…: spread evenly over [−NEGATIVE, 0], wider than anything else negative. */
const NEGATIVE = GAIN * (THRESHOLD + 4);

/**
 * A float classifier with two planted activation statistics, input `images` [batch, ...dims]:
 *
 *   f = Flatten(images) → h = Gemm(f, W1, b1) → r = Relu(h) → a = Gemm(r, W2) ─┐
 *                       → u = Gemm(f, Wu, bu)              → c = Gemm(u, W3) ─┴→ logits = Add(a, c)
 *
 * `r` (post-ReLU) has a sparse long tail: hidden units 0…254 are random projections z of the
 * image (a half-rectified bulk up to a few units), unit 255 is GAIN × (z − THRESHOLD), which fires
 * for a few images only but then ten times above the bulk. Units 256… are constants spread evenly
 * over [−NEGATIVE, 0]: 0 after the ReLU, a dense negative side before it that no calibrator clips,
 * so the pre-ReLU `h` disagrees much less. W2 divides the gain out again, so `a` and the logits
 * are ordinary. `u` is 256 levels spread evenly over [0, 0.95] plus a small image-dependent
 * jitter: uniform values. W3 is orthogonal to the levels (mirrored, zero-sum rows), so `c` is the
 * jitter only, not ten constants.
 */
function plantedModel(dims: number[], batch: number | string = 'batch'): Uint8Array {
  const size = dims.reduce((a, b) => a * b, 1);
  const w1 = Float32Array.from({ length: HIDDEN * size }, (_, j) => {
    const k = Math.floor(j / size);
    return k > TAIL ? 0 : (k === TAIL ? GAIN : 1) * 0.35 * hash(k, j % size);
  });
  const b1 = Float32Array.from({ length: HIDDEN }, (_, k) =>
    k < TAIL ? 0 : k === TAIL ? -GAIN * THRESHOLD : (-NEGATIVE * (k - TAIL - 0.5)) / (HIDDEN - TAIL - 1),
  );
  const w2 = Float32Array.from({ length: 10 * HIDDEN }, (_, j) => (0.2 * hash(j, 7)) / (j % HIDDEN === TAIL ? GAIN : 1));
  const wu = Float32Array.from({ length: UNIFORM * size }, (_, j) => 0.003 * hash(1000 + Math.floor(j / size), j % size));
  const bu = Float32Array.from({ length: UNIFORM }, (_, k) => (0.95 * k) / (UNIFORM - 1));
  const w3 = new Float32Array(10 * UNIFORM);
  for (let row = 0; row < 10; row++) {
    const half = Array.from({ length: UNIFORM / 2 }, (_, k) => hash(row, 500 + k));
    const mean = half.reduce((x, y) => x + y, 0) / half.length;
    for (let k = 0; k < UNIFORM; k++) w3[row * UNIFORM + k] = half[Math.min(k, UNIFORM - 1 - k)]! - mean;
  }
  const m = readOnnx(
    buildModel({
      opset: 13,
      inputs: [{ name: 'images', dataType: DataType.FLOAT, dims: [1, ...dims] }],
      outputs: [{ name: 'logits', dataType: DataType.FLOAT, dims: [1, 10] }],
      initializers: [
        { name: 'w1', dataType: DataType.FLOAT, dims: [HIDDEN, size], values: w1 },
        { name: 'b1', dataType: DataType.FLOAT, dims: [HIDDEN], values: b1 },
        { name: 'w2', dataType: DataType.FLOAT, dims: [10, HIDDEN], values: w2 },
        { name: 'wu', dataType: DataType.FLOAT, dims: [UNIFORM, size], values: wu },
        { name: 'bu', dataType: DataType.FLOAT, dims: [UNIFORM], values: bu },
        { name: 'w3', dataType: DataType.FLOAT, dims: [10, UNIFORM], values: w3 },
      ],
      nodes: [
        { opType: 'Flatten', inputs: ['images'], outputs: ['f'] },
        { opType: 'Gemm', inputs: ['f', 'w1', 'b1'], outputs: ['h'], attributes: { transB: 1 } },
        { opType: 'Relu', inputs: ['h'], outputs: ['r'] },
        { opType: 'Gemm', inputs: ['r', 'w2'], outputs: ['a'], attributes: { transB: 1 } },
        { opType: 'Gemm', inputs: ['f', 'wu', 'bu'], outputs: ['u'], attributes: { transB: 1 } },
        { opType: 'Gemm', inputs: ['u', 'w3'], outputs: ['c'], attributes: { transB: 1 } },
        { opType: 'Add', inputs: ['a', 'c'], outputs: ['logits'] },
      ],
    }),
  );
  m.graph.inputs[0]!.shape![0] = batch;
  m.graph.outputs[0]!.shape![0] = batch;
  return writeOnnx(m);
}

const DATA = ['--dataset', 'synthetic', '--train-limit', '600', '--calibration-samples', '128', '--profiles', 'tflite-int8'];
const ctx = (cwd: string) => ({ cwd, reporter: {}, argv: [] });

describe('quant-trim inspect --dataset: calibrator disagreement per activation tensor', () => {
  const dir = tempDir('inspect-disagreement');
  const file = join(dir, 'planted.onnx');
  writeFileSync(file, plantedModel([28, 28, 1]));

  it('lists the input and the float tensors around quantizable ops, not initializers or the Flatten copy of the input', () => {
    const listed = activationTensors(readOnnx(plantedModel([28, 28, 1])));
    expect(listed.map((t) => t.name)).toEqual(['images', 'h', 'r', 'a', 'u', 'c', 'logits']);
    expect(listed.find((t) => t.name === 'images')!.kind).toBe('input');
    expect(listed.find((t) => t.name === 'logits')).toMatchObject({ kind: 'output', op: 'Add' });
    expect(listed.find((t) => t.name === 'r')).toMatchObject({ kind: 'activation', op: 'Relu' });
  });

  it('the planted post-ReLU tail tops the list; entropy clips it far below min/max; uniform values agree', async () => {
    const result = await inspect(file, { dataset: 'synthetic', trainLimit: 600, calibrationSamples: 128, profiles: 'tflite-int8' }, ctx(dir));
    const d = result.disagreement!;
    expect(d).toMatchObject({ dataset: 'synthetic', seed: 0, samples: 128, scheme: 'uint8-asym-per-tensor', layout: 'NHWC', top: 10, skipped: [] });
    expect(d.tensors.map((t) => t.name).sort()).toEqual(['a', 'c', 'h', 'images', 'logits', 'r', 'u']);
    // Sorted by ratio, largest first.
    for (let i = 1; i < d.tensors.length; i++) expect(d.tensors[i - 1]!.ratio).toBeGreaterThanOrEqual(d.tensors[i]!.ratio);

    const r = d.tensors[0]!;
    expect(r.name).toBe('r');
    expect(r.ratio).toBeGreaterThan(8);
    expect(r.sampleShape).toEqual([HIDDEN]);
    expect(r.count).toBe(128 * HIDDEN);
    const by = (m: string) => r.methods.find((c) => c.method === m)!;
    expect(r.methods.map((m) => m.method)).toEqual(['minmax', 'mean-minmax', 'percentile', 'entropy', 'mse', 'sqnr', 'pow2']);
    expect(by('minmax').range[0]).toBe(0);
    expect(by('minmax').clipped).toBe(0);
    // Entropy (TensorRT) keeps a fraction of min/max's range and clips the tail.
    expect(by('entropy').range[1]).toBeLessThan(by('minmax').range[1] / 6);
    expect(by('entropy').clipped).toBeGreaterThan(0);
    expect(by('entropy').clipped).toBeLessThan(0.001);
    expect(r.widest).not.toBe('entropy');
    // The pre-ReLU tensor has the same tail but a dense negative side every method keeps.
    expect(d.tensors.find((t) => t.name === 'h')!.ratio).toBeLessThan(r.ratio / 3);

    const u = d.tensors.find((t) => t.name === 'u')!;
    expect(u.ratio).toBeGreaterThanOrEqual(1);
    expect(u.ratio).toBeLessThan(1.15);
    for (const m of u.methods) expect(m.clipped).toBeLessThan(0.05);
  });

  it('prints the top tensors as a table after the coverage; --top limits the rows', async () => {
    const out = await run(['inspect', file, ...DATA, '--top', '2'], dir);
    expect(out.stderr).toBe('');
    expect(out.code).toBe(0);
    expect(out.stdout).toMatch(/^tflite-int8\s/m);
    expect(out.stdout).toMatch(
      /calibrator disagreement — 128 calibration samples of synthetic \(seed 0, NHWC\), uint8-asym-per-tensor grid: 7 activation tensors, top 2 by ratio/,
    );
    expect(out.stdout).toMatch(/^tensor\s+op\s+ratio\s+minmax\s+mean-minmax\s+percentile\s+entropy\s+mse\s+sqnr\s+pow2$/m);
    const rows = out.stdout.split('\n').filter((l) => /^\S+\s+\S+.*\s\d+\.\d\d×\s/.test(l));
    expect(rows).toHaveLength(2);
    expect(rows[0]).toMatch(/^r\s+Relu\s+\d+\.\d\d×\s+0…\d+(\.\d+)? \(0%\)/);
  });

  it('NCHW (PyTorch-layout) models get the same slice in their own layout; a different --seed picks another slice', async () => {
    const nchw = join(dir, 'nchw.onnx');
    writeFileSync(nchw, plantedModel([1, 28, 28]));
    const a = (await inspect(file, { dataset: 'synthetic', trainLimit: 600, calibrationSamples: 64, profiles: 'tflite-int8' }, ctx(dir))).disagreement!;
    const b = (await inspect(nchw, { dataset: 'synthetic', trainLimit: 600, calibrationSamples: 64, profiles: 'tflite-int8' }, ctx(dir))).disagreement!;
    expect(b.layout).toBe('NCHW');
    // One channel: NCHW and NHWC share the memory order, so the same weights see the same pixels.
    expect(b.tensors.map((t) => [t.name, t.ratio])).toEqual(a.tensors.map((t) => [t.name, t.ratio]));
    const other = (await inspect(file, { dataset: 'synthetic', trainLimit: 600, calibrationSamples: 64, seed: 3, profiles: 'tflite-int8' }, ctx(dir)))
      .disagreement!;
    expect(other.seed).toBe(3);
    const range = (x: typeof a) => x.tensors.find((t) => t.name === 'r')!.methods.find((m) => m.method === 'minmax')!.range[1];
    expect(range(other)).not.toBe(range(a));
  });

  it('--activations changes the grid; bad flags are coded usage errors naming the flag', async () => {
    const sym = (
      await inspect(
        file,
        { dataset: 'synthetic', trainLimit: 600, calibrationSamples: 32, activations: 'int8-sym-per-tensor', profiles: 'tflite-int8' },
        ctx(dir),
      )
    ).disagreement!;
    expect(sym.scheme).toBe('int8-sym-per-tensor');
    const grid = sym.tensors.find((t) => t.name === 'r')!.methods.find((m) => m.method === 'minmax')!.grid;
    expect(grid[0]).toBeLessThan(0);
    expect(grid[0]).toBeCloseTo((-grid[1] * 128) / 127, 3);

    const top = await run(['inspect', file, ...DATA, '--top', '0'], dir);
    expect(top.code).toBe(2);
    expect(top.stderr).toMatch(/^error QT_INVALID_ARGUMENT: --top: expected an integer ≥ 1, got "?0"?/);
    const samples = await run(['inspect', file, ...DATA.slice(0, 4), '--calibration-samples', '0'], dir);
    expect(samples.code).toBe(2);
    expect(samples.stderr).toMatch(/^error QT_INVALID_ARGUMENT: --calibration-samples: /);
    const preset = await run(['inspect', file, ...DATA, '--activations', 'int7-bogus'], dir);
    expect(preset.code).toBe(2);
    expect(preset.stderr).toMatch(/^error QT_INVALID_ARGUMENT: --activations: unknown scheme "int7-bogus"/);
    const orphan = await run(['inspect', file, '--top', '3'], dir);
    expect(orphan.code).toBe(2);
    expect(orphan.stderr).toMatch(/^error QT_INVALID_ARGUMENT: --top applies to the calibrator-disagreement diagnostic, which needs --dataset/);
    const noData = await run(['inspect', file, '--dataset', join(dir, 'no-such-data')], dir);
    expect(noData.code).toBe(3);
    expect(noData.stderr).toMatch(/no-such-data/);
    const misfit = join(dir, 'misfit.onnx');
    writeFileSync(misfit, plantedModel([3, 32, 32]));
    const bad = await run(['inspect', misfit, ...DATA], dir);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/misfit\.onnx: the model's input \[batch, 3, 32, 32\] does not fit synthetic samples of 28×28×1/);
  });

  it('captures in several passes under a small memory budget, and in whole batches for a fixed batch size, with the same results', async () => {
    const x = Float32Array.from({ length: 10 * 784 }, (_, i) => Math.max(0, hash(i, 3) * 2));
    const scheme = defaultRegistry.scheme('uint8-asym-per-tensor');
    const data = { x, count: 10, sampleShape: [28, 28, 1] };
    const once = await activationDisagreement(readOnnx(plantedModel([28, 28, 1])), data, scheme);
    const passes = await activationDisagreement(readOnnx(plantedModel([28, 28, 1])), data, scheme, { budgetBytes: 1, batchSize: 3 });
    expect(passes).toEqual(once);
    const fixed = await activationDisagreement(readOnnx(plantedModel([28, 28, 1], 4)), data, scheme);
    expect(fixed.samples).toBe(8);
    const first8 = await activationDisagreement(readOnnx(plantedModel([28, 28, 1])), { ...data, x: x.subarray(0, 8 * 784), count: 8 }, scheme);
    expect(fixed.tensors).toEqual(first8.tensors);
  });

  it('without --dataset the output is the existing one', async () => {
    const out = await run(['inspect', file, '--profiles', 'tflite-int8'], dir);
    expect(out.code).toBe(0);
    expect(out.stdout).toMatch(/MACs per sample/);
    expect(out.stdout).not.toMatch(/calibrator disagreement/);
    expect(await inspect(file, { profiles: 'tflite-int8' }, ctx(dir))).not.toHaveProperty('disagreement');
  });
});
