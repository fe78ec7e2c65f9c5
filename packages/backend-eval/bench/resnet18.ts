/**
 * A real model at a real size: torchvision's ResNet-18 (random init, `weights=None`, BatchNorm
 * statistics recalibrated on random images so activations are not degenerate), exported by Debian's
 * torch at 224×224, then `evaluate()` over all 12 profiles with 256 calibration and `--images`
 * evaluation images (default 1,000; seeded noise images, no labels: agreement metrics), per-layer
 * sensitivity on, no real runtimes. Reports the wall time per phase (float run, compile with
 * calibration, emulated inference, sensitivity), the peak RSS of the process (worker threads
 * included), with `--workers` threads (default the core count). Targets: ≤ 10 min, ≤ 3 GB on 2 cores.
 *
 *   npx tsx --conditions=@quant-trim/source bench/resnet18.ts [--images 1000] [--workers 2]
 *     [--profiles tflite-int8,trt-int8-entropy] (a subset, for a quick look at the phases; the target is on all 12)
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { pythonHas, runPython } from '@quant-trim/test-utils';
import { evaluate } from '../src/index.js';

const arg = (name: string, fallback: number) => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
};
const images = arg('images', 1000);
const workers = arg('workers', availableParallelism());
const pi = process.argv.indexOf('--profiles');
const subset = pi >= 0 ? (process.argv[pi + 1] ?? '').split(',') : undefined;
const SIZE = 224;
const vision = pythonHas(['torch', 'torchvision', 'onnx']);
if (!vision.ok) {
  console.log(`resnet18 bench skipped: ${vision.reason}`);
  process.exit(0);
}

const dir = mkdtempSync(join(tmpdir(), 'qt-resnet18-'));
const t0 = performance.now();
runPython(
  `
import torch, torchvision
torch.manual_seed(0)
net = torchvision.models.resnet18(weights=None)
net.train()
with torch.no_grad():
    for _ in range(4):
        net(torch.randn(16, 3, ${SIZE}, ${SIZE}))
net.eval()
torch.onnx.export(net, torch.randn(1, 3, ${SIZE}, ${SIZE}), meta['path'], opset_version=13, input_names=['input'], output_names=['logits'], dynamic_axes={'input': {0: 'batch'}, 'logits': {0: 'batch'}})
outputs['done'] = [1]
`,
  {},
  { path: join(dir, 'resnet18.onnx') },
);
const exportSeconds = (performance.now() - t0) / 1000;

/** Seeded noise images in [−2, 2] (about the range of normalised ImageNet pixels). */
function noise(count: number, seed: number): Float32Array {
  // In shared memory, so the worker pool reads it in place instead of copying 600 MB.
  const out = new Float32Array(new SharedArrayBuffer(count * 3 * SIZE * SIZE * 4));
  let s = seed >>> 0;
  for (let i = 0; i < out.length; i++) {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = Math.imul(s ^ (s >>> 15), 1 | s);
    t ^= t + Math.imul(t ^ (t >>> 7), 61 | t);
    out[i] = (((t ^ (t >>> 14)) >>> 0) / 4294967296) * 4 - 2;
  }
  return out;
}

const onnx = new Uint8Array(readFileSync(join(dir, 'resnet18.onnx')));
const inputs = noise(images, 1);
const calibration = noise(256, 2);
let floatSeconds = 0;
const started = performance.now();
const report = await evaluate({
  models: { name: 'resnet18', onnx },
  ...(subset !== undefined ? { profiles: subset } : {}),
  data: { inputs, sampleShape: [3, SIZE, SIZE], calibration },
  runtimes: [],
  latency: false,
  workers,
  onProgress: (e) => {
    if (e.stage === 'compile' && floatSeconds === 0) floatSeconds = (performance.now() - started) / 1000;
  },
});
const wall = (performance.now() - started) / 1000;
const profiles = report.models[0]!.profiles;
const sum = (f: (p: (typeof profiles)[number]) => number | undefined) => profiles.reduce((a, p) => a + (f(p) ?? 0), 0);
const rssGb = process.resourceUsage().maxRSS / 1024 / 1024;
console.log(`resnet18 bench: 224×224, ${profiles.length} profiles, 256 calibration + ${images} evaluation images, sensitivity on, ${workers} worker(s)`);
console.log(
  `export (python) ${exportSeconds.toFixed(1)} s; evaluate wall ${wall.toFixed(1)} s (target ≤ 600 s); peak RSS ${rssGb.toFixed(2)} GB (target ≤ 3 GB)`,
);
console.log('| phase | seconds (summed over profiles; in parallel with workers > 1) |');
console.log('|---|---:|');
console.log(`| float run (once) | ${floatSeconds.toFixed(1)} |`);
console.log(`| compile incl. calibration | ${sum((p) => p.timing?.compileSeconds).toFixed(1)} |`);
console.log(`| of which calibration | ${sum((p) => p.calibration?.seconds).toFixed(1)} |`);
console.log(`| emulated inference | ${sum((p) => p.timing?.inferenceSeconds).toFixed(1)} |`);
console.log(`| sensitivity | ${sum((p) => p.timing?.sensitivitySeconds).toFixed(1)} |`);
console.log(
  `profiles ok: ${profiles.filter((p) => p.status === 'ok').length}/${profiles.length}${
    profiles.some((p) => p.status !== 'ok')
      ? ` (${profiles
          .filter((p) => p.status !== 'ok')
          .map((p) => `${p.profile}: ${p.error?.code}`)
          .join(', ')})`
      : ''
  }`,
);
