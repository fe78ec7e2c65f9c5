import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readmeExample } from '@quant-trim/test-utils';
import { afterEach, describe, expect, it, vi } from 'vitest';

afterEach(() => vi.restoreAllMocks());

describe('README', () => {
  it('shows examples/quickstart.ts verbatim', () => {
    const { shown, source } = readmeExample(new URL('../', import.meta.url));
    expect(shown).toBe(source);
  });

  it('the example exports, verifies and saves FP32 and QDQ models and edits the graph', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'qt-onnx-quickstart-'));
    process.env['QUICKSTART_OUT'] = dir;
    const lines: string[] = [];
    vi.spyOn(console, 'log').mockImplementation((...args: unknown[]) => void lines.push(args.join(' ')));
    try {
      await import('../examples/quickstart.js');
      expect(lines[0]).toMatch(/^fp32: max relative error \d\.\de-\d+, ok true$/);
      expect(lines[1]).toMatch(/^qdq: (99\.9|100\.0) % of outputs within one step, top-1 agreement (99\.[5-9]|100\.0) %, ok true$/);
      expect(lines[2]).toMatch(/^encodings: \d+ tensors in model\.qdq\.encodings\.json$/);
      expect(lines[3]).toBe('conv1 output conv1: [1, 8, 26, 26]; outputs now 2');
      expect(readdirSync(dir).sort()).toEqual(['model.fp32.onnx', 'model.qdq.encodings.json', 'model.qdq.onnx']);
    } finally {
      delete process.env['QUICKSTART_OUT'];
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
