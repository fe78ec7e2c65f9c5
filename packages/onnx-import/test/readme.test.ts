import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { readmeExample } from '@quant-trim/test-utils';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { torch, trainCnn } from './helpers.js';

afterEach(() => vi.restoreAllMocks());

describe('README', () => {
  it('shows examples/quickstart.ts verbatim', () => {
    const { shown, source } = readmeExample(new URL('../', import.meta.url));
    expect(shown).toBe(source);
  });

  it.skipIf(!torch.ok)('the example imports the PyTorch CNN, fine-tunes it quantized and exports it back to ONNX', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'qt-onnx-import-quickstart-'));
    trainCnn(join(dir, 'cnn.onnx'), { epochs: 1, limit: 1000 });
    process.env['ONNX_MODEL'] = join(dir, 'cnn.onnx');
    const lines: string[] = [];
    vi.spyOn(console, 'log').mockImplementation((...args: unknown[]) => void lines.push(args.join(' ')));
    try {
      await import('../examples/quickstart.js');
      expect(lines[0]).toMatch(/^input \[null,28,28,1\], \d+ parameters$/);
      expect(lines[1]).toMatch(/^exported \d+ ONNX nodes, input \["batch",1,28,28\]$/);
    } finally {
      delete process.env['ONNX_MODEL'];
      rmSync(dir, { recursive: true, force: true });
      await tf.setBackend('cpu');
    }
  });
});
