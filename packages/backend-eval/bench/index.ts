/**
 * All 12 built-in profiles on the reference CNN (28×28, conv 8 → pool → conv 16 → dense 10, the
 * onnx-export bench model) over 10,000 test images, with evaluate()'s default settings: emulated
 * accuracy on every image, per-layer sensitivity (256 images), native runs on onnxruntime-node and
 * onnxruntime-web (256 images each) with latency at batch 1 and 32. Reports the wall time of each
 * pass and the share spent in calibration, emulated inference, sensitivity and the real runtimes.
 * Usage: npm run bench -w @quant-trim/backend-eval [-- --passes 3]
 */
import { evaluate, formatReportTable, type EvaluationReport } from '../src/index.js';
import { referenceCnn } from './referenceCnn.js';

const passes = Number(process.argv[process.argv.indexOf('--passes') + 1]) || 3;
const { onnx, test, calibration, SIZE } = await referenceCnn();

const median = (v: number[]) => [...v].sort((a, b) => a - b)[v.length >> 1]!;
const walls: number[] = [];
const parts: Record<string, number[]> = { float: [], calibration: [], compileOther: [], inference: [], sensitivity: [], runtimes: [] };
let last: EvaluationReport | undefined;
for (let pass = 0; pass < passes; pass++) {
  const t0 = performance.now();
  let floatStart = t0;
  let floatSeconds = 0;
  last = await evaluate({
    models: { name: 'reference-cnn', onnx },
    data: { inputs: test.pixels, labels: test.labels, sampleShape: [SIZE, SIZE, 1], calibration: calibration.pixels },
    onProgress: (e) => {
      if (e.stage === 'float') floatStart = performance.now();
      if (e.stage === 'compile' && e.done === 0 && floatSeconds === 0) floatSeconds = (performance.now() - floatStart) / 1000;
    },
  });
  walls.push((performance.now() - t0) / 1000);
  const profiles = last.models[0]!.profiles;
  const sum = (f: (p: (typeof profiles)[number]) => number) => profiles.reduce((a, p) => a + f(p), 0);
  const calibrationSeconds = sum((p) => p.calibration?.seconds ?? 0);
  parts['float']!.push(floatSeconds);
  parts['calibration']!.push(calibrationSeconds);
  parts['compileOther']!.push(sum((p) => p.timing?.compileSeconds ?? 0) - calibrationSeconds);
  parts['inference']!.push(sum((p) => p.timing?.inferenceSeconds ?? 0));
  parts['sensitivity']!.push(sum((p) => p.timing?.sensitivitySeconds ?? 0));
  parts['runtimes']!.push(sum((p) => p.timing?.runtimeSeconds ?? 0));
  console.error(`pass ${pass + 1}/${passes}: ${walls.at(-1)!.toFixed(1)} s`);
}

const wall = median(walls);
console.log(`backend-eval bench: 12 profiles × reference CNN (28×28) × 10,000 test images, evaluate() defaults; ${passes} passes, medians`);
console.log(`wall time ${wall.toFixed(1)} s (passes: ${walls.map((w) => w.toFixed(1)).join(', ')}; target < 60 s)`);
console.log('');
console.log('| part | seconds | share of wall |');
console.log('|---|---|---|');
const labels: Record<string, string> = {
  float: 'float model over 10,000 images',
  calibration: 'calibration (12 profiles, float model + calibrators)',
  compileOther: 'compile, excluding calibration',
  inference: 'emulated inference (12 × 10,000 images)',
  sensitivity: 'per-layer sensitivity (isolated compiles + runs)',
  runtimes: 'native runs + latency on onnxruntime-node and -web',
};
for (const [k, v] of Object.entries(parts)) console.log(`| ${labels[k]} | ${median(v).toFixed(2)} | ${((100 * median(v)) / wall).toFixed(1)} % |`);
console.log('');
console.log(formatReportTable(last!, { format: 'markdown' }));
