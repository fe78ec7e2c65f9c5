/**
 * The worker pool against one thread: `evaluate()` of the reference CNN over all 12 profiles and
 * 10,000 test images (sensitivity on, real runtimes and latency off: latency is measured after the
 * pool, one profile at a time, so it would only add the same serial time to both), with
 * `workers: 1` and `workers: N` interleaved, `--passes` times each; medians and the median of the
 * per-pass ratios. Both reports are checked to hold the same results.
 *
 *   npx tsx --conditions=@quant-trim/source bench/workers.ts [--workers 2] [--passes 3]
 */
import { availableParallelism } from 'node:os';
import { evaluate, type EvaluationReport } from '../src/index.js';
import { referenceCnn } from './referenceCnn.js';

const arg = (name: string, fallback: number) => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
};
const passes = arg('passes', 3);
const workers = arg('workers', availableParallelism());
const { onnx, test, calibration, SIZE } = await referenceCnn();
const median = (v: number[]) => [...v].sort((a, b) => a - b)[v.length >> 1]!;
const results = (r: EvaluationReport) =>
  JSON.stringify(r.models[0]!.profiles.map(({ timing: _t, calibration: c, ...p }) => ({ ...p, calibration: { ...c, seconds: 0 } })));

const walls: Record<'one' | 'pool', number[]> = { one: [], pool: [] };
const ratios: number[] = [];
let reference: string | undefined;
for (let pass = 0; pass < passes; pass++) {
  const order = pass % 2 === 0 ? (['one', 'pool'] as const) : (['pool', 'one'] as const);
  const seconds: Partial<Record<'one' | 'pool', number>> = {};
  for (const which of order) {
    const t0 = performance.now();
    const report = await evaluate({
      models: { name: 'reference-cnn', onnx },
      data: { inputs: test.pixels, labels: test.labels, sampleShape: [SIZE, SIZE, 1], calibration: calibration.pixels },
      runtimes: [],
      latency: false,
      workers: which === 'one' ? 1 : workers,
    });
    seconds[which] = (performance.now() - t0) / 1000;
    walls[which].push(seconds[which]);
    reference ??= results(report);
    if (results(report) !== reference) throw new Error(`pass ${pass + 1} (${which}): results differ from the first run`);
  }
  ratios.push(seconds.one! / seconds.pool!);
  console.error(`pass ${pass + 1}/${passes}: 1 thread ${seconds.one!.toFixed(1)} s, ${workers} workers ${seconds.pool!.toFixed(1)} s`);
}
console.log(`backend-eval workers bench: 12 profiles × reference CNN × 10,000 images, sensitivity on, no runtimes; ${passes} interleaved passes, medians`);
console.log('| threads | wall s (median) |');
console.log('|---|---:|');
console.log(`| 1 | ${median(walls.one).toFixed(1)} |`);
console.log(`| ${workers} workers | ${median(walls.pool).toFixed(1)} |`);
console.log(`speed-up (median of per-pass ratios): ${median(ratios).toFixed(2)}x (target ≥ 1.7x on 2 cores); identical results in every pass`);
