/**
 * Wall time of `quant-trim demo` with its defaults (the README's main job; target: under 10
 * minutes on a 2-core machine), split by phase: dataset load, training of each method, evaluation
 * of the three checkpoints across every backend profile, report. One run (it trains for real).
 * Usage: npm run bench -w quant-trim
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { demo } from '../src/commands/demo/index.js';
import type { Reporter } from '../src/output/types.js';

const out = mkdtempSync(join(tmpdir(), 'quant-trim-bench-'));
const phases: { label: string; seconds: number }[] = [];
const reporter: Reporter = { onPhaseEnd: (e) => void phases.push({ label: e.label, seconds: e.seconds }) };
const t0 = performance.now();
try {
  const { report } = await demo({ out }, { cwd: process.cwd(), reporter, argv: ['demo'] });
  const wall = (performance.now() - t0) / 1000;
  console.log(
    `quant-trim demo: ${report.dataset.name} (${report.dataset.trainSamples} train / ${report.dataset.testSamples} test), ${report.model.name}, ${report.budget.epochs} epochs × ${report.methods.length} methods, ${report.evaluation.models[0]?.profiles.length ?? 0} profiles`,
  );
  console.log(`wall time ${wall.toFixed(1)} s (target < 600 s)\n`);
  console.log('| phase | seconds | share |');
  console.log('|---|---:|---:|');
  for (const p of phases) console.log(`| ${p.label} | ${p.seconds.toFixed(1)} | ${((100 * p.seconds) / wall).toFixed(1)} % |`);
} finally {
  rmSync(out, { recursive: true, force: true });
}
