import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pythonHas, runPython, syntheticDigits } from '@quant-trim/test-utils';
import { exactIntegerKernels } from '@quant-trim/test-utils/onnx';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { evaluate } from '../../src/evaluate/evaluate.js';
import type { EvaluationReport } from '../../src/evaluate/reportTypes.js';
import { builtinProfiles } from '../../src/profiles/builtinProfiles.js';
import { validateReport } from '../../src/report/validateReport.js';

const torch = pythonHas(['torch', 'onnx']);
if (!torch.ok) console.warn(`skipping the PyTorch end-to-end evaluation: ${torch.reason}`);

const SIZE = 14;
/** A conv-bn-relu / pool / conv-relu / global-pool / linear classifier trained briefly in PyTorch, exported at opset 13 with a dynamic batch axis. */
const TRAIN_AND_EXPORT = `
import torch, torch.nn as nn, onnx
torch.manual_seed(0)
torch.set_num_threads(1)
x = torch.from_numpy(inputs['pixels'].reshape(-1, 1, ${SIZE}, ${SIZE}))
y = torch.from_numpy(inputs['labels'].astype('int64'))
net = nn.Sequential(
    nn.Conv2d(1, 8, 3, padding=1), nn.BatchNorm2d(8), nn.ReLU(), nn.MaxPool2d(2),
    nn.Conv2d(8, 16, 3, padding=1), nn.ReLU(), nn.AdaptiveAvgPool2d(1), nn.Flatten(),
    nn.Linear(16, 10))
opt = torch.optim.Adam(net.parameters(), lr=0.01)
for epoch in range(12):
    for i in range(0, len(x), 64):
        opt.zero_grad()
        loss = nn.functional.cross_entropy(net(x[i:i+64]), y[i:i+64])
        loss.backward()
        opt.step()
net.eval()
torch.onnx.export(net, x[:2], meta['path'], opset_version=13, input_names=['input'], output_names=['logits'],
                  dynamic_axes={'input': {0: 'batch'}, 'logits': {0: 'batch'}})
onnx.checker.check_model(onnx.load(meta['path']))
outputs['loss'] = [float(loss)]
`;

describe.skipIf(!torch.ok)('evaluate: a PyTorch-exported model across all 12 profiles, end to end', () => {
  const dir = mkdtempSync(join(tmpdir(), 'qt-eval-torch-'));
  const path = join(dir, 'cnn.onnx');
  let report: EvaluationReport;
  const train = syntheticDigits(2000, { seed: 1, size: SIZE });
  const test = syntheticDigits(400, { seed: 2, size: SIZE });
  const calibration = syntheticDigits(320, { seed: 3, size: SIZE });

  beforeAll(async () => {
    runPython(TRAIN_AND_EXPORT, { pixels: train.pixels, labels: train.labels }, { path });
    report = await evaluate({
      models: { name: 'torch-cnn', onnx: new Uint8Array(readFileSync(path)) },
      data: { inputs: test.pixels, labels: test.labels, sampleShape: [1, SIZE, SIZE], calibration: calibration.pixels },
      runtimeSamples: 64,
      latency: { runs: 3, warmup: 1 },
      sensitivity: { samples: 128 },
    });
  }, 240_000);
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('evaluates every built-in profile and the report passes the runtime validator', () => {
    expect(() => validateReport(JSON.parse(JSON.stringify(report)))).not.toThrow();
    const [model] = report.models;
    expect(model!.profiles.map((p) => [p.profile, p.status, p.error?.message])).toEqual(Object.keys(builtinProfiles).map((id) => [id, 'ok', undefined]));
    expect(model!.float.accuracy).toBeGreaterThan(0.8);
    expect(report.data).toEqual({ samples: 400, calibrationSamples: 320, classes: 10, labelled: true });
  });

  it('int8 profiles stay close to float; metrics are consistent', () => {
    const [model] = report.models;
    for (const p of model!.profiles) {
      const m = p.metrics!;
      expect(m.samples).toBe(400);
      expect(m.drop).toBeCloseTo(model!.float.accuracy! - m.accuracy!, 12);
      expect(m.top1Agreement).toBeGreaterThan(0.85);
      expect(m.kl).toBeGreaterThanOrEqual(0);
      expect(m.logitCosine).toBeGreaterThan(0.9);
    }
    const worst = model!.acrossProfiles!;
    expect(worst.worstDrop).toBeGreaterThanOrEqual(worst.meanDrop);
    expect(worst.spread).toBeGreaterThanOrEqual(0);
    expect(model!.profiles.find((p) => p.profile === worst.worstProfile)!.metrics!.drop).toBe(worst.worstDrop);
  });

  it('coverage, BN folding and per-op placement follow each profile', () => {
    const [model] = report.models;
    const by = new Map(model!.profiles.map((p) => [p.profile, p]));
    // the exporter's BatchNormalization is folded into the first Conv
    expect(by.get('tflite-int8')!.coverage!.nodes.some((n) => n.opType === 'BatchNormalization')).toBe(false);
    expect(by.get('tflite-int8')!.coverage!.macShare).toBe(1);
    // ORT dynamic quantizes only the Gemm; Core ML leaves sub-2048-element weights float
    expect(
      by
        .get('ort-dynamic-u8s8')!
        .coverage!.nodes.filter((n) => n.integer)
        .map((n) => n.opType),
    ).toEqual(['Gemm']);
    expect(by.get('coreml-weight-only')!.coverage!.integer).toBe(0);
  });

  it('runs each compiled model natively on onnxruntime-node and onnxruntime-web and measures their disagreement', () => {
    const [model] = report.models;
    // onnxruntime-node's integer kernels saturate u8 × s8 pair sums on x86 without VNNI: its
    // agreement with the emulation (and with onnxruntime-web) is then measured, not bounded.
    const kernels = exactIntegerKernels();
    if (!kernels.exact) console.info(`not bounding onnxruntime-node's native agreement: ${kernels.reason}`);
    for (const p of model!.profiles) {
      expect(p.runtimes!.map((r) => [r.runtime, r.mode, r.samples])).toEqual([
        ['onnxruntime-node', 'native', 64],
        ['onnxruntime-web', 'native', 64],
      ]);
      for (const r of p.runtimes!) {
        if (kernels.exact || r.runtime === 'onnxruntime-web') expect(r.agreementWithEmulation).toBeGreaterThan(0.9);
        expect(r.latency.map((l) => l.batch)).toEqual([1, 32]);
        for (const l of r.latency) expect(l.p90Ms).toBeGreaterThanOrEqual(l.p50Ms);
      }
      expect(p.disagreement).toHaveLength(1);
      if (kernels.exact) expect(p.disagreement![0]!.top1Agreement).toBeGreaterThan(0.95);
    }
    // ORT fuses the tflite-int8 QDQ groups into integer kernels
    const ops = Object.keys(model!.profiles.find((p) => p.profile === 'tflite-int8')!.runtimes![0]!.optimizedOps!);
    expect(ops.some((op) => /QLinear|QGemm|MatMulInteger/.test(op))).toBe(true);
    expect(Object.keys(report.environment.runtimes).sort()).toEqual(['onnxruntime-node', 'onnxruntime-web']);
  });

  it('reports per-layer sensitivity and estimates energy on each device', () => {
    const [model] = report.models;
    for (const p of model!.profiles) {
      const quantizedLayers = p.coverage!.nodes.filter((n) => n.weightBits !== undefined).length;
      expect(p.sensitivity!.layers).toHaveLength(quantizedLayers);
      for (const l of p.sensitivity!.layers) expect(l.isolatedSqnrDb).toBeGreaterThan(5);
      expect(p.estimate!.energyMicrojoules).toBeGreaterThan(0);
      expect(p.estimate!.latencyMs).toBeGreaterThan(0);
    }
  });
});
