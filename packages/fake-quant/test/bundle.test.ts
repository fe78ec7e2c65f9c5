import { bundledFiles } from '@quant-trim/test-utils';
import { describe, expect, it } from 'vitest';

/** The tfjs packages a browser bundle of `import { name } from '@quant-trim/fake-quant'` keeps code from. */
async function tfjsInside(name: string): Promise<string[]> {
  const files = await bundledFiles(`import { ${name} } from '@quant-trim/fake-quant';\nconsole.log(${name});`, import.meta.dirname);
  const kept = files.map((file) => /node_modules\/(@tensorflow\/[^/]+)/.exec(file)?.[1]);
  return [...new Set(kept.filter((p): p is string => p !== undefined))].sort();
}

describe('browser bundles import tfjs-core and tfjs-layers, not the umbrella', () => {
  it('quantizeModel: core and layers only (no WebGL backend, no converter)', async () => {
    expect(await tfjsInside('quantizeModel')).toEqual(['@tensorflow/tfjs-core', '@tensorflow/tfjs-layers']);
  }, 120_000);

  it('initTrainingBackend adds the wasm backend (and the cpu kernels it shares), still no WebGL or converter', async () => {
    const inside = await tfjsInside('initTrainingBackend');
    expect(inside).toContain('@tensorflow/tfjs-backend-wasm');
    expect(
      inside.filter((p) => !['@tensorflow/tfjs-core', '@tensorflow/tfjs-layers', '@tensorflow/tfjs-backend-cpu', '@tensorflow/tfjs-backend-wasm'].includes(p)),
    ).toEqual([]);
  }, 120_000);
});
