import { statSync } from 'node:fs';
import { resolve } from 'node:path';
import { QuantTrimError } from '@quant-trim/errors';
import type { OnnxModel } from '@quant-trim/onnx-export';
import { npyDirStore, npzStore, type ArrayStore } from '../../data/arrays.js';
import { corruptError } from '../../data/files.js';
import type { NpyArray } from '../../data/npy.js';
import { orderedIndices } from '../../data/split.js';

/** Share of a single pool of named arrays that goes to test (as the other single-pool sources: 1/7). */
const TEST_FRACTION = 1 / 7;

/** Evaluation data read from arrays named after the model's inputs. */
export interface NamedArrayData {
  readonly inputs: Record<string, Float32Array>;
  readonly sampleShape: Record<string, number[]>;
  readonly calibration: Record<string, Float32Array>;
  /** Class index per test sample (`labels` / `y`), when the archive has them. */
  readonly labels?: Float32Array;
  /** Task-metric targets of the test samples (`targets`, any shape with the samples first), when the archive has them. */
  readonly targets?: Float32Array;
  readonly testCount: number;
  readonly calibrationCount: number;
  /** One line for the log: where the split came from. */
  readonly description: string;
}

export interface NamedArrayOptions {
  readonly seed: number;
  readonly calibrationSamples: number;
  readonly trainLimit?: number | undefined;
  readonly testLimit?: number | undefined;
}

/** The data inputs of `model` with their declared shapes. */
function modelInputs(model: OnnxModel): { name: string; shape: readonly (number | string | null)[] | undefined }[] {
  return model.graph.inputs.filter((v) => !model.graph.initializers.has(v.name)).map((v) => ({ name: v.name, shape: v.shape }));
}

/** An `.npz` archive or a directory of `.npy` files, or undefined for any other dataset. */
export function namedArrayStore(dataset: string, cwd: string): ArrayStore | undefined {
  const path = resolve(cwd, dataset);
  if (/\.npz$/i.test(path)) return npzStore(path);
  try {
    if (statSync(path).isDirectory()) return npyDirStore(path);
  } catch {
    return undefined;
  }
  return undefined;
}

/** Rows `indices` of `array` (samples first) as float32. */
function rows(array: NpyArray, indices: ArrayLike<number>): Float32Array {
  const per = array.shape.slice(1).reduce((a, b) => a * b, 1);
  const out = new Float32Array(indices.length * per);
  for (let k = 0; k < indices.length; k++) {
    const from = (indices[k] as number) * per;
    for (let i = 0; i < per; i++) out[k * per + i] = array.data[from + i] as number;
  }
  return out;
}

const range = (n: number) => Uint32Array.from({ length: n }, (_, i) => i);

/**
 * Reads one array per data input of `model` from `store` (values used as they are, no scaling):
 * `<input>_train` with `<input>_test` keep their split; a lone `<input>` is one pool, seeded and
 * split 6:1 (1/7 to test). The calibration slice is the first `calibrationSamples` of the training
 * side in a seeded order. Optional `labels` / `y` (class per sample) and `targets` (task-metric
 * targets, samples first) follow the same split. A missing input array is `QT_DATASET_CORRUPT`
 * naming the input and listing the archive's arrays; sample counts or shapes that do not fit, too.
 */
export function loadNamedArrays(store: ArrayStore, model: OnnxModel, options: NamedArrayOptions): NamedArrayData {
  const inputs = modelInputs(model);
  const listed = store.keys.join(', ') || 'none';
  const split = inputs.every(({ name }) => store.keys.includes(`${name}_train`) && store.keys.includes(`${name}_test`));
  for (const { name } of inputs) {
    if (!store.keys.includes(split ? `${name}_test` : name)) {
      throw corruptError(
        store.file,
        `no array for the model input '${name}'; its arrays are ${listed}. Save one array per input name, e.g. numpy.savez('data.npz', ${inputs.map((v) => `${v.name}=…`).join(', ')})`,
        { problem: 'missing-key', key: name },
      );
    }
  }
  const read = (key: string): NpyArray => store.read(key);
  const optionalKey = (names: readonly string[], suffix: string) => names.map((n) => `${n}${suffix}`).find((k) => store.keys.includes(k));
  const sideKeys = (base: readonly string[]) =>
    split ? { train: optionalKey(base, '_train'), test: optionalKey(base, '_test') } : { pool: optionalKey(base, '') };
  const labelKeys = sideKeys(['labels', 'y']);
  const targetKeys = sideKeys(['targets']);

  let testIdx: Uint32Array;
  let calIdx: Uint32Array;
  let count: { train: number; test: number };
  const counts = (key: string) => read(key).shape[0] ?? 0;
  if (split) {
    count = { train: counts(`${inputs[0]!.name}_train`), test: counts(`${inputs[0]!.name}_test`) };
    testIdx = range(Math.min(count.test, options.testLimit ?? Infinity));
    calIdx = orderedIndices(Math.min(count.train, options.trainLimit ?? Infinity), options.seed, 'calibration', options.calibrationSamples);
  } else {
    const n = counts(inputs[0]!.name);
    const order = orderedIndices(n, options.seed, 'split', undefined);
    const tests = Math.max(1, Math.round(n * TEST_FRACTION));
    if (n - tests < 1)
      throw corruptError(
        store.where(inputs[0]!.name),
        `${n} sample(s): too few to split into calibration and test samples (save ${inputs[0]!.name}_train and ${inputs[0]!.name}_test arrays instead)`,
        { problem: 'empty' },
      );
    const train = order.subarray(tests, tests + Math.min(n - tests, options.trainLimit ?? Infinity));
    testIdx = order.subarray(0, Math.min(tests, options.testLimit ?? Infinity));
    calIdx = train.subarray(0, Math.min(train.length, options.calibrationSamples));
    count = { train: n, test: n };
  }

  const sampleShape: Record<string, number[]> = {};
  const test: Record<string, Float32Array> = {};
  const calibration: Record<string, Float32Array> = {};
  for (const { name, shape } of inputs) {
    const testArray = read(split ? `${name}_test` : name);
    const trainArray = split ? read(`${name}_train`) : testArray;
    const sides = split ? (['_test', '_train'] as const) : ([''] as const);
    for (const suffix of sides) {
      const a = suffix === '_train' ? trainArray : testArray;
      const expected = suffix === '_train' ? count.train : count.test;
      if (a.shape[0] !== expected) {
        throw corruptError(
          store.where(`${name}${suffix}`),
          `${a.shape[0]} samples, '${inputs[0]!.name}${suffix}' has ${expected}; every input needs the same number`,
          { problem: 'count-mismatch', input: name },
        );
      }
    }
    const sample = testArray.shape.slice(1);
    const declared = (shape ?? []).slice(1);
    const fits = declared.length === 0 || (declared.length === sample.length && declared.every((d, i) => typeof d !== 'number' || d === sample[i]));
    if (!fits || trainArray.shape.slice(1).join() !== sample.join()) {
      throw corruptError(
        store.where(split ? `${name}_test` : name),
        `samples of shape (${sample.join(', ')}) do not fit the model input '${name}' [${(shape ?? []).join(', ')}]`,
        { problem: 'shape', input: name },
      );
    }
    sampleShape[name] = [...sample];
    test[name] = rows(testArray, testIdx);
    calibration[name] = rows(trainArray, calIdx);
  }
  const side = (keys: { train?: string | undefined; test?: string | undefined; pool?: string | undefined }): Float32Array | undefined => {
    const key = split ? keys.test : keys.pool;
    if (key === undefined) return undefined;
    const a = read(key);
    if (a.shape[0] !== count.test) throw corruptError(store.where(key), `${a.shape[0]} rows for ${count.test} samples`, { problem: 'count-mismatch' });
    return rows(a, testIdx);
  };
  const labels = side(labelKeys);
  const targets = side(targetKeys);
  if (calIdx.length === 0)
    throw new QuantTrimError({
      code: 'QT_DATASET_CORRUPT',
      message: `${store.file}: no training samples to calibrate on`,
      details: { file: store.file, problem: 'empty' },
    });
  const description = split
    ? `${store.file}: ${inputs.map((v) => v.name).join(', ')} (train / test arrays as given), ${testIdx.length} test, ${calIdx.length} calibration samples`
    : `${store.file}: ${inputs.map((v) => v.name).join(', ')} (one pool, seeded 6:1 split, seed ${options.seed}), ${testIdx.length} test, ${calIdx.length} calibration samples`;
  return {
    inputs: test,
    sampleShape,
    calibration,
    ...(labels !== undefined ? { labels } : {}),
    ...(targets !== undefined ? { targets } : {}),
    testCount: testIdx.length,
    calibrationCount: calIdx.length,
    description,
  };
}
