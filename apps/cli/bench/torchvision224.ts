/**
 * The "bring your own model" check at full size: Debian torchvision's mobilenet_v2, resnet18,
 * squeezenet1_1 and shufflenet_v2_x0_5 (random init, `weights=None`), each exported by Debian's torch
 * at 224×224 both ways (packages/onnx-import/scripts/export_torchvision.py: BatchNorm statistics
 * recalibrated on random images, folded at export) — fixed batch 1 (no `dynamic_axes`) and a dynamic batch — then
 * `quant-trim eval` on a generated image folder (two classes of random JPEGs and PNGs, resized and
 * centre-cropped to 224 by the config's preprocessing), all 12 profiles, `--labels float`, no real
 * runtimes. Passes when every run exits 0 with 12 of 12 profiles `ok`; prints one line per run
 * (exit code, profiles ok, wall time) and a summary.
 *
 * Usage (from the repository root):
 *   npx tsx --conditions=@quant-trim/source apps/cli/bench/torchvision224.ts [--images 16] [--models resnet18,squeezenet1_1]
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { pythonHas } from '@quant-trim/test-utils';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
const arg = (name: string, fallback: string) => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && process.argv[i + 1] !== undefined ? process.argv[i + 1]! : fallback;
};
const models = arg('models', 'mobilenet_v2,resnet18,squeezenet1_1,shufflenet_v2_x0_5').split(',');
const images = Number(arg('images', '16'));

const vision = pythonHas(['torch', 'torchvision', 'PIL']);
if (!vision.ok) {
  console.log(`torchvision224 bench skipped: ${vision.reason}`);
  process.exit(0);
}

const dir = mkdtempSync(join(tmpdir(), 'qt-tv224-'));
const script = `
import sys, os, random
from PIL import Image
out, images = sys.argv[1], int(sys.argv[2])
random.seed(0)
for cls in ('cat', 'dog'):
    os.makedirs(os.path.join(out, 'photos', cls), exist_ok=True)
    for i in range(images // 2):
        w, h = random.randint(200, 320), random.randint(200, 320)
        img = Image.frombytes('RGB', (w, h), bytes(random.getrandbits(8) for _ in range(w * h * 3)))
        img.save(os.path.join(out, 'photos', cls, f'{i}.' + ('jpg' if i % 2 == 0 else 'png')))
`;
const python = (args: string[], what: string) => {
  const py = spawnSync('/usr/bin/python3', args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  if (py.status !== 0) throw new Error(`${what} failed: ${py.stderr}`);
};
python(['-c', script, dir, String(images)], 'image generation');
const exporter = join(root, 'packages/onnx-import/scripts/export_torchvision.py');
for (const name of models) {
  for (const kind of ['fixed', 'dynamic']) {
    python(
      [
        exporter,
        '--model',
        name,
        '--size',
        '224',
        '--batch',
        '1',
        '--fold-bn',
        ...(kind === 'dynamic' ? ['--dynamic-batch'] : []),
        '--out',
        join(dir, `${name}-${kind}.onnx`),
      ],
      `export of ${name} (${kind} batch)`,
    );
  }
}
const config = join(dir, 'imagenet.config.json');
writeFileSync(
  config,
  JSON.stringify({ preprocess: { resize: 256, centerCrop: 224, mean: [0.485, 0.456, 0.406], std: [0.229, 0.224, 0.225], layout: 'NCHW' } }),
);

let failures = 0;
try {
  for (const name of models) {
    for (const kind of ['fixed', 'dynamic']) {
      const out = join(dir, `out-${name}-${kind}`);
      const t0 = performance.now();
      const run = spawnSync(
        process.execPath,
        [
          '--import',
          'tsx',
          '--conditions=@quant-trim/source',
          join(root, 'apps/cli/src/cli.ts'),
          'eval',
          join(dir, `${name}-${kind}.onnx`),
          '--dataset',
          join(dir, 'photos'),
          '--config',
          config,
          '--labels',
          'float',
          '--runtimes',
          'none',
          '--out',
          out,
        ],
        {
          cwd: root,
          encoding: 'utf8',
          env: { ...process.env, CI: '1' },
        },
      );
      const seconds = (performance.now() - t0) / 1000;
      let ok = 0;
      let total = 0;
      try {
        const report = JSON.parse(readFileSync(join(out, 'eval-report.json'), 'utf8')) as { models: { profiles: { status: string }[] }[] };
        const profiles = report.models[0]!.profiles;
        total = profiles.length;
        ok = profiles.filter((p) => p.status === 'ok').length;
      } catch {
        // no report: counted as a failure below
      }
      const passed = run.status === 0 && total === 12 && ok === 12;
      if (!passed) failures++;
      console.log(
        `${name} (${kind} batch): exit ${run.status}, ${ok}/${total} profiles ok, ${seconds.toFixed(0)} s${passed ? '' : `\n${run.stderr.slice(-2000)}`}`,
      );
    }
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
console.log(failures === 0 ? `all ${models.length * 2} evaluations: 12/12 profiles ok, exit 0` : `${failures} of ${models.length * 2} evaluations failed`);
process.exitCode = failures === 0 ? 0 : 1;
