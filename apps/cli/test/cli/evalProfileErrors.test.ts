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

  const gemm = (classes: number, qdq: boolean) =>
    buildModel({
      opset: 13,
      nodes: [
        { opType: 'Flatten', inputs: ['x'], outputs: ['flat'] },
        ...(qdq
          ? [
              { opType: 'QuantizeLinear', inputs: ['flat', 's', 'z'], outputs: ['q'] },
              { opType: 'DequantizeLinear', inputs: ['q', 's', 'z'], outputs: ['dq'] },
            ]
          : []),
        { opType: 'MatMul', inputs: [qdq ? 'dq' : 'flat', 'fc.weight'], outputs: ['logits'] },
      ],
      inputs: [{ name: 'x', dataType: DataType.FLOAT, dims: [1, 28, 28, 1] }],
      outputs: [{ name: 'logits', dataType: DataType.FLOAT, dims: [1, classes] }],
      initializers: [
        {
          name: 'fc.weight',
          dataType: DataType.FLOAT,
          dims: [784, classes],
          values: Float32Array.from({ length: 784 * classes }, (_, i) => ((i % 7) - 3) / 100),
        },
        { name: 's', dataType: DataType.FLOAT, dims: [], values: [1 / 255] },
        { name: 'z', dataType: DataType.UINT8, dims: [], values: [0] },
      ],
    });

  it('refuses an already-quantized (QDQ) model and a classifier with another class count (exit 3, before evaluating)', async () => {
    const dir = tempDir('eval-refusals');
    writeFileSync(join(dir, 'qdq.onnx'), gemm(10, true));
    writeFileSync(join(dir, 'five.onnx'), gemm(5, false));
    const q = await run(['eval', 'qdq.onnx', ...FAST_EVAL, '--out', join(dir, 'q')], dir);
    expect(q.code).toBe(3);
    expect(q.stderr).toMatch(/QT_ONNX_INVALID_GRAPH: qdq\.onnx is already quantized \(2 QuantizeLinear \/ DequantizeLinear \/ QLinear\* nodes/);
    const five = await run(['eval', 'five.onnx', ...FAST_EVAL, '--out', join(dir, 'f')], dir);
    expect(five.code).toBe(3);
    expect(five.stderr).toMatch(/QT_ONNX_INVALID_GRAPH: five\.onnx outputs 5 classes, the dataset has 10/);
    expect(existsSync(join(dir, 'f', 'eval-report.json'))).toBe(false);
  }, 300_000);
});
