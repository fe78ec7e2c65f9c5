import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { BUILTIN_DATASETS, loadDataset } from '../../src/data/index.js';
import { expectQtError, tempDir, writeFile } from './helpers.js';

describe('loadDataset', () => {
  it('reports an unknown name that is no path as QT_DATASET_MISSING listing the built-ins', async () => {
    const cwd = tempDir();
    const e = await expectQtError(() => loadDataset({ dataset: 'cifar10', cwd }), 'QT_DATASET_MISSING');
    expect(e.message).toContain('"cifar10"');
    expect(e.message).toContain(join(cwd, 'cifar10'));
    for (const name of BUILTIN_DATASETS) expect(e.message).toContain(name);
    expect(e.details?.['hint']).toMatch(/IDX/);
  });

  it('rejects a file that is not CSV', async () => {
    const file = writeFile(tempDir(), 'model.bin', 'x');
    await expectQtError(() => loadDataset({ dataset: file }), 'QT_INVALID_ARGUMENT');
  });

  it('validates seed and limits', async () => {
    const e = await expectQtError(() => loadDataset({ dataset: 'synthetic', trainLimit: -1 }), 'QT_INVALID_ARGUMENT');
    expect(e.message).toBe('argument `trainLimit` of `loadDataset`: expected a non-negative integer, got -1');
    await expectQtError(() => loadDataset({ dataset: 'synthetic', testLimit: 1.5 }), 'QT_INVALID_ARGUMENT');
    await expectQtError(() => loadDataset({ dataset: 'synthetic', seed: Number.NaN }), 'QT_INVALID_ARGUMENT');
    await expectQtError(() => loadDataset({ dataset: ' ' }), 'QT_INVALID_ARGUMENT');
  });

  it('returns empty splits for zero limits', async () => {
    const d = await loadDataset({ dataset: 'synthetic', trainLimit: 0, testLimit: 0 });
    expect([d.train.count, d.train.x.length, d.test.y.length]).toEqual([0, 0, 0]);
  });
});
