import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { FAST_EVAL, linearClassifier, run, tempDir } from './helpers.js';

describe('quant-trim eval: models in other layouts', () => {
  it('feeds NCHW (PyTorch) and flat inputs in the layout the model declares', async () => {
    const dir = tempDir('layouts');
    const results: Record<string, number> = {};
    for (const [name, dims] of [
      ['nhwc', [28, 28, 1]],
      ['nchw', [1, 28, 28]],
      ['flat', [784]],
    ] as const) {
      const file = join(dir, `${name}.onnx`);
      writeFileSync(file, linearClassifier([...dims]));
      const out = await run(['eval', file, ...FAST_EVAL, '--profiles', 'tflite-int8', '--out', join(dir, name), '--json']);
      expect(out.code, out.stderr).toBe(0);
      const events = out.stdout
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l) as { type: string; accuracy?: number });
      results[name] = events.find((e) => e.type === 'eval-end')!.accuracy!;
    }
    // Same weights applied to the same pixels in each layout's own order: flat and NHWC read the
    // same memory order, so they agree exactly; NCHW of a 1-channel image is that order too.
    expect(results['flat']).toBe(results['nhwc']);
    expect(results['nchw']).toBe(results['nhwc']);
  });

  it('a model whose input does not fit the dataset is a usage error naming both shapes', async () => {
    const dir = tempDir('layout-bad');
    const file = join(dir, 'bad.onnx');
    writeFileSync(file, linearClassifier([3, 32, 32]));
    const out = await run(['eval', file, ...FAST_EVAL, '--profiles', 'tflite-int8', '--out', join(dir, 'o')]);
    expect(out.code).toBe(2);
    expect(out.stderr).toMatch(/the model's input \[batch, 3, 32, 32\] does not fit synthetic samples of 28×28×1/);
  });
});

describe('inputLayout / toLayout', () => {
  it('transposes multi-channel NHWC samples into NCHW element by element', async () => {
    const { inputLayout, toLayout } = await import('../../src/commands/eval/index.js');
    const d = { name: 'rgb', sampleShape: [2, 2, 3] as const } as unknown as Parameters<typeof toLayout>[2];
    expect(inputLayout(['N', 3, 2, 2], d)).toEqual({ layout: 'NCHW', sampleShape: [3, 2, 2] });
    expect(inputLayout(['N', 2, 2, 3], d)).toEqual({ layout: 'NHWC', sampleShape: [2, 2, 3] });
    expect(inputLayout(['N', 12], d)).toEqual({ layout: 'flat', sampleShape: [12] });
    expect(inputLayout(['N', 'h', 'w', 'c'], d)).toEqual({ layout: 'NHWC', sampleShape: [2, 2, 3] });
    // two samples; value = 100·n + 10·pixel + channel
    const nhwc = Float32Array.from({ length: 24 }, (_, i) => 100 * Math.floor(i / 12) + 10 * Math.floor((i % 12) / 3) + (i % 3));
    const nchw = toLayout(nhwc, 2, d, 'NCHW');
    for (let n = 0; n < 2; n++) for (let c = 0; c < 3; c++) for (let p = 0; p < 4; p++) expect(nchw[n * 12 + c * 4 + p]).toBe(100 * n + 10 * p + c);
    expect(toLayout(nhwc, 2, d, 'flat')).toBe(nhwc);
  });
});
