import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { run, tempDir } from './helpers.js';

const ONE_STEP = [
  '--dataset',
  'synthetic',
  '--model',
  'mlp',
  '--train-limit',
  '64',
  '--test-limit',
  '100',
  '--batch-size',
  '64',
  '--epochs',
  '1',
  '--runtimes',
  'none',
  '--profiles',
  'tflite-int8',
  '--calibration-samples',
  '32',
];

describe('one training step', () => {
  it('compare with a batch equal to the training set trains, evaluates and writes its report (once crashed with "already disposed")', async () => {
    const out = join(tempDir('one-step'), 'out');
    const { code, stderr } = await run(['compare', ...ONE_STEP, '--seeds', '1', '--out', out]);
    expect(stderr).toBe('');
    expect(code).toBe(0);
    const report = JSON.parse(readFileSync(join(out, 'report.json'), 'utf8')) as { methods: { method: string }[] };
    expect(report.methods.map((m) => m.method)).toEqual(['fp', 'qat', 'quant-trim']);
    expect(existsSync(join(out, 'report.html'))).toBe(true);
  }, 240_000);
});
