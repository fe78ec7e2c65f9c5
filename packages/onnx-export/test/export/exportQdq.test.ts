import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { quantizeModel } from '@quant-trim/fake-quant';
import { ort } from '@quant-trim/test-utils/onnx';
import { beforeAll, describe, expect, it } from 'vitest';
import { exportOnnx } from '../../src/export/exportOnnx.js';
import { readOnnx } from '../../src/graph/readOnnx.js';
import { verifyExport } from '../../src/node/verifyExport.js';
import { exactIntegerKernels } from '@quant-trim/test-utils/onnx';
import { cnn, dscnn, mlp, random, seed } from './models.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

/** A fake-quant copy at λ = 1 with observers calibrated on a few batches. */
function calibrated(build: () => tf.LayersModel, shape: number[], weights: string) {
  const q = quantizeModel(seed(build(), 3), { weights, activations: 'uint8-asym-per-tensor' });
  for (let i = 0; i < 4; i++) tf.tidy(() => void q.model.apply(random(shape, 20 + i), { training: true }));
  return q;
}

const models: [string, () => tf.LayersModel, number[]][] = [
  ['MLP', mlp, [64, 20]],
  ['CNN', cnn, [32, 13, 11, 2]],
  ['DS-CNN with residual Add', dscnn, [32, 12, 12, 3]],
];
const grids: [string, string, number][] = [
  ['int8 per-tensor', 'int8-sym-per-tensor', 13],
  ['int8 per-channel', 'int8-sym-per-channel', 13],
  ['int4 per-channel in int8 containers', 'int4-sym-per-channel', 13],
  ['int4 per-channel as INT4 (opset 21)', 'int4-sym-per-channel', 21],
];

describe('exportOnnx QDQ: ONNX Runtime matches the fake-quant model at λ = 1', () => {
  for (const [title, build, shape] of models) {
    for (const [grid, weights, opset] of grids) {
      it(`${title}, ${grid}: ≥ 99.9 % of outputs within one step, top-1 ≥ 99.5 %`, async () => {
        const q = calibrated(build, shape, weights);
        const exported = exportOnnx(q.model, { format: 'qdq', opset });
        const result = await verifyExport(q.model, exported.bytes(), random(shape, 99));
        expect(result.withinOneStep, JSON.stringify(result)).toBeGreaterThanOrEqual(0.999);
        // Top-1 over the samples the file's numerics decide (a near-tie may flip on a one-step rounding).
        expect(result.decisiveSamples).toBeGreaterThan(shape[0]! / 2);
        expect(result.decisiveTop1Agreement).toBeGreaterThanOrEqual(0.995);
        expect(result.ok).toBe(true);
        // ORT's fused integer kernels: exact where the CPU's integer dot products are (VNNI, ARM);
        // elsewhere a disagreement comes with a warning, never a failed verdict.
        expect(result.fused).toBeDefined();
        if (exactIntegerKernels().exact) expect(result.fused!.decisiveTop1Agreement).toBeGreaterThanOrEqual(0.995);
        else if (!result.fused!.ok) expect(result.fused!.warning).toMatch(/without VNNI/);
        // BatchNorm trained with the layer before it is folded into that layer's weights (as fake-quant trained them).
        expect(exported.model.graph.nodes.some((n) => n.opType === 'BatchNormalization')).toBe(false);
        // Weights really are integers in the file.
        const types = new Set([...exported.model.graph.initializers.values()].filter((t) => t.name.endsWith('_quantized')).map((t) => t.dataType));
        expect(types).toEqual(new Set(opset === 21 && weights.startsWith('int4') ? [22, 6] : [3, 6]));
        q.dispose();
      });
    }
  }

  it('writes an encodings sidecar covering every quantized tensor', () => {
    const q = calibrated(cnn, [32, 13, 11, 2], 'int8-sym-per-channel');
    const { encodings, model } = exportOnnx(q.model, { format: 'qdq' });
    const kinds = encodings.tensors.map((t) => `${t.layer}:${t.kind}`);
    expect(kinds).toEqual(expect.arrayContaining(['conv1:weight', 'conv1:bias', 'conv2:weight', 'head:weight', 'conv1_fq:activation', 'head_fq:activation']));
    const conv1 = encodings.tensors.find((t) => t.layer === 'conv1' && t.kind === 'weight')!;
    expect(conv1).toMatchObject({ bits: 8, signed: true, symmetric: true, granularity: 'per-channel', axis: 0 });
    expect(conv1.scales).toHaveLength(8);
    const act = encodings.tensors.find((t) => t.layer === 'conv1_fq')!;
    expect(act.range!.min[0]).toBe(0); // after ReLU
    expect(act.zeroPoints).toEqual([0]); // zero point = qmin after ReLU, so ORT can fuse
    expect(JSON.parse(JSON.stringify(encodings))).toEqual(encodings);
    expect(model.metadata['format']).toBe('qdq');
    q.dispose();
  });

  it("the QDQ CNN fuses to QLinearConv at ONNX Runtime's extended optimisation level", async () => {
    const q = calibrated(cnn, [32, 13, 11, 2], 'int8-sym-per-channel');
    const bytes = exportOnnx(q.model, { format: 'qdq' }).bytes();
    const dir = mkdtempSync(join(tmpdir(), 'qt-ort-'));
    try {
      const file = join(dir, 'optimized.onnx');
      const session = await ort.InferenceSession.create(bytes, { graphOptimizationLevel: 'extended', optimizedModelFilePath: file });
      await session.release();
      const ops = readOnnx(new Uint8Array(readFileSync(file))).graph.nodes.map((n) => n.opType);
      expect(ops.filter((o) => o === 'QLinearConv')).toHaveLength(2);
      expect(ops).not.toContain('Conv');
    } finally {
      rmSync(dir, { recursive: true, force: true });
      q.dispose();
    }
  });
});

describe('saveOnnx', () => {
  it('writes the model and its encodings atomically, and names the path when it cannot', async () => {
    const { saveOnnx } = await import('../../src/node/saveOnnx.js');
    const { errorCode } = await import('@quant-trim/test-utils');
    const { readdirSync, writeFileSync } = await import('node:fs');
    const dir = mkdtempSync(join(tmpdir(), 'qt-save-'));
    try {
      const q = calibrated(mlp, [16, 20], 'int8-sym-per-channel');
      const exported = exportOnnx(q.model, { format: 'qdq' });
      const written = saveOnnx(exported, join(dir, 'model.qdq.onnx'));
      expect(readdirSync(dir).sort()).toEqual(['model.qdq.encodings.json', 'model.qdq.onnx']);
      expect(readOnnx(new Uint8Array(readFileSync(written.model))).graph.nodes.length).toBe(exported.model.graph.nodes.length);
      expect(JSON.parse(readFileSync(written.encodings!, 'utf8'))).toEqual(exported.encodings);
      writeFileSync(join(dir, 'blocker'), 'x');
      expect(errorCode(() => saveOnnx(exported, join(dir, 'blocker', 'm.onnx')))).toBe('QT_IO_ERROR');
      expect(readdirSync(dir).sort()).toEqual(['blocker', 'model.qdq.encodings.json', 'model.qdq.onnx']);
      q.dispose();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
