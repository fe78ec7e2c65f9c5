import { join } from 'node:path';
import { QuantTrimError } from '@quant-trim/errors';
import { corruptError, pathKind } from './files.js';
import { readIdxDataset } from './idx.js';
import { orderedSplit } from './split.js';
import type { Dataset } from './types.js';

/** Where Debian's `dataset-fashion-mnist` installs the original Zalando files. */
export const FASHION_MNIST_DEFAULT_DIR = '/usr/share/datasets/fashion-mnist';
/** Environment variable that overrides {@link FASHION_MNIST_DEFAULT_DIR}. */
export const FASHION_MNIST_DIR_ENV = 'QUANT_TRIM_FASHION_MNIST_DIR';
export const FASHION_MNIST_CLASS_NAMES = ['T-shirt/top', 'Trouser', 'Pullover', 'Dress', 'Coat', 'Sandal', 'Shirt', 'Sneaker', 'Bag', 'Ankle boot'] as const;
export const FASHION_MNIST_INSTALL = 'sudo apt-get install -y dataset-fashion-mnist';

const FILES = {
  trainImages: 'train-images-idx3-ubyte.gz',
  trainLabels: 'train-labels-idx1-ubyte.gz',
  testImages: 't10k-images-idx3-ubyte.gz',
  testLabels: 't10k-labels-idx1-ubyte.gz',
} as const;

/** The directory used for Fashion-MNIST: the option, else the env var, else the Debian path. */
export function fashionMnistDir(option?: string, env: NodeJS.ProcessEnv = process.env): { dir: string; from: 'option' | 'env' | 'default' } {
  if (option) return { dir: option, from: 'option' };
  const fromEnv = env[FASHION_MNIST_DIR_ENV];
  if (fromEnv) return { dir: fromEnv, from: 'env' };
  return { dir: FASHION_MNIST_DEFAULT_DIR, from: 'default' };
}

/**
 * Fashion-MNIST from the four gzipped IDX files of Debian `dataset-fashion-mnist`, with the
 * original 60,000 / 10,000 split. Each split is put in a seeded order; `trainLimit` / `testLimit`
 * keep the first N of it.
 */
export function loadFashionMnist(options: {
  seed: number;
  dir?: string | undefined;
  trainLimit?: number | undefined;
  testLimit?: number | undefined;
}): Dataset {
  const { dir, from } = fashionMnistDir(options.dir);
  const files = {
    trainImages: join(dir, FILES.trainImages),
    trainLabels: join(dir, FILES.trainLabels),
    testImages: join(dir, FILES.testImages),
    testLabels: join(dir, FILES.testLabels),
  };
  const missing = pathKind(dir) !== 'directory' ? dir : Object.values(files).find((file) => pathKind(file) !== 'file');
  if (missing !== undefined) {
    const origin = from === 'env' ? ` (from ${FASHION_MNIST_DIR_ENV})` : from === 'option' ? '' : ' (Debian package dataset-fashion-mnist)';
    throw new QuantTrimError({
      code: 'QT_DATASET_MISSING',
      message: `Fashion-MNIST not found: ${missing} does not exist${origin}`,
      details: {
        path: missing,
        hint: `install it with \`sudo apt-get update\` and then \`${FASHION_MNIST_INSTALL}\`, or set ${FASHION_MNIST_DIR_ENV} to a directory holding ${Object.values(FILES).join(', ')}`,
      },
    });
  }
  const data = readIdxDataset(files);
  if (data.height !== 28 || data.width !== 28) {
    throw corruptError(files.trainImages, `Fashion-MNIST images must be 28×28, got ${data.height}×${data.width}`, { problem: 'shape' });
  }
  if (data.classes > 10)
    throw corruptError(files.trainLabels, `label ${data.classes - 1} is out of range: Fashion-MNIST has classes 0–9`, { problem: 'label-range' });
  return {
    name: 'fashion-mnist',
    source: dir,
    sampleShape: [28, 28, 1],
    classes: 10,
    classNames: FASHION_MNIST_CLASS_NAMES,
    splitRule: `original Fashion-MNIST split, seeded order (seed ${options.seed})`,
    train: orderedSplit(data.train, options.seed, 'fashion-mnist/train', options.trainLimit),
    test: orderedSplit(data.test, options.seed, 'fashion-mnist/test', options.testLimit),
  };
}
