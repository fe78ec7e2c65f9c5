/**
 * Fuzzes the readers with seeded corrupted inputs: the ONNX reader, the config parser, the IDX
 * and CSV loaders and the run-report reader (see bench/fuzz/run.ts for the design). Per target it
 * prints the cases, the accepted inputs, the coded errors by code, the failures (anything else:
 * an uncoded throw, a hang past the time limit, a worker out of memory, a huge allocation) with
 * the flags that replay each, and the slowest case. Exit code 1 when any case failed.
 *
 * Usage: npm run bench:fuzz -w quant-trim -- [--seed 1] [--cases 10000] [--target onnx,csv]
 *        [--case i (replay case i alone)] [--time-limit 5000] [--dump dir (write failing inputs)]
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { formatResult, runFuzz, TARGET_NAMES } from './fuzz/run.js';

const { values } = parseArgs({
  options: {
    seed: { type: 'string', default: '1' },
    cases: { type: 'string', default: '10000' },
    target: { type: 'string' },
    case: { type: 'string' },
    'time-limit': { type: 'string', default: '5000' },
    dump: { type: 'string' },
  },
});
const seed = Number(values.seed);
const single = values.case === undefined ? undefined : Number(values.case);
const cases = single === undefined ? Number(values.cases) : 1;
const targets = values.target?.split(',') ?? [...TARGET_NAMES];
const unknown = targets.filter((t) => !(TARGET_NAMES as readonly string[]).includes(t));
if (!Number.isSafeInteger(seed) || !Number.isSafeInteger(cases) || cases < 1 || unknown.length > 0 || (single !== undefined && !Number.isSafeInteger(single))) {
  console.error(
    `usage: fuzz [--seed n] [--cases n] [--target ${TARGET_NAMES.join(',')}] [--case i] [--time-limit ms] [--dump dir]${unknown.length ? ` (unknown target ${unknown.join(', ')})` : ''}`,
  );
  process.exit(2);
}

console.log(
  `fuzz: seed ${seed}, ${single === undefined ? `${cases} cases per target` : `case ${single}`}, ${values['time-limit']} ms per case, node ${process.version}\n`,
);
const t0 = performance.now();
const results = await runFuzz({
  seed,
  cases,
  first: single ?? 0,
  targets,
  timeLimitMs: Number(values['time-limit']),
  onTarget: (r) => console.log(`${formatResult(r)}\n`),
});
const failures = results.reduce((n, r) => n + r.failures.length, 0);

console.log('| target | cases | ok | coded errors (by code) | failures | slowest case |');
console.log('|---|---:|---:|---|---:|---:|');
for (const r of results) {
  const coded = Object.entries(r.coded)
    .sort(([, a], [, b]) => b - a)
    .map(([c, n]) => `${c} ${n}`)
    .join(', ');
  console.log(`| ${r.target} | ${r.cases} | ${r.ok} | ${coded || '–'} | ${r.failures.length} | ${r.slowestMs.toFixed(1)} ms |`);
}
console.log(`\n${failures} failures, ${((performance.now() - t0) / 1000).toFixed(1)} s`);

if (values.dump !== undefined && failures > 0) {
  // Regenerate the failing inputs here (each case is a pure function of seed, target and index).
  const { TARGETS } = await import('./fuzz/targets.js');
  const { caseRng } = await import('./fuzz/mutate.js');
  mkdirSync(values.dump, { recursive: true });
  for (const r of results) {
    const target = TARGETS.find((t) => t.name === r.target)!;
    for (const f of r.failures) {
      const input = target.generate(caseRng(seed, r.target, f.index), f.index);
      const file = join(values.dump, `${r.target}-seed${seed}-case${f.index}${input.variant ? `-${input.variant}` : ''}.bin`);
      writeFileSync(file, input.bytes);
      console.log(`wrote ${file} (${input.bytes.length} bytes)`);
    }
  }
}
process.exitCode = failures > 0 ? 1 : 0;
