import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { FASHION_MNIST_CLASS_NAMES, FASHION_MNIST_DEFAULT_DIR, FASHION_MNIST_DIR_ENV, loadDataset } from '../../src/data/index.js';
import { classCounts, expectQtError, tempDir } from './helpers.js';

afterEach(() => {
  vi.unstubAllEnvs();
});

describe('fashion-mnist', () => {
  it('is QT_DATASET_MISSING with the apt-get hint when the files are not there', async () => {
    const dir = tempDir();
    vi.stubEnv(FASHION_MNIST_DIR_ENV, dir);
    const e = await expectQtError(() => loadDataset({ dataset: 'fashion-mnist' }), 'QT_DATASET_MISSING');
    expect(e.message).toContain(join(dir, 'train-images-idx3-ubyte.gz'));
    expect(e.message).toContain(FASHION_MNIST_DIR_ENV);
    const hint = String(e.details?.['hint']);
    expect(hint).toContain('sudo apt-get install -y dataset-fashion-mnist');
    expect(hint.indexOf('apt-get update')).toBeLessThan(hint.indexOf('apt-get install'));
  });

  it('names the directory itself when it does not exist, and the option beats the env var', async () => {
    vi.stubEnv(FASHION_MNIST_DIR_ENV, tempDir());
    const dir = join(tempDir(), 'nope');
    const e = await expectQtError(() => loadDataset({ dataset: 'fashion-mnist', fashionMnistDir: dir }), 'QT_DATASET_MISSING');
    expect(e.message).toContain(`${dir} does not exist`);
  });

  const installed = existsSync(join(FASHION_MNIST_DEFAULT_DIR, 'train-images-idx3-ubyte.gz'));
  if (!installed)
    console.log(`skipping the Fashion-MNIST load test: ${FASHION_MNIST_DEFAULT_DIR} is not installed (sudo apt-get install -y dataset-fashion-mnist)`);

  it.skipIf(!installed)('loads the Debian files: 60,000 / 10,000, 6,000 / 1,000 per class', async () => {
    vi.stubEnv(FASHION_MNIST_DIR_ENV, '');
    const d = await loadDataset({ dataset: 'fashion-mnist', seed: 0 });
    expect(d.train.count).toBe(60_000);
    expect(d.test.count).toBe(10_000);
    expect(d.train.x.length).toBe(60_000 * 784);
    expect(d.classes).toBe(10);
    expect(d.classNames).toEqual(FASHION_MNIST_CLASS_NAMES);
    expect(classCounts(d.train.y, 10)).toEqual(new Array(10).fill(6000));
    expect(classCounts(d.test.y, 10)).toEqual(new Array(10).fill(1000));
    let max = 0;
    for (let i = 0; i < d.test.x.length; i++) if (d.test.x[i]! > max) max = d.test.x[i]!;
    expect(max).toBe(1);
  });
});
