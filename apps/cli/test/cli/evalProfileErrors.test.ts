import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DataType, buildModel } from '@quant-trim/test-utils/onnx';
import { describe, expect, it } from 'vitest';
import { FAST_EVAL, run, tempDir } from './helpers.js';

describe('eval: a profile that fails is not a success', () => {
  it('exits 3 with QT_PROFILE_FAILED naming each failed profile and its reason, after writing the report', async () => {
    const dir = tempDir('profile-error');
    // GroupNormalization-18 cannot be raised to opset 21 in place (its scale / bias changed meaning),
    // so the two 16-bit profiles, which need opset 21, refuse this model; the other ten run it.
    const bytes = buildModel({
      opset: 18,
      nodes: [
        { opType: 'Flatten', inputs: ['x'], outputs: ['flat'] },
        { opType: 'MatMul', inputs: ['flat', 'fc.weight'], outputs: ['mm'] },
        { opType: 'GroupNormalization', inputs: ['mm', 'gn.scale', 'gn.bias'], outputs: ['logits'], attributes: { num_groups: 2 } },
      ],
      inputs: [{ name: 'x', dataType: DataType.FLOAT, dims: [1, 28, 28, 1] }],
      outputs: [{ name: 'logits', dataType: DataType.FLOAT, dims: [1, 10] }],
      initializers: [
        { name: 'fc.weight', dataType: DataType.FLOAT, dims: [784, 10], values: Float32Array.from({ length: 7840 }, (_, i) => ((i % 7) - 3) / 100) },
        { name: 'gn.scale', dataType: DataType.FLOAT, dims: [2], values: [1, 1] },
        { name: 'gn.bias', dataType: DataType.FLOAT, dims: [2], values: [0, 0] },
      ],
    });
    writeFileSync(join(dir, 'gn.onnx'), bytes);
    const out = join(dir, 'out');
    const r = await run(['eval', 'gn.onnx', ...FAST_EVAL, '--out', out], dir);
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(/QT_PROFILE_FAILED: 2 of 12 profile\(s\) failed: qnn-htp-w8a16: QT_INVALID_ARGUMENT .*GroupNormalization/);
    expect(r.stderr).toMatch(/tflite-16x8: QT_INVALID_ARGUMENT/);
    expect(existsSync(join(out, 'eval-report.json'))).toBe(true);
    expect(r.stdout).toMatch(/^tflite-int8\s+ok/m);
  }, 300_000);
});
