import { bundledFiles } from '@quant-trim/test-utils';
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
    const files = await bundledFiles(
      "import { trimTypedArray, diagnoseWeights } from '@quant-trim/reverse-prune/arrays';\nconsole.log(trimTypedArray, diagnoseWeights);",
      import.meta.dirname,
    );
    expect(files.filter((f) => f.includes('@tensorflow/'))).toEqual([]);
  }, 120_000);
});
