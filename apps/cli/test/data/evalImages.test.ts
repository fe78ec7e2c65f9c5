import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { run, tempDir } from '../cli/helpers.js';
import { python, pythonMissing } from './python.js';

/** A 3-channel PyTorch conv net exported to ONNX (NCHW input, dynamic batch; `spatial`: dynamic H and W too). */
const MODEL = `import torch
torch.manual_seed(0)
net = torch.nn.Sequential(torch.nn.Conv2d(3, 4, 3, padding=1), torch.nn.ReLU(), torch.nn.AdaptiveAvgPool2d(1), torch.nn.Flatten(), torch.nn.Linear(4, 3)).eval()
for name, axes in [('net.onnx', {0: 'N'}), ('spatial.onnx', {0: 'N', 2: 'H', 3: 'W'})]:
    torch.onnx.export(net, torch.zeros(1, 3, 16, 16), name, input_names=['input'], output_names=['logits'], opset_version=13, dynamic_axes={'input': axes, 'logits': {0: 'N'}})
`;

/** Class c of 3 is a mostly-red, -green or -blue 16×16 PNG with noise; `loose/` holds 14 unlabelled ones of 20×24. */
const IMAGES = `from PIL import Image
import os
rng = np.random.default_rng(1)
for c, name in enumerate(['blue', 'green', 'red']):
    os.makedirs(f'images/{name}')
    for k in range(14):
        a = rng.integers(0, 80, (16, 16, 3))
        a[..., 2 - c] += 150
        Image.fromarray(a.astype(np.uint8)).save(f'images/{name}/{k}.png')
os.makedirs('loose')
for k in range(14):
    Image.fromarray(rng.integers(0, 256, (20, 24, 3)).astype(np.uint8)).save(f'loose/{k}.jpg', quality=90)
`;

const EVAL = ['--profiles', 'tflite-int8', '--runtimes', 'none', '--calibration-samples', '8', '--json'];

interface Report {
  labelled?: boolean;
  models: { float: { accuracy?: number }; profiles: { status: string; metrics?: { accuracy?: number; top1Agreement?: number } }[] }[];
}
const events = (stdout: string) =>
  stdout
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as { type: string; [k: string]: unknown });

describe.skipIf(pythonMissing('numpy', 'torch', 'PIL'))('quant-trim eval on image folders with a PyTorch (NCHW, 3-channel) model', () => {
  let dir = '';
  beforeAll(() => {
    dir = tempDir('eval-images');
    python(MODEL + IMAGES, dir, 300_000);
  });

  it('evaluates over <root>/<class>/*.png: NCHW input fed from the declared shape, an accuracy report', async () => {
    const out = join(dir, 'out-labelled');
    const r = await run(['eval', join(dir, 'net.onnx'), '--dataset', join(dir, 'images'), '--out', out, ...EVAL]);
    expect(r.code, r.stderr).toBe(0);
    const load = events(r.stdout).find((e) => e.type === 'phase-end' && e['phase'] === 'load');
    expect(load?.['label']).toMatch(/^images: 36 train \/ 6 test, 16×16×3, RGB, ×1\/255, 3 classes/);
    const report = JSON.parse(readFileSync(join(out, 'eval-report.json'), 'utf8')) as Report;
    const profile = report.models[0]!.profiles[0]!;
    expect(profile.status).toBe('ok');
    expect(profile.metrics?.accuracy).toBeGreaterThanOrEqual(0);
    expect(report.models[0]!.float.accuracy).toBeGreaterThanOrEqual(0);
  });

  it('--labels float over loose images (resize + layout from the config for a model with symbolic H, W): agreement, not accuracy', async () => {
    const out = join(dir, 'out-float');
    const config = join(dir, 'loose.config.json');
    writeFileSync(
      config,
      JSON.stringify({ dataset: 'loose', preprocess: { resize: [16, 16], mean: [0.5, 0.5, 0.5], std: [0.25, 0.25, 0.25], layout: 'NCHW' } }),
    );
    const r = await run(['eval', 'spatial.onnx', '--config', config, '--labels', 'float', '--out', out, ...EVAL.filter((a) => a !== '--json')], dir);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(
      /--labels float: no accuracy; "top-1 agr %" is the agreement of each profile's top-1 prediction with the float model's, not accuracy/,
    );
    const report = JSON.parse(readFileSync(join(out, 'eval-report.json'), 'utf8')) as Report;
    const profile = report.models[0]!.profiles[0]!;
    expect(profile.metrics?.accuracy).toBeUndefined();
    expect(profile.metrics?.top1Agreement).toBeGreaterThanOrEqual(0);
    expect(report.models[0]!.float.accuracy).toBeUndefined();
    // without --labels float the same data is refused: exit 3, the hint names the flag
    const refused = await run(['eval', 'spatial.onnx', '--config', config, '--out', join(dir, 'out-refused'), ...EVAL], dir);
    expect(refused.code).toBe(3);
    expect(refused.stderr).toMatch(/loose: no labels/);
    expect(refused.stderr).toMatch(/--labels float/);
  });

  it('a corrupt image stops eval with exit 3 naming the file, and writes no report', async () => {
    const root = join(dir, 'images');
    const bad = join(root, 'red', '3.png');
    const good = readFileSync(bad);
    writeFileSync(bad, good.subarray(0, 60));
    try {
      const out = join(dir, 'out-corrupt');
      const r = await run(['eval', join(dir, 'net.onnx'), '--dataset', root, '--out', out, ...EVAL.filter((a) => a !== '--json')]);
      expect(r.code).toBe(3);
      expect(r.stderr).toContain(`${bad}: cannot decode`);
      expect(r.stderr).toMatch(/QT_DATASET_CORRUPT/);
      expect(existsSync(join(out, 'eval-report.json'))).toBe(false);
    } finally {
      writeFileSync(bad, good);
    }
  });
});

describe('eval input layout with preprocess.layout', () => {
  it('forces the layout for symbolic dims and refuses declared dims that contradict it', async () => {
    const { inputLayout } = await import('../../src/commands/eval/index.js');
    const d = (layout?: 'NCHW' | 'NHWC') =>
      ({ name: 'rgb', sampleShape: [4, 5, 3] as const, ...(layout ? { layout } : {}) }) as unknown as Parameters<typeof inputLayout>[1];
    expect(inputLayout(['N', 'C', 'H', 'W'], d())).toEqual({ layout: 'NHWC', sampleShape: [4, 5, 3] });
    expect(inputLayout(['N', 'C', 'H', 'W'], d('NCHW'))).toEqual({ layout: 'NCHW', sampleShape: [3, 4, 5] });
    expect(inputLayout(['N', 3, 'H', 'W'], d('NCHW'))).toEqual({ layout: 'NCHW', sampleShape: [3, 4, 5] });
    expect(inputLayout(['N', 60], d('NCHW'))).toEqual({ layout: 'flat', sampleShape: [60] });
    expect(() => inputLayout(['N', 4, 5, 3], d('NCHW'))).toThrow(/does not fit rgb samples as preprocess\.layout NCHW \[3, 4, 5\]/);
    expect(() => inputLayout(['N', 3, 224, 224], d())).toThrow(/does not fit rgb samples of 4×5×3/);
  });
});
