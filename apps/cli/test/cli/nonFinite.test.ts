import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DataType, buildModel } from '@quant-trim/test-utils/onnx';
import { describe, expect, it } from 'vitest';
import { FAST_EVAL, run, tempDir } from './helpers.js';

describe('eval refuses non-finite weights', () => {
  it('an ONNX file whose initializer holds NaN / infinity exits 3 naming it, and writes no report', async () => {
    const dir = tempDir('nan-onnx');
    const weights = Float32Array.from({ length: 784 * 10 }, (_, i) => ((i % 7) - 3) / 100);
    weights[5] = Number.NaN;
    weights[9] = Number.POSITIVE_INFINITY;
    const bytes = buildModel({
      opset: 13,
      nodes: [
        { opType: 'Flatten', inputs: ['x'], outputs: ['flat'] },
        { opType: 'MatMul', inputs: ['flat', 'fc.weight'], outputs: ['logits'] },
      ],
      inputs: [{ name: 'x', dataType: DataType.FLOAT, dims: [1, 28, 28, 1] }],
      outputs: [{ name: 'logits', dataType: DataType.FLOAT, dims: [1, 10] }],
      initializers: [{ name: 'fc.weight', dataType: DataType.FLOAT, dims: [784, 10], values: weights }],
    });
    writeFileSync(join(dir, 'nan.onnx'), bytes);
    const out = join(dir, 'out');
    const r = await run(['eval', 'nan.onnx', ...FAST_EVAL, '--out', out], dir);
    expect(r.code).toBe(3);
    expect(r.stderr).toMatch(/QT_ONNX_INVALID_GRAPH: nan\.onnx: non-finite weights \(NaN or infinity\) in 'fc\.weight' \(2 of 7840 values\)/);
    expect(existsSync(join(out, 'eval-report.json'))).toBe(false);
  }, 300_000);
});
