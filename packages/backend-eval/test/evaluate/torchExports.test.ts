/**
 * Models as `torch.onnx.export` writes them, both ways (fixed batch 1: no `dynamic_axes`; dynamic
 * batch), generated at test time with Debian's python3-torch / python3-torchvision into a temp
 * dir: every built-in profile must compile them, evaluate `ok`, and give emulated and native
 * models ONNX Runtime accepts (and that onnx.checker accepts, where python3-onnx 1.12 knows the opset).
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pythonHas, runPython } from '@quant-trim/test-utils';
import { ort } from '@quant-trim/test-utils/onnx';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compileForBackend, type CompiledModel } from '../../src/compile/compileForBackend.js';
import { evaluate } from '../../src/evaluate/evaluate.js';
import type { EvaluationReport } from '../../src/evaluate/reportTypes.js';
import { builtinProfiles } from '../../src/profiles/builtinProfiles.js';
import { validateReport } from '../../src/report/validateReport.js';
import { values } from '../compile/fixtures.js';

const torch = pythonHas(['torch', 'onnx']);
if (!torch.ok) console.warn(`skipping the PyTorch-export tests: ${torch.reason}`);
const vision = torch.ok ? pythonHas(['torch', 'torchvision', 'onnx']) : torch;
if (torch.ok && !vision.ok) console.warn(`skipping the torchvision-export tests: ${vision.reason}`);

const PROFILE_IDS = Object.keys(builtinProfiles);

/** Exports `net` (built by `meta.build`) at opset 13 twice: fixed batch 1 and dynamic batch. */
const EXPORT = `
import torch, torch.nn as nn, onnx
torch.manual_seed(0)
torch.set_num_threads(1)
class Tiny(nn.Module):
    # conv-BN-ReLU6 -> depthwise conv-BN -> clamp -> flatten (x.view(x.size(0), -1)) -> linear
    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(3, 8, 3, padding=1)
        self.bn1 = nn.BatchNorm2d(8)
        self.dw = nn.Conv2d(8, 8, 3, padding=1, groups=8, bias=False)
        self.bn2 = nn.BatchNorm2d(8)
        self.fc = nn.Linear(8 * 4 * 4, 5)
    def forward(self, x):
        x = nn.functional.relu6(self.bn1(self.conv(x)))
        x = nn.functional.max_pool2d(x, 2)
        x = torch.clamp(self.bn2(self.dw(x)), -1.0, 1.0)
        return self.fc(x.view(x.size(0), -1))
def build(name):
    if name == 'tiny':
        net = Tiny()
        for m in net.modules():
            if isinstance(m, nn.BatchNorm2d):
                m.running_mean.uniform_(-0.2, 0.2); m.running_var.uniform_(0.5, 2.0); m.weight.data.uniform_(0.5, 1.5); m.bias.data.uniform_(-0.2, 0.2)
        return net
    import torchvision
    return getattr(torchvision.models, name)(weights=None, num_classes=10)
for name in meta['models']:
    net = build(name).eval()
    x = torch.randn(1, 3, meta['size'], meta['size'])
    for kind in ['fixed', 'dynamic']:
        path = f"{meta['dir']}/{name}-{kind}.onnx"
        axes = {'input': {0: 'batch'}, 'logits': {0: 'batch'}} if kind == 'dynamic' else None
        torch.onnx.export(net, x, path, opset_version=13, input_names=['input'], output_names=['logits'], dynamic_axes=axes)
        onnx.checker.check_model(onnx.load(path))
outputs['done'] = [1]
`;

const CHECK = `
import onnx
results = []
for path in meta['paths']:
    try:
        onnx.checker.check_model(onnx.load(path))
        results.append('ok')
    except Exception as e:
        results.append(f'{type(e).__name__}: {e}'[:400])
outputs['results'] = results
`;

/** Loads both execution modes of a compiled model in onnxruntime-node and runs one batch. */
async function ortRuns(compiled: CompiledModel, dims: number[]): Promise<string[]> {
  const problems: string[] = [];
  const x = new ort.Tensor(
    'float32',
    values(
      dims.reduce((a, b) => a * b, 1),
      5,
      1.5,
    ),
    dims,
  );
  for (const [mode, level] of [
    ['emulate', 'disabled'],
    ['native', 'all'],
  ] as const) {
    try {
      const session = await ort.InferenceSession.create(compiled.bytes(mode), { graphOptimizationLevel: level, logSeverityLevel: 3 });
      await session.run({ [session.inputNames[0]!]: x });
      await session.release();
    } catch (e) {
      problems.push(`${compiled.profile} ${mode}: ${(e as Error).message}`);
    }
  }
  return problems;
}

describe.skipIf(!torch.ok)('a small PyTorch module (BN, depthwise conv, ReLU6, clamp, view-flatten) exported both ways', () => {
  const dir = mkdtempSync(join(tmpdir(), 'qt-torch-exports-'));
  const SIZE = 8;
  const reports = new Map<string, EvaluationReport>();

  beforeAll(async () => {
    runPython(EXPORT, {}, { dir, models: ['tiny'], size: SIZE });
    for (const kind of ['fixed', 'dynamic']) {
      reports.set(
        kind,
        await evaluate({
          models: { name: `tiny-${kind}`, onnx: new Uint8Array(readFileSync(join(dir, `tiny-${kind}.onnx`))) },
          data: { inputs: values(24 * 3 * SIZE * SIZE, 1, 1.5), sampleShape: [3, SIZE, SIZE], calibration: values(40 * 3 * SIZE * SIZE, 2, 1.5) },
          runtimeSamples: 8,
          latency: { runs: 2, warmup: 1 },
          sensitivity: { samples: 8 },
        }),
      );
    }
  }, 300_000);
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it.each(['fixed', 'dynamic'])('%s batch: 12/12 profiles ok, with sensitivity and both runtimes; the report validates', (kind) => {
    const report = reports.get(kind)!;
    expect(() => validateReport(JSON.parse(JSON.stringify(report)))).not.toThrow();
    const [model] = report.models;
    expect(model!.profiles.map((p) => [p.profile, p.status, p.error?.message])).toEqual(PROFILE_IDS.map((id) => [id, 'ok', undefined]));
    for (const p of model!.profiles) {
      expect(p.metrics!.samples).toBe(24);
      expect(p.sensitivity!.layers.length, p.profile).toBe(p.coverage!.nodes.filter((n) => n.weightBits !== undefined).length);
      expect(p.runtimes!.map((r) => r.runtime)).toEqual(['onnxruntime-node', 'onnxruntime-web']);
      // PyTorch's Constant / Identity nodes are folded, never planned or quantized
      expect(
        p.coverage!.nodes.some((n) => n.opType === 'Constant' || n.opType === 'Identity'),
        p.profile,
      ).toBe(false);
      for (const t of p.calibration?.tensors ?? []) expect(t.tensor, p.profile).not.toMatch(/Constant/);
    }
    // Edge TPU's single cut: nothing in this module leaves the accelerator
    const edge = model!.profiles.find((p) => p.profile === 'edgetpu-strict')!;
    expect(edge.coverage!.nodes.filter((n) => !n.onAccelerator)).toEqual([]);
    expect(edge.coverage!.macShare).toBe(1);
    // every computing node is quantized; the shape nodes of the dynamic flatten are listed, transparent, and not counted
    expect(edge.coverage!.integer).toBe(edge.coverage!.total);
    expect(edge.coverage!.total).toBe(edge.coverage!.nodes.filter((n) => n.transparent !== true).length);
    if (kind === 'dynamic')
      expect(edge.coverage!.nodes.filter((n) => n.transparent === true).map((n) => n.opType)).toEqual(expect.arrayContaining(['Shape', 'Gather']));
  });
});

describe.skipIf(!vision.ok)('torchvision models (random init, 32×32) exported both ways', () => {
  const dir = mkdtempSync(join(tmpdir(), 'qt-torchvision-'));
  const SIZE = 32;
  const MODELS = ['squeezenet1_1', 'shufflenet_v2_x0_5'];
  const compiled = new Map<string, CompiledModel[]>();
  const problems: string[] = [];

  beforeAll(async () => {
    runPython(EXPORT, {}, { dir, models: MODELS, size: SIZE });
    const calibration = values(8 * 3 * SIZE * SIZE, 3, 1.5);
    for (const name of MODELS) {
      for (const kind of ['fixed', 'dynamic']) {
        const bytes = new Uint8Array(readFileSync(join(dir, `${name}-${kind}.onnx`)));
        const list: CompiledModel[] = [];
        for (const id of PROFILE_IDS) {
          const c = await compileForBackend(bytes, builtinProfiles[id as keyof typeof builtinProfiles], [calibration]);
          list.push(c);
          problems.push(...(await ortRuns(c, [kind === 'fixed' ? 1 : 2, 3, SIZE, SIZE])).map((p) => `${name}-${kind} ${p}`));
        }
        compiled.set(`${name}-${kind}`, list);
      }
    }
  }, 600_000);
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('every profile compiles both exports and ORT accepts and runs the emulated and native models', () => {
    expect(problems).toEqual([]);
    for (const name of MODELS) for (const kind of ['fixed', 'dynamic']) expect(compiled.get(`${name}-${kind}`)!.map((c) => c.profile)).toEqual(PROFILE_IDS);
  });

  it('Edge TPU: squeezenet runs entirely on the accelerator (it was 0 of 83 nodes); shufflenet is cut at its first channel shuffle', () => {
    for (const kind of ['fixed', 'dynamic']) {
      const squeeze = compiled.get(`squeezenet1_1-${kind}`)!.find((c) => c.profile === 'edgetpu-strict')!;
      expect(squeeze.coverage.filter((c) => !c.onAccelerator)).toEqual([]);
      expect(squeeze.coverage.filter((c) => c.integer).length).toBe(squeeze.coverage.length);
      const shuffle = compiled.get(`shufflenet_v2_x0_5-${kind}`)!.find((c) => c.profile === 'edgetpu-strict')!;
      const firstOff = shuffle.coverage.find((c) => !c.onAccelerator)!;
      // the channel shuffle's Transpose: not in Edge TPU's op list, so the single cut is there (documented fallback)
      expect(firstOff.opType).toBe('Transpose');
      expect(firstOff.reason).toMatch(/not supported by edgetpu-strict/);
      // everything before the cut (stem conv, max-pool, the first block's two branches, its Concat) is on the accelerator
      expect(shuffle.coverage.findIndex((c) => !c.onAccelerator)).toBeGreaterThan(5);
    }
  });

  it('16-bit profiles raise shufflenet (Slice, ReduceMean) to opset 21', () => {
    for (const kind of ['fixed', 'dynamic']) {
      for (const id of ['tflite-16x8', 'qnn-htp-w8a16']) expect(compiled.get(`shufflenet_v2_x0_5-${kind}`)!.find((c) => c.profile === id)!.opset).toBe(21);
    }
  });

  it('onnx.checker accepts every compiled model it can read (opset ≤ 17 for Debian python3-onnx 1.12)', () => {
    const paths: string[] = [];
    for (const [key, list] of compiled) {
      for (const c of list) {
        if (c.opset > 17) continue;
        for (const mode of ['emulate', 'native'] as const) {
          const path = join(dir, `${key}-${c.profile}-${mode}.onnx`);
          writeFileSync(path, c.bytes(mode));
          paths.push(path);
        }
      }
    }
    expect(paths.length).toBeGreaterThan(30);
    const { results } = runPython(CHECK, {}, { paths }) as { results: string[] };
    expect(results.map((r, i) => `${paths[i]!.split('/').pop()}: ${r}`)).toEqual(paths.map((p) => `${p.split('/').pop()}: ok`));
  }, 120_000);
});
