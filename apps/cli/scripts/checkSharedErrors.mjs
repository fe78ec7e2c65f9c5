// Run by `npm run lint` after the builds: every published package's dist must re-export the one
// QuantTrimError of @quant-trim/errors (not a copy bundled into it), so `instanceof` works across
// packages. Plain Node resolution, no source condition: exactly what an app installing them gets.
import * as errors from '@quant-trim/errors';

const PACKAGES = ['quant-grid', 'schedulers', 'fake-quant', 'reverse-prune', 'onnx-export', 'onnx-import', 'backend-eval'];
const problems = [];
for (const name of PACKAGES) {
  const mod = await import(`@quant-trim/${name}`);
  if (mod.QuantTrimError !== errors.QuantTrimError) problems.push(`@quant-trim/${name} exports its own QuantTrimError class`);
}
const grid = await import('@quant-trim/quant-grid');
try {
  grid.createScheme({ bits: 99 });
  problems.push('createScheme({ bits: 99 }) did not throw');
} catch (e) {
  if (!(e instanceof errors.QuantTrimError))
    problems.push('an error thrown by @quant-trim/quant-grid is not instanceof QuantTrimError from @quant-trim/errors');
}
if (problems.length > 0) {
  console.error(problems.join('\n'));
  process.exit(1);
}
console.log(`QuantTrimError is shared by ${PACKAGES.length} packages and @quant-trim/errors`);
