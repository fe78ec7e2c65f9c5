/**
 * quant-grid throughput, measured side by side in one process:
 * - fake-quantize (per-tensor and per-channel) and quantize on 16M float32 values,
 * - next to a plain Float32Array copy of the same buffer (the memory-bandwidth ceiling),
 * - calibrator observe() throughput.
 * Each figure is the median of REPEATS runs after a warm-up; the ratios are what to compare
 * across machines. Usage: npm run bench -w @quant-trim/quant-grid [-- --size 16777216 --repeats 7]
 */
import { performance } from 'node:perf_hooks';
import { type Calibrator, computeQParams, computeRanges, configureKernels, createScheme, defaultRegistry, fakeQuantize, quantize } from '../src/index.js';

function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
}

const SIZE = arg('size', 16 * 1024 * 1024);
const REPEATS = arg('repeats', 7);

function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

/** Median seconds of `fn` over REPEATS runs, after one warm-up run. */
function time(fn: () => void, repeats = REPEATS): number {
  fn();
  const t: number[] = [];
  for (let r = 0; r < repeats; r++) {
    const t0 = performance.now();
    fn();
    t.push((performance.now() - t0) / 1000);
  }
  return median(t);
}

function data(n: number): Float32Array {
  const x = new Float32Array(n);
  let s = 12345;
  for (let i = 0; i < n; i++) {
    s = (s * 1103515245 + 12345) >>> 0;
    x[i] = (s / 4294967296 - 0.5) * 6;
  }
  return x;
}

const x = data(SIZE);
const out = new Float32Array(SIZE);
const rows: { name: string; seconds: number; elementsPerSecond: number; ofCopy: number }[] = [];
const copySeconds = time(() => out.set(x));
const add = (name: string, seconds: number) => rows.push({ name, seconds, elementsPerSecond: SIZE / seconds, ofCopy: copySeconds / seconds });
add('Float32Array copy (set)', copySeconds);

const perTensor = createScheme({ bits: 8 });
const qpT = computeQParams(computeRanges(x, [SIZE]), perTensor);
add(
  'fakeQuantize int8 per-tensor (half-even)',
  time(() => fakeQuantize(x, [SIZE], qpT, perTensor, out)),
);

configureKernels({ simd: false });
add(
  'fakeQuantize int8 per-tensor (half-even), scalar JS path',
  time(() => fakeQuantize(x, [SIZE], qpT, perTensor, out)),
);
configureKernels({ simd: true });

const channels = 256;
const shapeC = [channels, SIZE / channels];
const perChannel = createScheme({ bits: 8, granularity: { kind: 'per-channel', axis: 0 } });
const qpC = computeQParams(computeRanges(x, shapeC, perChannel.granularity), perChannel);
add(
  'fakeQuantize int8 per-channel axis 0 (256 ch)',
  time(() => fakeQuantize(x, shapeC, qpC, perChannel, out)),
);

const shapeL = [SIZE / 64, 64];
const perChannelLast = createScheme({ bits: 8, granularity: { kind: 'per-channel', axis: 1 } });
const qpL = computeQParams(computeRanges(x, shapeL, perChannelLast.granularity), perChannelLast);
add(
  'fakeQuantize int8 per-channel last axis (64 ch)',
  time(() => fakeQuantize(x, shapeL, qpL, perChannelLast, out)),
);

const halfAway = createScheme({ bits: 8, rounding: 'half-away' });
add(
  'fakeQuantize int8 per-tensor (half-away)',
  time(() => fakeQuantize(x, [SIZE], qpT, halfAway, out)),
);

const codes = new Int8Array(SIZE);
add(
  'quantize int8 per-tensor → Int8Array',
  time(() => quantize(x, [SIZE], qpT, perTensor, codes)),
);
add(
  'computeRanges per-tensor',
  time(() => computeRanges(x, [SIZE])),
);

// Calibrators: observe the whole buffer in 64 batches (fresh calibrator per run).
const batches = 64;
const batch = SIZE / batches;
for (const name of defaultRegistry.calibratorNames()) {
  const seconds = time(
    () => {
      const c: Calibrator = defaultRegistry.calibrator(name);
      for (let b = 0; b < batches; b++) c.observe(x.subarray(b * batch, (b + 1) * batch));
      c.compute(perTensor);
    },
    Math.max(3, REPEATS - 2),
  );
  add(`calibrator ${name}: observe + compute`, seconds);
}

console.log(`quant-grid bench: ${SIZE.toLocaleString('en-US')} float32 values, median of ${REPEATS} runs, node ${process.version}`);
console.log('');
console.log('| operation | median ms | M elements/s | throughput vs copy |');
console.log('|---|---:|---:|---:|');
for (const r of rows)
  console.log(`| ${r.name} | ${(r.seconds * 1000).toFixed(1)} | ${(r.elementsPerSecond / 1e6).toFixed(0)} | ${(r.ofCopy * 100).toFixed(1)} % |`);
const target = rows.find((r) => r.name.startsWith('fakeQuantize int8 per-tensor (half-even)'))!;
console.log('');
console.log(`per-tensor fake-quantize / copy throughput: ${(target.ofCopy * 100).toFixed(1)} % (target ≥ 25 %)`);
