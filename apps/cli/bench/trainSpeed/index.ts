/**
 * Training speed: the CLI's cnn (the reference CNN), dscnn and resnet-tiny, float and QAT, batch 64
 * of 28×28×1, ours on the wasm backend at 1 worker (the main thread) and at every core
 * (data-parallel workers, `runDataParallel`), beside PyTorch (Debian python3-torch) at 1 thread and
 * at every thread. Every repetition measures each configuration once, interleaved, so a busy
 * machine slows them alike; the tables give medians and the ratios within each repetition. The
 * "ceiling" column runs as many trainers as cores, each on its share of the batch and exchanging
 * nothing: what the machine gives any data-parallel scheme. Then a kernel profile of one QAT step
 * per model (tf.profile, main thread).
 *
 *   npx tsx --conditions=@quant-trim/source apps/cli/bench/trainSpeed/index.ts [--reps 5] [--steps 10] [--warmup 3] [--workers <cores>]
 */
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs';
import { initTrainingBackend } from '@quant-trim/fake-quant';
import { defaultWorkerCount, runDataParallel } from '@quant-trim/fake-quant/node';
import { BATCH, type BenchModel, MODELS, type Variant, benchBatch, benchModel, median } from './models.js';
import type { Task } from './worker.js';

function option(name: string, fallback: number): number {
  const at = process.argv.indexOf(`--${name}`);
  return at >= 0 ? Number(process.argv[at + 1]) : fallback;
}
const REPS = option('reps', 5);
const STEPS = option('steps', 10);
const WARMUP = option('warmup', 3);
const CORES = option('workers', defaultWorkerCount());
const VARIANTS: Variant[] = ['float', 'qat'];
const TASKS: Task[] = MODELS.flatMap((model) => VARIANTS.map((variant) => ({ model, variant, warmup: WARMUP, steps: STEPS })));
const key = (t: { model: BenchModel; variant: Variant }) => `${t.model}/${t.variant}`;

/** PyTorch as a line server (see torch_models.py), or undefined with the reason it is missing. */
async function startTorch(): Promise<{ ask(task: Task, threads: number): Promise<number>; close(): void; version: string } | string> {
  const child = spawn('/usr/bin/python3', [fileURLToPath(new URL('./torch_models.py', import.meta.url))], { stdio: ['pipe', 'pipe', 'ignore'] });
  const lines = createInterface({ input: child.stdout! })[Symbol.asyncIterator]();
  const failed = new Promise<string>((resolve) => child.on('error', (e) => resolve(e.message)));
  const first = await Promise.race([lines.next().then((r) => (r.done ? 'python3 exited (is python3-torch installed?)' : r.value)), failed]);
  let hello: { torch: string };
  try {
    hello = JSON.parse(first) as { torch: string };
  } catch {
    child.kill();
    return first;
  }
  return {
    version: hello.torch,
    async ask(task, threads) {
      child.stdin!.write(`${JSON.stringify({ ...task, threads })}\n`);
      const r = await lines.next();
      return (JSON.parse(r.value as string) as { ms: number }).ms;
    },
    close: () => child.kill(),
  };
}

const info = await initTrainingBackend({ backend: 'wasm' });
const torch = await startTorch();
const torchNote = typeof torch === 'string' ? torch : undefined;
const workerScript = fileURLToPath(new URL('./worker.mjs', import.meta.url));
const main = new Map(TASKS.map((t) => [key(t), { model: benchModel(t.model, t.variant), ...benchBatch() }]));

/** ms per step, per configuration and repetition. */
const runs = new Map<string, number[]>();
const record = (name: string, ms: number) => runs.set(name, [...(runs.get(name) ?? []), ms]);
for (let rep = 0; rep < REPS; rep++) {
  for (const t of TASKS) {
    const m = main.get(key(t))!;
    for (let i = 0; i < (rep === 0 ? t.warmup : 1); i++) await m.model.trainOnBatch(m.x, m.y);
    const t0 = performance.now();
    for (let i = 0; i < t.steps; i++) await m.model.trainOnBatch(m.x, m.y);
    record(`ours-1/${key(t)}`, (performance.now() - t0) / t.steps);
  }
  if (CORES > 1) {
    const [times] = await runDataParallel<number[]>(workerScript, { workers: CORES, data: { tasks: TASKS }, execArgv: ['--conditions=@quant-trim/source'] });
    TASKS.forEach((t, i) => record(`ours-${CORES}/${key(t)}`, times![i]!));
    // The ceiling: as many trainers as cores, each on its share of the batch, exchanging nothing.
    const qat = TASKS.filter((t) => t.variant === 'qat').map((t) => ({ ...t, independent: true }));
    const [alone] = await runDataParallel<number[]>(workerScript, { workers: CORES, data: { tasks: qat }, execArgv: ['--conditions=@quant-trim/source'] });
    qat.forEach((t, i) => record(`alone-${CORES}/${key(t)}`, alone![i]!));
  }
  if (typeof torch !== 'string') {
    for (const t of TASKS) {
      record(`torch-1/${key(t)}`, await torch.ask(t, 1));
      if (CORES > 1) record(`torch-${CORES}/${key(t)}`, await torch.ask(t, CORES));
    }
  }
  console.error(`rep ${rep + 1}/${REPS} done`);
}

const sps = (name: string) => (runs.has(name) ? (BATCH * 1000) / median(runs.get(name)!) : undefined);
/** Median over repetitions of the per-repetition ratio a / b of step times (b / a of throughputs). */
const ratio = (a: string, b: string) => {
  const x = runs.get(a);
  const y = runs.get(b);
  return x && y ? median(x.map((v, i) => y[i]! / v)) : undefined;
};
const fmt = (v: number | undefined, digits = 0) => (v === undefined ? '–' : v.toFixed(digits));
const trainers = ['ours-1', ...(CORES > 1 ? [`ours-${CORES}`] : []), 'torch-1', ...(CORES > 1 ? [`torch-${CORES}`] : [])];
const label: Record<string, string> = {
  'ours-1': 'ours, 1 worker',
  [`ours-${CORES}`]: `ours, ${CORES} workers`,
  'torch-1': 'PyTorch, 1 thread',
  [`torch-${CORES}`]: `PyTorch, ${CORES} threads`,
};

console.log(
  `training speed: batch ${BATCH}, 28×28×1, ${REPS} reps × ${STEPS} steps (medians), Node ${process.version}, tfjs wasm${info.simd ? ' SIMD' : ''}, ${typeof torch === 'string' ? `PyTorch skipped: ${torchNote}` : `PyTorch ${torch.version}`}, ${CORES} cores`,
);
console.log('');
console.log('samples/s:');
console.log('');
console.log(`| model | variant | ${trainers.map((t) => label[t]).join(' | ')} |`);
console.log(`|---|---|${trainers.map(() => '---:').join('|')}|`);
for (const t of TASKS) console.log(`| ${t.model} | ${t.variant} | ${trainers.map((tr) => fmt(sps(`${tr}/${key(t)}`))).join(' | ')} |`);
console.log('');
console.log('ratios (medians of per-repetition ratios; throughput of the first over the second):');
console.log('');
const columns: [string, string, string][] = [
  ['QAT/float step time, ours 1', 'ours-1/qat', 'ours-1/float'],
  ...(CORES > 1
    ? ([
        [`scaling ours ${CORES}/1 (QAT)`, `ours-${CORES}/qat`, 'ours-1/qat'],
        [`ceiling: ${CORES} independent trainers / 1 (QAT)`, `alone-${CORES}/qat`, 'ours-1/qat'],
      ] as [string, string, string][])
    : []),
  ['ours 1 / PyTorch 1 (QAT)', 'ours-1/qat', 'torch-1/qat'],
  ...(CORES > 1 ? ([[`ours ${CORES} / PyTorch ${CORES} (QAT)`, `ours-${CORES}/qat`, `torch-${CORES}/qat`]] as [string, string, string][]) : []),
  ['ours 1 / PyTorch 1 (float)', 'ours-1/float', 'torch-1/float'],
];
console.log(`| model | ${columns.map((c) => c[0]).join(' | ')} |`);
console.log(`|---|${columns.map(() => '---:').join('|')}|`);
for (const model of MODELS) {
  const cells = columns.map(([name, a, b]) => {
    const [ta, va] = a.split('/') as [string, string];
    const [tb, vb] = b.split('/') as [string, string];
    // QAT/float is a ratio of step times (higher = slower); the others of throughputs.
    return name.startsWith('QAT/float')
      ? fmt(ratio(`${tb}/${model}/${vb}`, `${ta}/${model}/${va}`), 2)
      : fmt(ratio(`${ta}/${model}/${va}`, `${tb}/${model}/${vb}`), 2);
  });
  console.log(`| ${model} | ${cells.join(' | ')} |`);
}

// One QAT step per model, kernel by kernel (median of 5 profiled steps).
for (const model of MODELS) {
  const m = main.get(`${model}/qat`)!;
  const steps: Map<string, { ms: number; calls: number }>[] = [];
  for (let i = 0; i < 5; i++) {
    const p = await tf.profile(async () => {
      await m.model.trainOnBatch(m.x, m.y);
      return [];
    });
    const byName = new Map<string, { ms: number; calls: number }>();
    // A tf.customGrad op shows as 'unnamed scope', its kernels also on their own: counted once.
    for (const k of p.kernels.filter((k) => k.name !== 'unnamed scope')) {
      const e = byName.get(k.name) ?? { ms: 0, calls: 0 };
      byName.set(k.name, { ms: e.ms + (typeof k.kernelTimeMs === 'number' ? k.kernelTimeMs : 0), calls: e.calls + 1 });
    }
    steps.push(byName);
  }
  const kernels = [...new Set(steps.flatMap((s) => [...s.keys()]))]
    .map((name) => ({ name, ms: median(steps.map((s) => s.get(name)?.ms ?? 0)), calls: steps[0]!.get(name)?.calls ?? 0 }))
    .sort((a, b) => b.ms - a.ms);
  const total = kernels.reduce((s, k) => s + k.ms, 0);
  console.log('');
  console.log(
    `kernel profile, ${model} QAT step (1 worker; ${total.toFixed(1)} ms in kernels): ${kernels
      .slice(0, 8)
      .map((k) => `${k.name} ${((100 * k.ms) / total).toFixed(1)} % (${k.calls})`)
      .join(', ')}`,
  );
}
if (typeof torch !== 'string') torch.close();
for (const m of main.values()) {
  m.model.dispose();
  tf.dispose([m.x, m.y]);
}
