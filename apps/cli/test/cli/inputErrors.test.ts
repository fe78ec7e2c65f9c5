import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DataType, buildModel } from '@quant-trim/test-utils/onnx';
import { describe, expect, it } from 'vitest';
import { FAST_EVAL, FAST_TRAIN, run, tempDir } from './helpers.js';

const PNG = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13, 0x49, 0x48, 0x44, 0x52]);

/** A 784 → 10 classifier whose last node is `com.example:FusedGelu` (a custom exporter's op). */
function customDomainModel(): Uint8Array {
  return buildModel({
    opset: 13,
    nodes: [
      { opType: 'Flatten', inputs: ['x'], outputs: ['flat'] },
      { opType: 'MatMul', inputs: ['flat', 'fc.weight'], outputs: ['mm'] },
      { opType: 'FusedGelu', inputs: ['mm'], outputs: ['logits'], domain: 'com.example' },
    ],
    inputs: [{ name: 'x', dataType: DataType.FLOAT, dims: [1, 28, 28, 1] }],
    outputs: [{ name: 'logits', dataType: DataType.FLOAT, dims: [1, 10] }],
    initializers: [
      { name: 'fc.weight', dataType: DataType.FLOAT, dims: [784, 10], values: Float32Array.from({ length: 7840 }, (_, i) => ((i % 7) - 3) / 100) },
    ],
  });
}

describe("user input is an input or usage error, in the user's words, with a hint", () => {
  it('a PNG given as .onnx to inspect, eval and train says it is a PNG (exit 3, hint), and leaves no output directory', async () => {
    const dir = tempDir('png-onnx');
    writeFileSync(join(dir, 'digit.onnx'), PNG);
    for (const argv of [
      ['inspect', 'digit.onnx'],
      ['eval', 'digit.onnx', ...FAST_EVAL, '--out', 'eval-out'],
      ['train', '--model', 'digit.onnx', ...FAST_TRAIN, '--out', 'train-out'],
    ]) {
      const r = await run(argv, dir);
      expect(r.code, argv[0]).toBe(3);
      expect(r.stderr).toMatch(/^error QT_ONNX_DECODE: digit\.onnx is a PNG image, not an ONNX model$/m);
      expect(r.stderr).toMatch(/^hint: images go to --dataset/m);
    }
    expect(existsSync(join(dir, 'eval-out'))).toBe(false);
    expect(existsSync(join(dir, 'train-out'))).toBe(false);
  }, 300_000);

  it('eval of a model with a custom-domain op exits 3 naming the node, before any evaluation', async () => {
    const dir = tempDir('custom-op');
    writeFileSync(join(dir, 'custom.onnx'), customDomainModel());
    const r = await run(['eval', 'custom.onnx', ...FAST_EVAL, '--out', 'out'], dir);
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(
      /^error QT_UNSUPPORTED_OP: custom\.onnx: 1 node\(s\) use ops of the custom domain com\.example, which ONNX Runtime and the backend profiles cannot run: 'n2' \(com\.example:FusedGelu\)$/m,
    );
    expect(r.stderr).toMatch(/^hint: export the model with standard ONNX ops only/m);
    expect(existsSync(join(dir, 'out'))).toBe(false);
    const t = await run(['train', '--model', 'custom.onnx', ...FAST_TRAIN, '--out', 'train-out'], dir);
    expect(t.code).toBe(3);
    expect(t.stderr).toMatch(/^error QT_IMPORT_UNSUPPORTED_OP: custom\.onnx: 1 node\(s\) cannot be imported/m);
    expect(t.stderr).toMatch(/^hint: /m);
  }, 300_000);

  it('--resume over a 0-byte weights.bin, and export of it, exit 3 saying the file is empty', async () => {
    const out = join(tempDir('empty-weights'), 'out');
    const args = ['train', '--model', 'mlp', '--method', 'fp', ...FAST_TRAIN, '--out', out];
    expect((await run(args)).code).toBe(0);
    const dir = join(out, 'checkpoints', 'fp');
    const latest = JSON.parse(readFileSync(join(dir, 'latest.json'), 'utf8')) as { checkpoint: string };
    writeFileSync(join(dir, latest.checkpoint, 'weights.bin'), new Uint8Array(0));
    const r = await run([...args, '--resume']);
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(
      /^error QT_MODEL_LOAD: --resume: cannot load the checkpoint .*epoch-1: weights\.bin is empty \(0 bytes\), model\.json needs [\d,]+: the checkpoint is truncated$/m,
    );
    expect(r.stderr).toMatch(/^hint: rerun with --force instead of --resume to start over/m);
    const onnx = join(out, 'onnx');
    const e = await run(['export', dir, '--out', onnx]);
    expect(e.code).toBe(3);
    expect(e.stderr).toMatch(/^error QT_MODEL_LOAD: cannot load the checkpoint .*epoch-1: weights\.bin is empty \(0 bytes\)/m);
    expect(e.stderr).toMatch(/^hint: /m);
    expect(existsSync(onnx)).toBe(false);
  }, 300_000);

  it('an empty test split exits 3 instead of reporting "test accuracy 0.00 %"', async () => {
    const dir = tempDir('empty-test');
    // 3 samples of each of 2 classes: a 1/7 test share rounds to none.
    const rows = Array.from({ length: 6 }, (_, i) => [i % 2, ...Array.from({ length: 16 }, (_, k) => (i * 37 + k * 11) % 256)].join(','));
    writeFileSync(join(dir, 'tiny.csv'), `${rows.join('\n')}\n`);
    const r = await run(['train', '--model', 'mlp', '--method', 'fp', '--dataset', 'tiny.csv', '--epochs', '1', '--out', 'out'], dir);
    expect(r.code).toBe(3);
    expect(r.stdout).not.toMatch(/test accuracy/);
    expect(r.stderr).toMatch(
      /^error QT_DATASET_CORRUPT: --dataset tiny\.csv: the test split is empty \(6 training samples, 0 test samples; .*\), so no accuracy can be measured$/m,
    );
    expect(r.stderr).toMatch(/^hint: give the dataset more samples/m);
    expect(existsSync(join(dir, 'out'))).toBe(false);
  }, 300_000);

  it('a --dataset loadDataset cannot read names the flag, not the library function', async () => {
    const dir = tempDir('dataset-words');
    writeFileSync(join(dir, 'photo.png'), PNG);
    const r = await run(['train', '--dataset', 'photo.png', '--out', 'out'], dir);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(
      /^error QT_INVALID_ARGUMENT: --dataset: .*photo\.png is a file but not a \.csv, \.npz or \.npy file \(for images, pass the folder that holds them\)$/m,
    );
    expect(r.stderr).not.toMatch(/loadDataset/);
    expect(r.stderr).toMatch(/^hint: pass one of mnist/m);
    expect(existsSync(join(dir, 'out'))).toBe(false);
  });

  it('--epochs -1 names the flag (exit 2), not "Unknown option `-1`"', async () => {
    const dir = tempDir('negative');
    const r = await run(['train', '--epochs', '-1', '--out', 'out'], dir);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^error QT_INVALID_ARGUMENT: --epochs: expected an integer ≥ 1, got -1$/m);
    expect(r.stderr).not.toMatch(/Unknown option/);
    expect(r.stderr).toMatch(/^hint: /m);
    const lr = await run(['train', '--lr', '-0.5', '--out', 'out'], dir);
    expect(lr.code).toBe(2);
    expect(lr.stderr).toMatch(/^error QT_INVALID_ARGUMENT: --lr: /m);
    // a boolean flag before a negative number is still an unknown option
    const bool = await run(['train', '--resume', '-1', '--out', 'out'], dir);
    expect(bool.code).toBe(2);
    expect(bool.stderr).toMatch(/Unknown option `-1`/);
    expect(existsSync(join(dir, 'out'))).toBe(false);
  });
});
