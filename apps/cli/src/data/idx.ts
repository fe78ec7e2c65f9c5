import { basename, join } from 'node:path';
import { readdirSync } from 'node:fs';
import { QuantTrimError } from '@quant-trim/errors';
import { corruptError, readDatasetFile } from './files.js';
import type { SamplePool } from './split.js';

/** IDX magic numbers: two zero bytes, data type 0x08 (unsigned byte), number of dimensions. */
const IMAGES_MAGIC = 0x00000803;
const LABELS_MAGIC = 0x00000801;
const UBYTE = 0x08;
const DTYPE_NAMES: Record<number, string> = { 0x08: 'unsigned byte', 0x09: 'signed byte', 0x0b: 'int16', 0x0c: 'int32', 0x0d: 'float32', 0x0e: 'float64' };

const hex = (n: number) => `0x${n.toString(16).padStart(8, '0')}`;

/** A parsed IDX file: `dims` from the header, `data` the uint8 payload (a view, not a copy). */
export interface IdxArray {
  readonly dims: readonly number[];
  readonly data: Uint8Array;
}

/**
 * Parses an IDX file (http://yann.lecun.com/exdb/mnist/) with unsigned-byte data and `ndim`
 * dimensions. `file` is only used in error messages.
 */
export function parseIdx(bytes: Uint8Array, file: string, ndim: 1 | 3): IdxArray {
  const expected = ndim === 3 ? IMAGES_MAGIC : LABELS_MAGIC;
  const what = ndim === 3 ? 'images' : 'labels';
  if (bytes.length < 4) throw corruptError(file, `truncated: ${bytes.length} bytes, too short for an IDX header`, { problem: 'truncated' });
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const magic = view.getUint32(0, false);
  if (bytes[0] !== 0 || bytes[1] !== 0) {
    throw corruptError(file, `bad magic number ${hex(magic)}, expected ${hex(expected)} (IDX ${what})`, { problem: 'bad-magic', magic });
  }
  const dtype = bytes[2] as number;
  if (dtype !== UBYTE) {
    const name = DTYPE_NAMES[dtype] ?? 'unknown';
    throw corruptError(file, `unsupported IDX data type 0x${dtype.toString(16).padStart(2, '0')} (${name}); only unsigned byte (0x08) is supported`, {
      problem: 'dtype',
      dtype,
    });
  }
  if (bytes[3] !== ndim) {
    throw corruptError(
      file,
      `bad magic number ${hex(magic)}, expected ${hex(expected)} (IDX ${what}: ${ndim} dimension${ndim === 1 ? '' : 's'}, got ${bytes[3]})`,
      { problem: 'bad-magic', magic },
    );
  }
  const headerSize = 4 + 4 * ndim;
  if (bytes.length < headerSize) throw corruptError(file, `truncated: ${bytes.length} bytes, the header alone needs ${headerSize}`, { problem: 'truncated' });
  const dims: number[] = [];
  for (let d = 0; d < ndim; d++) dims.push(view.getUint32(4 + 4 * d, false));
  const size = dims.reduce((a, b) => a * b, 1);
  const actual = bytes.length - headerSize;
  if (actual < size) {
    throw corruptError(file, `truncated: header declares ${dims.join('×')} = ${size} bytes of data, found ${actual}`, { problem: 'truncated', dims });
  }
  if (actual > size) {
    throw corruptError(file, `${actual - size} unexpected trailing bytes after the ${dims.join('×')} data declared in the header`, {
      problem: 'trailing-bytes',
      dims,
    });
  }
  return { dims, data: bytes.subarray(headerSize) };
}

/** Reads a matching images + labels pair into a pool (pixels scaled by 1/255). */
export function readIdxPair(imagesFile: string, labelsFile: string): SamplePool & { height: number; width: number } {
  const images = parseIdx(readDatasetFile(imagesFile), imagesFile, 3);
  const labels = parseIdx(readDatasetFile(labelsFile), labelsFile, 1);
  const [count = 0, height = 0, width = 0] = images.dims;
  const labelCount = labels.dims[0] ?? 0;
  if (count !== labelCount) {
    throw corruptError(imagesFile, `count mismatch: ${count} images but ${labelsFile} has ${labelCount} labels`, { problem: 'count-mismatch', labelsFile });
  }
  if (height === 0 || width === 0) throw corruptError(imagesFile, `empty image size ${height}×${width}`, { problem: 'shape' });
  return { pixels: images.data, labels: labels.data, count, sampleSize: height * width, scale: 1 / 255, height, width };
}

/** Split prefixes accepted in an IDX directory, in order of preference. */
const PREFIXES = { train: ['train'], test: ['t10k', 'test'] } as const;

/** File names tried for one split and kind: `t10k-images-idx3-ubyte`, `…-ubyte.gz`, `t10k-images.idx3-ubyte`, … */
export function idxCandidates(split: 'train' | 'test', kind: 'images' | 'labels'): string[] {
  const body = kind === 'images' ? 'images-idx3-ubyte' : 'labels-idx1-ubyte';
  const dotted = kind === 'images' ? 'images.idx3-ubyte' : 'labels.idx1-ubyte';
  return PREFIXES[split].flatMap((p) => [`${p}-${body}`, `${p}-${body}.gz`, `${p}-${dotted}`, `${p}-${dotted}.gz`]);
}

export interface IdxFiles {
  readonly trainImages: string;
  readonly trainLabels: string;
  readonly testImages: string;
  readonly testLabels: string;
}

/** The four IDX files in `dir`, or the list of names that were not found. */
export function findIdxFiles(dir: string): { files: IdxFiles; missing?: undefined } | { files?: undefined; missing: string[] } {
  let entries: Set<string>;
  try {
    entries = new Set(readdirSync(dir));
  } catch {
    entries = new Set();
  }
  const pick = (split: 'train' | 'test', kind: 'images' | 'labels') => idxCandidates(split, kind).find((name) => entries.has(name));
  const names = {
    trainImages: pick('train', 'images'),
    trainLabels: pick('train', 'labels'),
    testImages: pick('test', 'images'),
    testLabels: pick('test', 'labels'),
  };
  const missing: string[] = [];
  if (!names.trainImages) missing.push('train-images-idx3-ubyte[.gz]');
  if (!names.trainLabels) missing.push('train-labels-idx1-ubyte[.gz]');
  if (!names.testImages) missing.push('t10k-images-idx3-ubyte[.gz] (or test-…)');
  if (!names.testLabels) missing.push('t10k-labels-idx1-ubyte[.gz] (or test-…)');
  if (!names.trainImages || !names.trainLabels || !names.testImages || !names.testLabels) return { missing };
  return {
    files: {
      trainImages: join(dir, names.trainImages),
      trainLabels: join(dir, names.trainLabels),
      testImages: join(dir, names.testImages),
      testLabels: join(dir, names.testLabels),
    },
  };
}

/**
 * Loads the original train / test pools of an IDX dataset. The test images must have the training
 * image size, and every test label must lie in the training label range (`0 … max train label`);
 * otherwise the files do not belong together and loading fails with `QT_DATASET_CORRUPT`.
 */
export function readIdxDataset(files: IdxFiles): { train: SamplePool; test: SamplePool; height: number; width: number; classes: number } {
  const train = readIdxPair(files.trainImages, files.trainLabels);
  const test = readIdxPair(files.testImages, files.testLabels);
  if (train.height !== test.height || train.width !== test.width) {
    throw corruptError(
      files.testImages,
      `image size ${test.height}×${test.width} differs from ${basename(files.trainImages)} (${train.height}×${train.width})`,
      { problem: 'shape' },
    );
  }
  let maxTrain = -1;
  for (let i = 0; i < train.count; i++) if ((train.labels[i] as number) > maxTrain) maxTrain = train.labels[i] as number;
  if (train.count === 0) throw corruptError(files.trainImages, 'no training samples', { problem: 'empty' });
  for (let i = 0; i < test.count; i++) {
    const label = test.labels[i] as number;
    if (label > maxTrain) {
      throw corruptError(files.testLabels, `label ${label} of sample ${i} is out of range: the training labels span 0–${maxTrain}`, {
        problem: 'label-range',
        label,
        index: i,
      });
    }
  }
  return { train, test, height: train.height, width: train.width, classes: maxTrain + 1 };
}

/** `QT_DATASET_MISSING` for a directory without the four IDX files. */
export function idxMissingError(dir: string, missing: readonly string[], hint: string): QuantTrimError {
  return new QuantTrimError({
    code: 'QT_DATASET_MISSING',
    message: `${dir} holds no dataset: missing ${missing.join(', ')}`,
    details: { path: dir, missing, hint },
  });
}
