import { readdirSync } from 'node:fs';
import { basename, join } from 'node:path';
import { corruptError, readDatasetFile } from './files.js';
import { isIntegerDtype, parseNpy, type NpyArray } from './npy.js';
import { openNpz } from './npz.js';
import type { SampleSource } from './gatherSamples.js';
import type { ArrayKeys } from './types.js';

/** Conventional array names, tried in order when the config names none. */
export const ARRAY_KEYS = { x: ['x', 'images', 'data', 'X'], y: ['y', 'labels', 'targets', 'Y'], split: ['x_train', 'y_train', 'x_test', 'y_test'] } as const;

/** A samples array as a source: raw values, its layout resolved, its default scale. */
export interface ArraySource extends SampleSource {
  readonly channels: 1 | 3;
  /** 1/255 for integer dtypes (0–255 pixels), 1 for floats. */
  readonly defaultScale: number;
  readonly height: number;
  readonly width: number;
}

/** Arrays by key, read on demand: an `.npz` archive or a directory of `<key>.npy` files. */
export interface ArrayStore {
  readonly file: string;
  readonly keys: readonly string[];
  readonly read: (key: string) => NpyArray;
  /** How a key is named in messages (`data.npz:x.npy`, `dir/x.npy`). */
  readonly where: (key: string) => string;
}

/** An `.npz` archive as a store. */
export function npzStore(file: string): ArrayStore {
  const npz = openNpz(readDatasetFile(file), file);
  return { file, keys: npz.keys, read: npz.read, where: (key) => `${file}:${key}.npy` };
}

/** A single `.npy` file (samples only, no labels) as a store with the key `x`. */
export function npyFileStore(file: string): ArrayStore {
  return { file, keys: ['x'], read: () => parseNpy(readDatasetFile(file), file), where: () => file };
}

/** The `.npy` files of a directory as a store (key = file name without `.npy`), or `undefined` when it has none. */
export function npyDirStore(dir: string): ArrayStore | undefined {
  let names: string[];
  try {
    names = readdirSync(dir)
      .filter((n) => n.endsWith('.npy'))
      .sort();
  } catch {
    return undefined;
  }
  if (names.length === 0) return undefined;
  const keys = names.map((n) => n.slice(0, -4));
  return {
    file: dir,
    keys,
    read: (key) => parseNpy(readDatasetFile(join(dir, `${key}.npy`)), join(dir, `${key}.npy`)),
    where: (key) => join(dir, `${key}.npy`),
  };
}

/** Which keys hold what: `test` only when the store has its own split. */
export interface ResolvedKeys {
  readonly x: string;
  readonly y?: string;
  readonly xTest?: string;
  readonly yTest?: string;
}

/**
 * Picks the arrays: the config's names first; else `x_train` / `y_train` / `x_test` / `y_test`
 * (Keras' `mnist.npz`); else the first of `x`, `images`, `data`, `X` with the first of `y`,
 * `labels`, `targets`, `Y`; else the only array. A named key that is missing, or an ambiguous
 * store, is `QT_DATASET_CORRUPT` listing the keys.
 */
export function resolveKeys(store: ArrayStore, names: ArrayKeys = {}): ResolvedKeys {
  const has = (k: string) => store.keys.includes(k);
  const listed = store.keys.join(', ') || 'none';
  for (const field of ['x', 'y', 'xTest', 'yTest'] as const) {
    const key = names[field];
    if (key !== undefined && !has(key))
      throw corruptError(store.file, `no array "${key}" (arrays.${field}); its arrays are ${listed}`, { problem: 'missing-key', key });
  }
  const pick = (list: readonly string[]) => list.find(has);
  if (names.x === undefined && has('x_train')) {
    const y = names.y ?? (has('y_train') ? 'y_train' : undefined);
    const xTest = names.xTest ?? (has('x_test') ? 'x_test' : undefined);
    const yTest = names.yTest ?? (has('y_test') ? 'y_test' : undefined);
    return { x: 'x_train', ...(y ? { y } : {}), ...(xTest ? { xTest } : {}), ...(yTest ? { yTest } : {}) };
  }
  const x = names.x ?? pick(ARRAY_KEYS.x) ?? (store.keys.length === 1 ? store.keys[0] : undefined);
  if (x === undefined) {
    throw corruptError(
      store.file,
      `which array holds the samples? Found ${listed}; expected one named ${ARRAY_KEYS.x.join(', ')} or x_train / x_test, or name it with arrays.x in the config`,
      { problem: 'missing-key' },
    );
  }
  const y = names.y ?? pick(ARRAY_KEYS.y);
  return { x, ...(y ? { y } : {}), ...(names.xTest ? { xTest: names.xTest } : {}), ...(names.yTest ? { yTest: names.yTest } : {}) };
}

/**
 * The samples array `key` (with labels `labelKey`) as a source. Samples are N×H×W (gray),
 * N×H×W×C or N×C×H×W with C = 1 or 3 (`layout`, else NCHW when only the second axis is 1 or 3),
 * or N×D with D a square (gray). Labels are N integers in 0–255 (shape N or N×1).
 */
export function arraySource(store: ArrayStore, key: string, labelKey: string | undefined, layout?: 'NHWC' | 'NCHW'): ArraySource {
  const where = store.where(key);
  const x = store.read(key);
  const { shape } = x;
  const n = shape[0] ?? 0;
  let h: number,
    w: number,
    c: number,
    nchw = false;
  if (shape.length === 4) {
    const last = shape[3] as number,
      second = shape[1] as number;
    nchw = layout === 'NCHW' || (layout === undefined && last !== 1 && last !== 3 && (second === 1 || second === 3));
    [h, w, c] = nchw ? [shape[2] as number, shape[3] as number, second] : [second, shape[2] as number, last];
    if (c !== 1 && c !== 3) {
      throw corruptError(
        where,
        `shape (${shape.join(', ')}) read as ${nchw ? 'N×C×H×W' : 'N×H×W×C'} has ${c} channels; 1 (gray) or 3 (RGB) are read${layout === undefined ? ' (set arrays.layout if the axes are the other way round)' : ''}`,
        { problem: 'shape', shape },
      );
    }
  } else if (shape.length === 3) {
    [h, w, c] = [shape[1] as number, shape[2] as number, 1];
  } else if (shape.length === 2 && Number.isInteger(Math.sqrt(shape[1] as number))) {
    h = w = Math.sqrt(shape[1] as number);
    c = 1;
  } else {
    throw corruptError(where, `shape (${shape.join(', ')}) is not N×H×W, N×H×W×C, N×C×H×W or N×(side²) samples`, { problem: 'shape', shape });
  }
  if (n === 0 || h === 0 || w === 0) throw corruptError(where, `no samples: shape (${shape.join(', ')})`, { problem: 'empty', shape });
  const labels = labelKey === undefined ? undefined : readLabels(store, labelKey, n, where);
  const size = h * w * c;
  const hw = h * w;
  const data = x.data;
  return {
    count: n,
    labels,
    channels: c as 1 | 3,
    height: h,
    width: w,
    defaultScale: isIntegerDtype(x.dtype) ? 1 / 255 : 1,
    where: (i) => `${where}[${i}]`,
    sample: (i) => {
      const out = new Float32Array(size);
      const from = i * size;
      if (!nchw) for (let p = 0; p < size; p++) out[p] = data[from + p] as number;
      else for (let k = 0; k < c; k++) for (let p = 0; p < hw; p++) out[p * c + k] = data[from + k * hw + p] as number;
      return { data: out, height: h, width: w, channels: c };
    },
  };
}

function readLabels(store: ArrayStore, key: string, count: number, samplesWhere: string): Uint8Array {
  const where = store.where(key);
  const y = store.read(key);
  const { shape } = y;
  if (shape.length === 2 && (shape[1] as number) > 1) {
    throw corruptError(where, `shape (${shape.join(', ')}) looks one-hot; labels must be class indices (save y.argmax(axis=1))`, { problem: 'shape', shape });
  }
  if (!(shape.length === 1 || (shape.length === 2 && shape[1] === 1)))
    throw corruptError(where, `labels must have shape (N,), got (${shape.join(', ')})`, { problem: 'shape', shape });
  if (shape[0] !== count) {
    throw corruptError(where, `${shape[0]} labels for ${count} samples in ${basename(samplesWhere)}`, {
      problem: 'count-mismatch',
      labels: shape[0],
      samples: count,
    });
  }
  const out = new Uint8Array(count);
  for (let i = 0; i < count; i++) {
    const v = y.data[i] as number;
    if (!Number.isInteger(v) || v < 0 || v > 255)
      throw corruptError(where, `label ${v} at index ${i} is not an integer class index in 0–255`, { problem: 'label-range', index: i, label: v });
    out[i] = v;
  }
  return out;
}
