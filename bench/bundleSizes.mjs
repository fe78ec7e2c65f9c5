// Bundle size of single-function imports, as an app bundler sees the published packages: esbuild
// bundles `import { name } from 'pkg'` from each package's dist/ (build first: `npm run build`),
// minified, for the browser, and reports the size and which tfjs packages ended up inside.
//
// Usage (repository root): npm run bench:bundles        (builds, then runs this script)
//                          node bench/bundleSizes.mjs    (uses the dist/ already built)
import * as esbuild from 'esbuild';

/** [import specifier, export name, target in kB or undefined, what must not be inside]. */
const CASES = [
  ['@quant-trim/quant-grid', 'packInt4', 4, ['@tensorflow/']],
  ['@quant-trim/quant-grid', 'fakeQuantize', undefined, ['@tensorflow/']],
  ['@quant-trim/schedulers', 'linear', 3, ['@tensorflow/']],
  ['@quant-trim/schedulers', 'quantTrimCurriculum', undefined, ['@tensorflow/']],
  ['@quant-trim/reverse-prune/arrays', 'trimTypedArray', 6, ['@tensorflow/']],
  ['@quant-trim/reverse-prune/arrays', 'diagnoseWeights', undefined, ['@tensorflow/']],
  ['@quant-trim/reverse-prune', 'createReversePrune', undefined, ['tfjs-backend-webgl', 'tfjs-converter']],
  ['@quant-trim/fake-quant', 'quantizeModel', undefined, ['tfjs-backend-webgl', 'tfjs-converter']],
  ['@quant-trim/fake-quant', 'initTrainingBackend', undefined, ['tfjs-backend-webgl', 'tfjs-converter']],
];

const packagesOf = (inputs) => [...new Set(inputs.map((f) => /node_modules\/(@tensorflow\/[^/]+)/.exec(f)?.[1]).filter(Boolean))].sort();
let failed = 0;
console.log('| import | min kB | target | tfjs packages inside | |');
console.log('|---|---:|---:|---|---|');
for (const [spec, name, target, banned] of CASES) {
  const result = await esbuild.build({
    stdin: { contents: `import { ${name} } from '${spec}';\nconsole.log(${name});`, resolveDir: process.cwd() },
    bundle: true,
    minify: true,
    write: false,
    format: 'esm',
    platform: 'browser',
    metafile: true,
    logLevel: 'silent',
  });
  const kB = result.outputFiles[0].contents.length / 1024;
  const kept = Object.entries(Object.values(result.metafile.outputs)[0].inputs)
    .filter(([, v]) => v.bytesInOutput > 0)
    .map(([f]) => f);
  const inside = packagesOf(kept);
  const bad = kept.filter((f) => banned.some((b) => f.includes(b)));
  const ok = (target === undefined || kB <= target) && bad.length === 0;
  if (!ok) failed++;
  console.log(
    `| \`import { ${name} } from '${spec}'\` | ${kB.toFixed(1)} | ${target === undefined ? '–' : `≤ ${target}`} | ${inside.join(', ') || 'none'} | ${ok ? '✓' : `✗${bad.length > 0 ? ` (${packagesOf(bad).join(', ') || bad[0]})` : ''}`} |`,
  );
}
if (failed > 0) {
  console.error(`${failed} bundle(s) over target or with banned contents`);
  process.exitCode = 1;
}
