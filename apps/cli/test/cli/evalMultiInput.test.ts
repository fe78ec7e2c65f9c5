/**
 * `quant-trim eval` on models that are not single-input classifiers: a two-input, two-output model
 * fed from an `.npz` with one array per input name, scored by per-output fidelity and `--metric`
 * without labels; a missing input array is a coded error naming it; a tiny two-input PyTorch
 * export goes through every built-in profile.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { EvaluationReport } from '@quant-trim/backend-eval';
import { readOnnx, writeOnnx } from '@quant-trim/onnx-export';
import { buildModel, DataType } from '@quant-trim/test-utils/onnx';
import { describe, expect, it } from 'vitest';
import { python, pythonMissing } from '../data/python.js';
import { run, tempDir } from './helpers.js';

const wave = (n: number, seed: number, amp: number) => Array.from({ length: n }, (_, i) => Math.sin(i * 0.731 + seed) * amp);

/**
 * audio[N,8] → Gemm → Relu ─┐
 * state[N,4] → Gemm ────────┴ Add → Gemm → Reshape → scores[N,3,2]   (3 classes × 2 frames)
 *                              └──→ Tanh → next_state[N,6]
 */
function twoInputModel(options: { classifier?: boolean } = {}): Uint8Array {
  const m = readOnnx(
    buildModel({
      opset: 13,
      inputs: [
        { name: 'audio', dataType: DataType.FLOAT, dims: [1, 8] },
        { name: 'state', dataType: DataType.FLOAT, dims: [1, 4] },
      ],
      outputs: [
        { name: 'scores', dataType: DataType.FLOAT, dims: [1, 3, 2] },
        { name: 'next_state', dataType: DataType.FLOAT, dims: [1, 6] },
      ],
      initializers: [
        { name: 'wa', dataType: DataType.FLOAT, dims: [6, 8], values: wave(48, 1, 0.5) },
        { name: 'ws', dataType: DataType.FLOAT, dims: [6, 4], values: wave(24, 2, 0.5) },
        { name: 'wo', dataType: DataType.FLOAT, dims: [6, 6], values: wave(36, 3, 0.6) },
        { name: 'shape', dataType: DataType.INT64, dims: [3], values: [-1, 3, 2] },
      ],
      nodes: [
        { opType: 'Gemm', inputs: ['audio', 'wa'], outputs: ['ha'], attributes: { transB: 1 } },
        { opType: 'Relu', inputs: ['ha'], outputs: ['h'] },
        { opType: 'Gemm', inputs: ['state', 'ws'], outputs: ['hs'], attributes: { transB: 1 } },
        { opType: 'Add', inputs: ['h', 'hs'], outputs: ['a'] },
        { opType: 'Gemm', inputs: ['a', 'wo'], outputs: ['o'], attributes: { transB: 1 } },
        { opType: 'Reshape', inputs: ['o', 'shape'], outputs: ['scores'] },
        { opType: 'Tanh', inputs: ['a'], outputs: ['next_state'] },
      ],
    }),
  );
  if (options.classifier === true) {
    // One output of 6 class scores: the Gemm's [N, 6] before the Reshape.
    m.graph.nodes = m.graph.nodes.filter((n) => n.opType !== 'Reshape' && n.opType !== 'Tanh');
    m.graph.nodes.find((n) => n.outputs[0] === 'o')!.outputs = ['logits'];
    m.graph.initializers.delete('shape');
    m.graph.outputs = [{ name: 'logits', elemType: 1, shape: [1, 6] }];
  }
  for (const v of [...m.graph.inputs, ...m.graph.outputs]) v.shape![0] = 'batch';
  return writeOnnx(m);
}

const numpyMissing = pythonMissing('numpy');

describe.skipIf(numpyMissing !== undefined)('quant-trim eval: two inputs from an .npz, --metric', () => {
  it('scores every output by fidelity and miou / mse without labels; writes a valid report', async () => {
    const dir = tempDir('multi');
    writeFileSync(join(dir, 'two.onnx'), twoInputModel());
    // 70 samples: a seeded 6:1 split gives 10 test and 60 training samples (40 used to calibrate).
    python(
      `rng = np.random.default_rng(0)
audio = rng.normal(size=(70, 8)).astype(np.float32)
state = rng.normal(size=(70, 4)).astype(np.float32)
targets = rng.integers(0, 3, size=(70, 2))
np.savez('feeds.npz', audio=audio, state=state, targets=targets)`,
      dir,
    );
    const out = await run([
      'eval',
      join(dir, 'two.onnx'),
      '--dataset',
      join(dir, 'feeds.npz'),
      '--metric',
      'miou',
      '--profiles',
      'tflite-int8,ort-dynamic-u8s8',
      '--runtimes',
      'none',
      '--calibration-samples',
      '40',
      '--out',
      join(dir, 'out'),
    ]);
    expect(out.code, out.stderr).toBe(0);
    expect(out.stderr).toMatch(
      /not a single-output classifier \(inputs audio \[batch, 8\], state \[batch, 4\]; outputs scores \[batch, 3, 2\], next_state \[batch, 6\]\)/,
    );
    expect(out.stdout).toMatch(/fidelity per output/);
    expect(out.stdout).toMatch(/tflite-int8\s+scores\s+[\d.]+/);
    expect(out.stdout).toMatch(/task metrics/);
    const report = JSON.parse(readFileSync(join(dir, 'out', 'eval-report.json'), 'utf8')) as EvaluationReport;
    const { validateReport } = await import('@quant-trim/backend-eval');
    expect(() => validateReport(report)).not.toThrow();
    expect(report.data).toMatchObject({ samples: 10, calibrationSamples: 40, labelled: false });
    const m = report.models[0]!;
    expect(m.inputs).toEqual([
      { name: 'audio', sampleShape: [8] },
      { name: 'state', sampleShape: [4] },
    ]);
    for (const p of m.profiles) {
      expect(p.status, p.error?.message).toBe('ok');
      expect(p.fidelity!.map((f) => f.output)).toEqual(['scores', 'next_state']);
      expect(p.fidelity!.every((f) => f.sqnrDb > 5 && f.cosine > 0.9)).toBe(true);
      expect(p.scores![0]).toMatchObject({ metric: 'miou', higherIsBetter: true });
      expect(p.scores![0]!.drop).toBeCloseTo(p.scores![0]!.floatValue - p.scores![0]!.value, 12);
      expect(p.metrics?.accuracy).toBeUndefined();
    }
    expect(m.float.scores![0]!.metric).toBe('miou');

    // --metric mse through the config file's `metrics`, the same archive.
    writeFileSync(join(dir, 'q.json'), JSON.stringify({ metrics: ['mse'] }));
    python(`d = dict(np.load('feeds.npz')); d['targets'] = np.zeros((70, 3, 2), dtype=np.float32); np.savez('feeds-mse.npz', **d)`, dir);
    const mse = await run([
      'eval',
      join(dir, 'two.onnx'),
      '--config',
      join(dir, 'q.json'),
      '--dataset',
      join(dir, 'feeds-mse.npz'),
      '--profiles',
      'tflite-int8',
      '--runtimes',
      'none',
      '--out',
      join(dir, 'out-mse'),
    ]);
    expect(mse.code, mse.stderr).toBe(0);
    const mseReport = JSON.parse(readFileSync(join(dir, 'out-mse', 'eval-report.json'), 'utf8')) as EvaluationReport;
    expect(mseReport.models[0]!.profiles[0]!.scores![0]).toMatchObject({ metric: 'mse', higherIsBetter: false });
  });

  it('a two-input classifier is scored against the labels of the archive (train / test arrays as given)', async () => {
    const dir = tempDir('multi-cls');
    writeFileSync(join(dir, 'cls.onnx'), twoInputModel({ classifier: true }));
    python(
      `rng = np.random.default_rng(2)
np.savez('cls.npz', audio_train=rng.normal(size=(30, 8)).astype(np.float32), state_train=rng.normal(size=(30, 4)).astype(np.float32),
         audio_test=rng.normal(size=(12, 8)).astype(np.float32), state_test=rng.normal(size=(12, 4)).astype(np.float32),
         labels_test=rng.integers(0, 6, size=12))
np.savez('nolabels.npz', audio=rng.normal(size=(14, 8)).astype(np.float32), state=rng.normal(size=(14, 4)).astype(np.float32))`,
      dir,
    );
    const out = await run([
      'eval',
      join(dir, 'cls.onnx'),
      '--dataset',
      join(dir, 'cls.npz'),
      '--profiles',
      'tflite-int8',
      '--runtimes',
      'none',
      '--out',
      join(dir, 'out'),
    ]);
    expect(out.code, out.stderr).toBe(0);
    const report = JSON.parse(readFileSync(join(dir, 'out', 'eval-report.json'), 'utf8')) as EvaluationReport;
    expect(report.data).toMatchObject({ samples: 12, calibrationSamples: 30, labelled: true });
    expect(report.models[0]!.float.accuracy).toEqual(expect.any(Number));
    expect(report.models[0]!.profiles[0]!.metrics!.accuracy).toEqual(expect.any(Number));
    const unlabelled = await run([
      'eval',
      join(dir, 'cls.onnx'),
      '--dataset',
      join(dir, 'nolabels.npz'),
      '--profiles',
      'tflite-int8',
      '--runtimes',
      'none',
      '--out',
      join(dir, 'o2'),
    ]);
    expect(unlabelled.code).toBe(3);
    expect(unlabelled.stderr).toMatch(/QT_DATASET_CORRUPT: .*nolabels\.npz: no labels array \(labels or y\)/);
    const agreement = await run([
      'eval',
      join(dir, 'cls.onnx'),
      '--dataset',
      join(dir, 'nolabels.npz'),
      '--labels',
      'float',
      '--profiles',
      'tflite-int8',
      '--runtimes',
      'none',
      '--out',
      join(dir, 'o3'),
    ]);
    expect(agreement.code, agreement.stderr).toBe(0);
  });

  it('an archive without an array for an input, a non-archive dataset, or an unknown --metric: coded errors naming it', async () => {
    const dir = tempDir('multi-bad');
    writeFileSync(join(dir, 'two.onnx'), twoInputModel());
    python(`np.savez('audio-only.npz', audio=np.zeros((14, 8), dtype=np.float32))`, dir);
    const missing = await run(['eval', join(dir, 'two.onnx'), '--dataset', join(dir, 'audio-only.npz'), '--runtimes', 'none', '--out', join(dir, 'o1')]);
    expect(missing.code).toBe(3);
    expect(missing.stderr).toMatch(/QT_DATASET_CORRUPT: .*audio-only\.npz: no array for the model input 'state'; its arrays are audio/);
    const synthetic = await run(['eval', join(dir, 'two.onnx'), '--dataset', 'synthetic', '--runtimes', 'none', '--out', join(dir, 'o2')]);
    expect(synthetic.code).toBe(2);
    expect(synthetic.stderr).toMatch(/has 2 inputs \('audio', 'state'\): --dataset must be an \.npz archive/);
    const unknown = await run(['eval', join(dir, 'two.onnx'), '--dataset', join(dir, 'audio-only.npz'), '--metric', 'map', '--out', join(dir, 'o3')]);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/--metric: .*unknown metric "map"; registered: miou, mse, top5/);
  });
});

const torchMissing = pythonMissing('torch', 'onnx');

describe.skipIf(torchMissing !== undefined)('quant-trim eval: a two-input PyTorch export across every profile', () => {
  it('exports with /usr/bin/python3 (torch.onnx.export, two inputs, two outputs) and evaluates it on all 12 profiles', async () => {
    const dir = tempDir('torch-multi');
    python(
      `import torch, torch.nn as nn
torch.manual_seed(0)
class Two(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv = nn.Conv1d(1, 4, 3, padding=1)
        self.fc = nn.Linear(4, 4)
        self.head = nn.Linear(4 * 16, 3)
    def forward(self, audio, state):
        h = torch.relu(self.conv(audio))
        s = torch.tanh(self.fc(state))
        h = h + s.unsqueeze(-1)
        return self.head(h.flatten(1)), s
net = Two().eval()
torch.onnx.export(net, (torch.randn(1, 1, 16), torch.randn(1, 4)), 'two.onnx', opset_version=13, input_names=['audio', 'state'], output_names=['logits', 'next_state'], dynamic_axes={'audio': {0: 'n'}, 'state': {0: 'n'}, 'logits': {0: 'n'}, 'next_state': {0: 'n'}})
rng = np.random.default_rng(1)
np.savez('feeds.npz', audio=rng.normal(size=(42, 1, 16)).astype(np.float32), state=rng.normal(size=(42, 4)).astype(np.float32), labels=rng.integers(0, 3, size=42))`,
      dir,
      300_000,
    );
    const out = await run([
      'eval',
      join(dir, 'two.onnx'),
      '--dataset',
      join(dir, 'feeds.npz'),
      '--metric',
      'top5',
      '--runtimes',
      'onnxruntime-node',
      '--calibration-samples',
      '32',
      '--out',
      join(dir, 'out'),
    ]);
    expect(out.code, out.stderr).toBe(0);
    const report = JSON.parse(readFileSync(join(dir, 'out', 'eval-report.json'), 'utf8')) as EvaluationReport;
    const m = report.models[0]!;
    expect(m.profiles).toHaveLength(12);
    for (const p of m.profiles) {
      expect(p.status, `${p.profile}: ${p.error?.message}`).toBe('ok');
      expect(p.fidelity!.map((f) => f.output)).toEqual(['logits', 'next_state']);
      expect(p.runtimes![0]!.agreementWithEmulation).toBeGreaterThan(0);
      // 3 classes: top-5 always holds the label.
      expect(p.scores![0]).toMatchObject({ metric: 'top5', value: 1, floatValue: 1, drop: 0 });
    }
  }, 300_000);
});
