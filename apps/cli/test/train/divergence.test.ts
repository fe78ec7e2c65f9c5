import { existsSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { FAST_TRAIN, run, tempDir } from '../cli/helpers.js';

describe('non-finite training is detected', () => {
  it('a learning rate that blows the weights up stops with QT_TRAINING_DIVERGED (exit 2) naming the weights, and writes no checkpoint', async () => {
    const out = tempDir('diverge');
    const r = await run(['train', '--model', 'mlp', ...FAST_TRAIN, '--lr', '1e30', '--out', out]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/QT_TRAINING_DIVERGED: quant-trim diverged: epoch 1 ended with non-finite weights; non-finite weights in fc1\/kernel/);
    expect(r.stderr).toMatch(/no checkpoint was written/);
    expect(r.stderr).toMatch(/hint: lower the learning rate \(--lr, now 1e\+30\)/);
    expect(existsSync(join(out, 'checkpoints', 'quant-trim', 'latest.json'))).toBe(false);
  }, 300_000);

  it('--resume or export of a checkpoint whose weights hold NaN exits 3 with QT_MODEL_LOAD naming them', async () => {
    const out = tempDir('nan-resume');
    const args = ['train', '--model', 'mlp', ...FAST_TRAIN, '--out', out];
    expect((await run(args)).code).toBe(0);
    const dir = join(out, 'checkpoints', 'quant-trim');
    const latest = JSON.parse(readFileSync(join(dir, 'latest.json'), 'utf8')) as { checkpoint: string };
    const shard = readdirSync(join(dir, latest.checkpoint)).find((f) => f.endsWith('.bin'))!;
    const bytes = readFileSync(join(dir, latest.checkpoint, shard));
    new Float32Array(bytes.buffer, bytes.byteOffset, 4).fill(Number.NaN); // the first weight's first values
    writeFileSync(join(dir, latest.checkpoint, shard), bytes);
    const r = await run([...args, '--resume']);
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(/QT_MODEL_LOAD: cannot resume from .*: it holds non-finite weights \(NaN or infinity\) in \S+/);
    const e = await run(['export', dir, '--out', join(out, 'onnx')]);
    expect(e.code).toBe(3);
    expect(e.stderr).toMatch(/QT_MODEL_LOAD: cannot export .*: it holds non-finite weights \(NaN or infinity\) in \S+/);
    expect(existsSync(join(out, 'onnx', 'quant-trim.fp32.onnx'))).toBe(false);
    expect(existsSync(join(out, 'onnx'))).toBe(false); // no empty output directory either
  }, 300_000);

  it('a batch whose input alone exceeds 1 GiB is refused (exit 2) before anything is allocated; a batch of the whole set trains', async () => {
    const out = tempDir('batch');
    const data = ['--dataset', 'synthetic', '--train-limit', '600', '--test-limit', '200', '--epochs', '1'];
    const big = await run(['train', '--model', 'mlp', ...data, '--batch-size', '1000000', '--out', out]);
    expect(big.code).toBe(2);
    expect(big.stderr).toMatch(/QT_INVALID_ARGUMENT: --batch-size 1000000: one batch of 28×28×1 samples is 2\.9 GiB of input alone \(at most 1 GiB\)/);
    expect(big.stderr).toMatch(/hint: use at most --batch-size 342392;/);
    const whole = await run(['train', '--model', 'mlp', ...data, '--batch-size', '600', '--out', out]);
    expect(whole.stderr).not.toMatch(/error/i);
    expect(whole.code).toBe(0);
  }, 300_000);
});
