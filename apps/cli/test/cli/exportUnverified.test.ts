import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { FAST_TRAIN, run, tempDir } from './helpers.js';

// verifyExport reports a mismatch (as an exporter bug would): the export must not be written.
vi.mock('@quant-trim/onnx-export/node', async (importOriginal) => {
  const actual = await importOriginal<typeof import('@quant-trim/onnx-export/node')>();
  return { ...actual, verifyExport: async () => ({ ok: false, maxRelativeError: 0.25, top1Agreement: 0.5 }) };
});

describe('export writes nothing that did not verify', () => {
  it('a QDQ / FP32 export that fails verifyExport exits with QT_EXPORT_UNVERIFIED and leaves no file and no directory', async () => {
    const dir = tempDir('unverified');
    const out = join(dir, 'out');
    expect((await run(['train', '--model', 'mlp', '--method', 'qat', ...FAST_TRAIN, '--out', out])).code).toBe(0);
    const onnx = join(dir, 'onnx');
    const r = await run(['export', join(out, 'checkpoints', 'qat'), '--format', 'qdq', '--out', onnx]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(
      /^error QT_EXPORT_UNVERIFIED: verifyExport: the qdq export of .*epoch-1 does not match its tfjs model \(max relative error 2\.50e-1, top-1 agreement 50\.0 %\); nothing was written$/m,
    );
    expect(r.stderr).toMatch(/^hint: this is a bug in the exporter/m);
    expect(existsSync(join(onnx, 'qat.qdq.onnx'))).toBe(false);
    expect(existsSync(onnx)).toBe(false);
  }, 300_000);
});
