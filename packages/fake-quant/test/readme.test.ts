import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
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

  it('the example trains, saves both checkpoints and reports the ranges', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'qt-quickstart-'));
    process.env['QUICKSTART_OUT'] = dir;
    const lines: string[] = [];
    vi.spyOn(console, 'log').mockImplementation((...args: unknown[]) => void lines.push(args.join(' ')));
    try {
      await import('../examples/quickstart.js');
      expect(lines[0]).toMatch(/^epoch 0: loss \d\.\d{3}, λ 0\.\d\d$/);
      expect(lines[1]).toMatch(/^epoch 1: loss \d\.\d{3}, λ 1\.00$/);
      expect(lines[2]).toMatch(/^activation ranges: conv1_input \[0\.00, 1\.00\], conv1 \[0\.00, [\d.]+\], conv2 \[0\.00, [\d.]+\]$/);
      expect(JSON.parse(readFileSync(join(dir, 'qat', 'model.json'), 'utf8')).userDefinedMetadata.quantTrim.controller.step).toBe(16);
      expect(readFileSync(join(dir, 'float', 'model.json'), 'utf8')).not.toContain('QuantTrim');
    } finally {
      delete process.env['QUICKSTART_OUT'];
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
