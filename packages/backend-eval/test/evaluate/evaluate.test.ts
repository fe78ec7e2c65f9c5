import { isQuantTrimError } from '@quant-trim/errors';
import { addOutputs, readOnnx, writeOnnx } from '@quant-trim/onnx-export';
import { buildModel, DataType, ort, runOrt } from '@quant-trim/test-utils/onnx';
import { compileForBackend } from '../../src/compile/compileForBackend.js';
import { autoSamples } from '../../src/evaluate/layerSensitivity.js';
import { describe, expect, it } from 'vitest';
import { evaluate, type EvaluateProgress } from '../../src/evaluate/evaluate.js';
import { sqnrDb } from '../../src/metrics/fidelity.js';
import { builtinProfiles } from '../../src/profiles/builtinProfiles.js';
import { defineBackend } from '../../src/profiles/defineBackend.js';
import type { TensorGrid } from '../../src/profiles/types.js';
import { validateReport } from '../../src/report/validateReport.js';
import { torchLike } from '../compile/exporterModels.js';
import { values } from '../compile/fixtures.js';

const vals = (n: number, seed: number, amp = 1) => Array.from({ length: n }, (_, i) => Math.sin(i * 12.9898 + seed * 78.233) * amp);

/**
 * x[N,1,6,6] → Conv → `activation` → Flatten → Gemm → y[N,3]. `'GroupNormalization'` builds an
 * opset-18 model whose GroupNormalization (per-group scale and bias until opset 21) blocks the
 * opset-21 upgrade 16-bit profiles need.
 */
function model(activation = 'Softplus'): Uint8Array {
  const groupNorm = activation === 'GroupNormalization';
  const m = readOnnx(
    buildModel({
      opset: groupNorm ? 18 : 13,
      inputs: [{ name: 'x', dataType: DataType.FLOAT, dims: [1, 1, 6, 6] }],
      outputs: [{ name: 'y', dataType: DataType.FLOAT, dims: [1, 3] }],
      initializers: [
        { name: 'w1', dataType: DataType.FLOAT, dims: [4, 1, 3, 3], values: vals(36, 1, 0.5) },
        { name: 'w2', dataType: DataType.FLOAT, dims: [3, 64], values: vals(192, 3, 0.3) },
        ...(groupNorm
          ? [
              { name: 'gs', dataType: DataType.FLOAT, dims: [2], values: [1, 0.5] },
              { name: 'gb', dataType: DataType.FLOAT, dims: [2], values: [0, 0.1] },
            ]
          : []),
      ],
      nodes: [
        { opType: 'Conv', inputs: ['x', 'w1'], outputs: ['c'] },
        groupNorm
          ? { opType: activation, inputs: ['c', 'gs', 'gb'], outputs: ['s'], attributes: { num_groups: 2 } }
          : { opType: activation, inputs: ['c'], outputs: ['s'] },
        { opType: 'Flatten', inputs: ['s'], outputs: ['f'] },
        { opType: 'Gemm', inputs: ['f', 'w2'], outputs: ['y'], attributes: { transB: 1 } },
      ],
    }),
  );
  m.graph.inputs[0]!.shape![0] = 'N';
  m.graph.outputs[0]!.shape![0] = 'N';
  return writeOnnx(m);
}

const inputs = Float32Array.from(vals(40 * 36, 7, 2));
const calibration = Float32Array.from(vals(32 * 36, 8, 2));

describe('evaluate', () => {
  it('reports a profile that cannot compile the model with its coded error and runs the others', async () => {
    const events: EvaluateProgress[] = [];
    const report = await evaluate({
      models: { name: 'groupnorm', onnx: model('GroupNormalization') },
      data: { inputs, sampleShape: [1, 6, 6], calibration },
      runtimes: [],
      sensitivity: false,
      onProgress: (e) => events.push(e),
    });
    expect(() => validateReport(JSON.parse(JSON.stringify(report)))).not.toThrow();
    const [m] = report.models;
    const failed = m!.profiles.filter((p) => p.status === 'error');
    expect(failed.map((p) => p.profile)).toEqual(['tflite-16x8', 'qnn-htp-w8a16']);
    for (const p of failed) {
      expect(p.error!.code).toBe('QT_INVALID_ARGUMENT');
      expect(p.error!.message).toMatch(/16-bit activations.*GroupNormalization/);
      expect(p.metrics).toBeUndefined();
    }
    // without labels: agreement-based metrics only, no accuracy summary
    const ok = m!.profiles.find((p) => p.profile === 'tflite-int8')!;
    expect(ok.metrics!.accuracy).toBeUndefined();
    expect(ok.metrics!.top1Agreement).toBeGreaterThan(0.5);
    expect(ok.runtimes).toEqual([]);
    expect(ok.sensitivity).toBeUndefined();
    expect(m!.acrossProfiles).toBeUndefined();
    expect(m!.float.accuracy).toBeUndefined();
    expect(report.data).toEqual({ samples: 40, calibrationSamples: 32, classes: 3, labelled: false });
    // GroupNormalization stays float on every profile (not in any op list)
    expect(ok.coverage!.nodes.find((n) => n.opType === 'GroupNormalization')).toMatchObject({ integer: false, onAccelerator: false });
    expect(events[0]).toEqual({ model: 'groupnorm', stage: 'float', done: 0, total: 12 });
    expect(events.filter((e) => e.stage === 'compile').map((e) => e.profile)).toEqual(Object.keys(builtinProfiles));
    expect(events.at(-1)).toEqual({ model: 'groupnorm', stage: 'done', done: 12, total: 12 });
  });

  it('reports placement: nodes and MACs on the accelerator, and host fallback priced on the host with its link traffic', async () => {
    // Softplus is not an Edge TPU op: the single cut leaves Conv on the Edge TPU and Softplus, Flatten and Gemm on the Pi 5 CPU.
    const report = await evaluate({
      models: { name: 'a', onnx: model() },
      profiles: ['edgetpu-strict', 'tflite-int8'],
      data: { inputs, sampleShape: [1, 6, 6], calibration },
      runtimes: [],
      sensitivity: false,
    });
    expect(() => validateReport(JSON.parse(JSON.stringify(report)))).not.toThrow();
    const [edge, tflite] = report.models[0]!.profiles;
    // Conv 4·4·4 outputs × 9 = 576 MACs, Gemm 3 × 64 = 192
    expect(edge!.coverage).toMatchObject({ onAccelerator: 1, total: 4, acceleratorMacShare: 576 / 768 });
    expect(edge!.coverage!.integer).toBeGreaterThan(edge!.coverage!.onAccelerator!);
    const placed = edge!.estimate!.placement!;
    expect(placed).toMatchObject({ host: 'Raspberry Pi 5 CPU, 4× Cortex-A76', acceleratorMacs: 576, fallbackMacs: 192, invocations: 1 });
    // x in (36 elements) and c out (64) at int8 width
    expect(placed.transferBytes).toBe(36 + 64);
    expect(placed.hostMs).toBeGreaterThan(0);
    expect(placed.acceleratorMs + placed.hostMs + placed.transferMs + placed.overheadMs).toBeCloseTo(edge!.estimate!.latencyMs, 12);
    expect(edge!.estimate!.assumptions['host.tops.int8']!.value).toBe(0.614);
    // TFLite's CPU runs everything itself: no host, one invocation
    expect(tflite!.estimate!.placement).toMatchObject({ invocations: 1, hostMs: 0, transferMs: 0 });
    expect(tflite!.estimate!.placement!.host).toBeUndefined();
  });

  it('takes profiles by id or object, and a calibration function called once per compile', async () => {
    let calls = 0;
    const report = await evaluate({
      models: [{ name: 'a', onnx: model() }],
      profiles: ['tflite-int8', builtinProfiles['trt-int8-entropy']],
      data: {
        inputs,
        labels: Array.from({ length: 40 }, (_, i) => i % 3),
        sampleShape: [1, 6, 6],
        calibration: () => {
          calls++;
          return [calibration];
        },
      },
      runtimes: ['onnxruntime-node'],
      latency: false,
      sensitivity: { samples: 16 },
    });
    const [m] = report.models;
    expect(m!.profiles.map((p) => p.profile)).toEqual(['tflite-int8', 'trt-int8-entropy']);
    // 2 profile compiles + one isolated compile per quantized layer (Conv, Gemm) each
    expect(calls).toBe(2 + 2 * 2);
    for (const p of m!.profiles) {
      expect(p.sensitivity!.layers.map((l) => l.opType)).toEqual(['Conv', 'Gemm']);
      expect(p.runtimes!.map((r) => [r.runtime, r.latency])).toEqual([['onnxruntime-node', []]]);
      expect(p.disagreement).toEqual([]);
      expect(p.metrics!.accuracy).toBeDefined();
    }
    expect(m!.acrossProfiles!.worstDrop).toBeGreaterThanOrEqual(m!.acrossProfiles!.meanDrop);
  });

  it('measures sensitivity over more samples than one chunk: the accumulated SQNR equals one computed over all samples at once', async () => {
    const onnx = model('Relu');
    const report = await evaluate({
      models: { name: 'relu', onnx },
      profiles: ['trt-int8-entropy'],
      data: { inputs, sampleShape: [1, 6, 6], calibration },
      runtimes: [],
      latency: false,
      sensitivity: { samples: 40 },
    });
    const conv = report.models[0]!.profiles[0]!.sensitivity!.layers.find((l) => l.opType === 'Conv')!;
    // Independently: the same compile, both models run once over all 40 samples with the Conv output exposed.
    const compiled = await compileForBackend(onnx, builtinProfiles['trt-int8-entropy'], [calibration]);
    const feed = { x: new ort.Tensor('float32', inputs, [40, 1, 6, 6]) };
    const f = (await runOrt(writeOnnx(addOutputs(readOnnx(onnx), ['c'])), feed))['c']!.data as Float32Array;
    const q = (await runOrt(writeOnnx(addOutputs(compiled.model, ['c'])), feed))['c']!.data as Float32Array;
    expect(f.length).toBe(40 * 4 * 4 * 4);
    expect(conv.outputSqnrDb).toBeCloseTo(sqnrDb(f, q), 9);
    expect(report.models[0]!.profiles[0]!.sensitivity!.samples).toBe(40);
  });

  it('by default measures sensitivity on about one test-set pass of isolated runs: test samples / layers, between 32 and 256', async () => {
    expect(autoSamples(10_000, 4)).toBe(256);
    expect(autoSamples(1000, 21)).toBe(47);
    expect(autoSamples(40, 2)).toBe(32);
    expect(autoSamples(20, 2)).toBe(20);
    expect(autoSamples(100, 0)).toBe(100);
    const report = await evaluate({
      models: { name: 'relu', onnx: model('Relu') },
      profiles: ['tflite-int8'],
      data: { inputs, sampleShape: [1, 6, 6], calibration },
      runtimes: [],
      latency: false,
      sensitivity: {},
    });
    const s = report.models[0]!.profiles[0]!.sensitivity!;
    expect(s.layers).toHaveLength(2);
    expect(s.samples).toBe(32);
  });

  it('returns per-sample predictions on request, and the observed range vs chosen clip of every calibrated tensor', async () => {
    const labels = Array.from({ length: 40 }, (_, i) => i % 3);
    const base = { models: { name: 'relu', onnx: model('Relu') }, profiles: ['trt-int8-entropy', 'ort-dynamic-u8s8'], runtimes: [], latency: false as const };
    const report = await evaluate({ ...base, data: { inputs, labels, sampleShape: [1, 6, 6], calibration }, sensitivity: { samples: 16 }, predictions: true });
    expect(() => validateReport(JSON.parse(JSON.stringify(report)))).not.toThrow();
    const [m] = report.models;
    const floatPred = m!.float.predictions!;
    expect(floatPred).toHaveLength(40);
    expect(floatPred.every((c) => Number.isInteger(c) && c >= 0 && c < 3)).toBe(true);
    expect(floatPred.filter((c, i) => c === labels[i]).length / 40).toBeCloseTo(m!.float.accuracy!, 12);
    const [trt, dynamic] = m!.profiles;
    expect(trt!.predictions!.filter((c, i) => c === labels[i]).length / 40).toBeCloseTo(trt!.metrics!.accuracy!, 12);
    expect(trt!.predictions!.filter((c, i) => c === floatPred[i]).length / 40).toBeCloseTo(trt!.metrics!.top1Agreement, 12);

    const tensors = trt!.calibration!.tensors!;
    const x = tensors.find((t) => t.tensor === 'x')!;
    expect(x.observedMin).toBe(Math.min(...calibration));
    expect(x.observedMax).toBe(Math.max(...calibration));
    for (const t of tensors) {
      expect(t.observedMin).toBeLessThanOrEqual(t.observedMax);
      expect(t.clipMax).toBeGreaterThan(t.clipMin);
      expect(t.clipMax - t.clipMin).toBeCloseTo(255 * t.scale, 5);
    }
    // every layer names its quantized input / output tensors, which calibration.tensors describes
    const names = new Set(tensors.map((t) => t.tensor));
    const conv = trt!.sensitivity!.layers.find((l) => l.opType === 'Conv')!;
    expect(conv.inputTensor).toBe('x');
    expect(names.has(conv.outputTensor!)).toBe(true);
    // dynamic profiles calibrate nothing
    expect(dynamic!.calibration!.tensors).toBeUndefined();
    expect(dynamic!.predictions).toHaveLength(40);

    // off by default
    const plain = await evaluate({ ...base, data: { inputs, labels, sampleShape: [1, 6, 6], calibration }, sensitivity: false });
    expect(plain.models[0]!.float.predictions).toBeUndefined();
    expect(plain.models[0]!.profiles[0]!.predictions).toBeUndefined();
  });

  it('runs 4-bit dynamic weights natively (int4 codes in an int8 MatMulInteger container)', async () => {
    const w4 = defineBackend({
      ...builtinProfiles['ort-dynamic-u8s8'],
      id: 'test-dynamic-w4',
      weights: { ...(builtinProfiles['ort-dynamic-u8s8'].weights as TensorGrid), bits: 4 },
    });
    const report = await evaluate({
      models: { name: 'a', onnx: model('Relu') },
      profiles: [w4],
      data: { inputs, sampleShape: [1, 6, 6], calibration },
      runtimes: ['onnxruntime-node'],
      latency: false,
      sensitivity: false,
    });
    const [p] = report.models[0]!.profiles;
    expect(p!.error?.message).toBeUndefined();
    expect(p!.status).toBe('ok');
    // ORT fuses DynamicQuantizeLinear → MatMulInteger → Cast → Mul into com.microsoft:DynamicQuantizeMatMul
    expect(p!.runtimes![0]!.optimizedOps).toHaveProperty(['com.microsoft:DynamicQuantizeMatMul']);
    expect(p!.runtimes![0]!.agreementWithEmulation).toBe(1);
  });

  it('rejects bad arguments with coded errors naming them', async () => {
    const base = { models: { name: 'a', onnx: model() }, runtimes: [], sensitivity: false as const, latency: false as const };
    const cases: [unknown, string, RegExp][] = [
      [{ ...base, data: { inputs: new Float32Array(35), sampleShape: [1, 6, 6], calibration } }, 'QT_INVALID_ARGUMENT', /data\.inputs/],
      [{ ...base, data: { inputs, labels: [1, 2], sampleShape: [1, 6, 6], calibration } }, 'QT_INVALID_ARGUMENT', /data\.labels: 2 labels for 40 samples/],
      [{ ...base, data: { inputs, sampleShape: [1, 6, 6], calibration: new Float32Array(5) } }, 'QT_INVALID_ARGUMENT', /data\.calibration/],
      [{ ...base, models: [], data: { inputs, sampleShape: [1, 6, 6], calibration } }, 'QT_INVALID_ARGUMENT', /models/],
      [{ ...base, profiles: ['no-such-npu'], data: { inputs, sampleShape: [1, 6, 6], calibration } }, 'QT_UNKNOWN_PROFILE', /no-such-npu/],
    ];
    for (const [options, code, message] of cases) {
      const error = await evaluate(options as Parameters<typeof evaluate>[0]).catch((e: unknown) => e);
      expect(isQuantTrimError(error, code as 'QT_INVALID_ARGUMENT')).toBe(true);
      expect((error as Error).message).toMatch(message);
    }
  });
});

describe('evaluate: batch axes', () => {
  const sample = [3, 6, 6];
  const size = 108;

  it('a fixed batch of 1 (torch.onnx.export without dynamic_axes) runs every stage: sensitivity, calibration, runtimes', async () => {
    const report = await evaluate({
      models: { name: 'fixed', onnx: torchLike(1) },
      data: { inputs: values(10 * size, 1, 2), sampleShape: sample, calibration: values(12 * size, 2, 2) },
      profiles: ['tflite-int8', 'ort-dynamic-u8s8', 'coreml-weight-only'],
      runtimes: ['onnxruntime-node'],
      runtimeSamples: 4,
      latency: { runs: 2, warmup: 0 },
      sensitivity: { samples: 5 },
    });
    const [m] = report.models;
    expect(m!.profiles.map((p) => [p.profile, p.status, p.error?.message])).toEqual([
      ['tflite-int8', 'ok', undefined],
      ['ort-dynamic-u8s8', 'ok', undefined],
      ['coreml-weight-only', 'ok', undefined],
    ]);
    const tflite = m!.profiles[0]!;
    expect(tflite.sensitivity!.layers.map((l) => l.node)).toEqual(['/conv1/Conv', '/dw/Conv', '/fc/Gemm']);
    for (const l of tflite.sensitivity!.layers) expect(l.outputSqnrDb).toBeGreaterThan(10);
    expect(tflite.runtimes![0]!.latency.map((l) => l.batch)).toEqual([1]);
  });

  it('a symbolic batch axis the graph does not honour is re-batched safely to 1, with a note', async () => {
    const model = torchLike();
    model.graph.nodes.find((n) => n.name === '/Reshape')!.inputs[1] = 'one_row';
    model.graph.initializers.set('one_row', { name: 'one_row', dataType: 7, dims: [2], data: BigInt64Array.of(1n, -1n) });
    const report = await evaluate({
      models: { name: 'baked-batch', onnx: model },
      data: { inputs: values(6 * size, 1, 2), sampleShape: sample, calibration: values(8 * size, 2, 2) },
      profiles: ['tflite-int8'],
      runtimes: [],
      sensitivity: { samples: 3 },
    });
    const [p] = report.models[0]!.profiles;
    expect([p!.status, p!.error?.message]).toEqual(['ok', undefined]);
    expect(p!.metrics!.samples).toBe(6);
    expect(p!.approximations![0]).toMatch(/symbolic batch axis fails above batch 1.*fixed to 1/);
  });
});

describe('sqnrDb', () => {
  it('is 10·log10(signal / noise), Infinity for identical inputs', () => {
    expect(sqnrDb(Float32Array.of(3, 4), Float32Array.of(3, 4))).toBe(Infinity);
    // signal 25, noise 0.25 → 20 dB
    expect(sqnrDb(Float32Array.of(3, 4), Float32Array.of(3.5, 4))).toBeCloseTo(20, 12);
  });
});
