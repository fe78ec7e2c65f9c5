import * as esbuild from 'esbuild';
import { describe, expect, it } from 'vitest';
import * as arrays from '@quant-trim/reverse-prune/arrays';
import * as main from '@quant-trim/reverse-prune';

describe('@quant-trim/reverse-prune/arrays', () => {
  it('exports the typed-array functions of the main entry, the same functions', () => {
    expect(arrays.trimTypedArray).toBe(main.trimTypedArray);
    expect(arrays.trimThresholds).toBe(main.trimThresholds);
    expect(arrays.diagnoseWeights).toBe(main.diagnoseWeights);
    expect(arrays.magnitudeMask).toBe(main.magnitudeMask);
    expect(arrays.polynomialSparsity).toBe(main.polynomialSparsity);
    expect(arrays.constantSparsity).toBe(main.constantSparsity);
  });

  it('bundles without any tfjs code', async () => {
    const result = await esbuild.build({
      stdin: {
        contents: "import { trimTypedArray, diagnoseWeights } from '@quant-trim/reverse-prune/arrays';\nconsole.log(trimTypedArray, diagnoseWeights);",
        resolveDir: import.meta.dirname,
      },
      bundle: true,
      write: false,
      format: 'esm',
      platform: 'browser',
      conditions: ['@quant-trim/source'],
      metafile: true,
      logLevel: 'silent',
    });
    const inputs = Object.keys(result.metafile.inputs);
    expect(inputs.filter((f) => f.includes('@tensorflow/'))).toEqual([]);
  }, 120_000);
});
