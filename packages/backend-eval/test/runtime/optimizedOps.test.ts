import { readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isQuantTrimError } from '@quant-trim/errors';
import { readOnnx } from '@quant-trim/onnx-export';
import { ort } from '@quant-trim/test-utils/onnx';
import { describe, expect, it } from 'vitest';
import { countOps, optimizedOps } from '../../src/runtime/optimizedOps.js';
import { floatModel, qdqModel } from './models.js';

const tempDirs = () => readdirSync(tmpdir()).filter((f) => f.startsWith('quant-trim-ort-'));

/** The graph ORT runs at a raw optimization level (the evidence behind OPTIMIZATION_LEVEL). */
async function opsAtLevel(bytes: Uint8Array, level: 'disabled' | 'basic' | 'extended'): Promise<Record<string, number>> {
  const path = join(tmpdir(), `qt-runtime-test-${process.pid}-${level}.onnx`);
  try {
    const s = await ort.InferenceSession.create(bytes, { graphOptimizationLevel: level, optimizedModelFilePath: path, logSeverityLevel: 3 });
    await s.release();
    return countOps(readOnnx(readFileSync(path)).graph.nodes);
  } finally {
    rmSync(path, { force: true });
  }
}

const WRITTEN = { QuantizeLinear: 2, DequantizeLinear: 6, Conv: 1, Relu: 1, Flatten: 1, Gemm: 1 };

describe('optimizedOps', () => {
  it('shows QDQ fused into an integer conv in native mode and the graph as written in emulate', async () => {
    const before = tempDirs();
    const native = await optimizedOps(qdqModel('real'), 'native');
    const emulate = await optimizedOps(qdqModel('real'), 'emulate');
    expect(native['com.microsoft:QLinearConv']).toBe(1);
    expect(native['Conv']).toBeUndefined();
    expect(emulate).toEqual(WRITTEN);
    expect(tempDirs()).toEqual(before);
  });

  it('leaves a float model without integer ops', async () => {
    const ops = await optimizedOps(floatModel(), 'native');
    expect(Object.keys(ops).some((k) => k.includes('QLinear') || k.includes('Integer'))).toBe(false);
  });

  it('keys ops outside the default domain by domain', () => {
    expect(
      countOps([
        { opType: 'Conv', domain: '' },
        { opType: 'QLinearConv', domain: 'com.microsoft' },
        { opType: 'Conv', domain: 'ai.onnx' },
      ]),
    ).toEqual({ Conv: 2, 'com.microsoft:QLinearConv': 1 });
  });

  it('maps a failed import to QT_BACKEND_UNAVAILABLE and rejects bad threads', async () => {
    await expect(optimizedOps(qdqModel('real'), 'native', 1, { importRuntime: () => Promise.reject(new Error('missing')) })).rejects.toSatisfy((e) =>
      isQuantTrimError(e, 'QT_BACKEND_UNAVAILABLE'),
    );
    await expect(optimizedOps(qdqModel('real'), 'native', 0)).rejects.toSatisfy((e) => isQuantTrimError(e, 'QT_INVALID_ARGUMENT'));
  });
});

describe('ORT levels (why emulate uses `disabled`, not `basic`)', () => {
  it('basic fuses no QDQ group; extended fuses the conv into QLinearConv', async () => {
    const bytes = qdqModel('real');
    expect(await opsAtLevel(bytes, 'disabled')).toEqual(WRITTEN);
    expect(await opsAtLevel(bytes, 'basic')).toEqual(WRITTEN);
    expect(await opsAtLevel(bytes, 'extended')).toEqual({ QuantizeLinear: 1, QLinearConv: 1, DequantizeLinear: 3, Flatten: 1, Gemm: 1 });
  });

  it('basic rewrites a float Conv bias into int32 + DequantizeLinear; disabled keeps it', async () => {
    const bytes = qdqModel('real', { floatBias: true });
    expect(await opsAtLevel(bytes, 'disabled')).toEqual({ ...WRITTEN, DequantizeLinear: 5 });
    expect(await opsAtLevel(bytes, 'basic')).toEqual(WRITTEN);
  });
});
