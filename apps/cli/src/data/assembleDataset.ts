import { QuantTrimError } from '@quant-trim/errors';
import { corruptError } from './files.js';
import { describePreprocess, hasTransforms, preprocessImage, resolvePreprocess } from './preprocess.js';
import { gatherSamples, type SampleSource } from './gatherSamples.js';
import { classCount, orderedIndices, stratifiedIndices } from './split.js';
import type { Dataset, PreprocessOptions, Split } from './types.js';

/** Share of a single pool (CSV file, image folder without splits, array without a test array) that goes to test. */
export const POOL_TEST_FRACTION = 1 / 7;

/** What a source-specific loader knows; `assembleDataset` does the split, the labels rule and the preprocessing. */
export interface SourcesSpec {
  readonly name: string;
  readonly source: string;
  /** The training pool, or the only pool (split 6:1 by class when `test` is absent). */
  readonly train: SampleSource;
  readonly test?: SampleSource;
  /** Random stream prefix of the split (`images`, `npy`). */
  readonly stream: string;
  /** What `pool` / `train` / `test` hold, for the split rule and errors (`class folders`, `x`). */
  readonly what: { pool: string; train: string; test: string };
  readonly classNames?: readonly string[];
  /** Preprocessing defaults of this source: raw-value scale and channel count (or how to find it from the kept samples). */
  readonly defaultScale: number;
  readonly channels: 1 | 3 | ((kept: { source: SampleSource; indices: ArrayLike<number> }[]) => Promise<1 | 3>);
}

export interface AssembleOptions {
  readonly seed: number;
  readonly trainLimit: number | undefined;
  readonly testLimit: number | undefined;
  readonly preprocess: PreprocessOptions | undefined;
  readonly labels: 'required' | 'optional';
}

/**
 * Splits, reads and preprocesses sample sources into a dataset. A source without labels is
 * `QT_DATASET_CORRUPT` (problem `no-labels`) unless `labels` is `optional`. Only the samples the
 * limits keep are read, so a corrupt file outside them goes unnoticed.
 */
export async function assembleDataset(spec: SourcesSpec, o: AssembleOptions): Promise<Dataset> {
  const labelled = spec.train.labels !== undefined;
  if (!labelled && o.labels !== 'optional') {
    throw new QuantTrimError({
      code: 'QT_DATASET_CORRUPT',
      message: `${spec.source}: no labels (${spec.what.pool} without labels)`,
      details: {
        file: spec.source,
        problem: 'no-labels',
        hint: 'give images class subfolders (<root>/<class>/<image>) or arrays a label array (y / labels, or arrays.y in the config); `quant-trim eval --labels float` scores agreement with the float model instead',
      },
    });
  }
  if (spec.test !== undefined && labelled !== (spec.test.labels !== undefined)) {
    throw corruptError(spec.source, `${labelled ? spec.what.train : spec.what.test} has labels but ${labelled ? spec.what.test : spec.what.train} has none`, {
      problem: 'no-labels',
    });
  }
  const { seed } = o;
  const indices = spec.test
    ? {
        train: orderedIndices(spec.train.count, seed, `${spec.stream}/train`, o.trainLimit),
        test: orderedIndices(spec.test.count, seed, `${spec.stream}/test`, o.testLimit),
      }
    : stratifiedIndices(spec.train.labels ?? new Uint8Array(spec.train.count), spec.train.count, {
        seed,
        stream: spec.stream,
        testFraction: POOL_TEST_FRACTION,
        trainLimit: o.trainLimit,
        testLimit: o.testLimit,
      });
  const testSource = spec.test ?? spec.train;
  const kept = [
    { source: spec.train, indices: indices.train },
    { source: testSource, indices: indices.test },
  ];
  const explicitChannels = o.preprocess?.channels !== undefined || o.preprocess?.mean?.length === 3 || o.preprocess?.std?.length === 3;
  const sourceChannels = typeof spec.channels === 'number' ? spec.channels : explicitChannels ? 1 : await spec.channels(kept);
  const p = resolvePreprocess(o.preprocess, spec.defaultScale, sourceChannels);
  const train = await gatherSamples(spec.train, indices.train, p);
  const test = await gatherSamples(testSource, indices.test, p, train.shape);
  const shape = train.shape ?? test.shape;
  if (shape === undefined) throw corruptError(spec.source, 'no samples left after trainLimit / testLimit', { problem: 'empty' });
  const classes =
    spec.classNames?.length ?? (labelled ? classCount(...[spec.train.labels, spec.test?.labels].filter((l): l is Uint8Array => l !== undefined)) : 0);
  return {
    name: spec.name,
    source: spec.source,
    sampleShape: shape.shape,
    classes,
    ...(spec.classNames ? { classNames: spec.classNames } : {}),
    splitRule: spec.test
      ? `${spec.what.train} / ${spec.what.test} as given, seeded order (seed ${seed})`
      : `stratified seeded split of ${spec.what.pool}, 1/7 ${labelled ? 'of each class ' : ''}to test (seed ${seed})`,
    train: train.split,
    test: test.split,
    labelled,
    ...(o.preprocess?.layout ? { layout: o.preprocess.layout } : {}),
    preprocessing: describePreprocess(p),
  };
}

/**
 * Preprocessing for the sources that load as [0, 1] values (built-ins, IDX, CSV): `scale` defaults
 * to 1 there. Returns `dataset` itself when nothing is asked for.
 */
export function preprocessDataset(dataset: Dataset, options: PreprocessOptions | undefined): Dataset {
  const layout = options?.layout ? { layout: options.layout } : {};
  if (!hasTransforms(options)) return { ...dataset, ...layout };
  const [h, w, c] = dataset.sampleShape;
  const p = resolvePreprocess(options, 1, c === 3 ? 3 : 1);
  const run = (split: Split, label: string): { split: Split; shape: readonly [number, number, number] } => {
    // Every sample of these sources has the same size, so every output has the last one's shape.
    let shape: readonly [number, number, number] = [h, w, p.channels];
    const parts: (Float32Array | Uint8Array)[] = [];
    for (let i = 0; i < split.count; i++) {
      const img = preprocessImage(
        { data: split.x.subarray(i * h * w * c, (i + 1) * h * w * c), height: h, width: w, channels: c },
        p,
        `${dataset.name} ${label}[${i}]`,
      );
      shape = [img.height, img.width, img.channels];
      parts.push(img.data);
    }
    const size = shape[0] * shape[1] * shape[2];
    const x = new Float32Array(split.count * size);
    parts.forEach((part, i) => x.set(part, i * size));
    return { split: { x, y: split.y, count: split.count }, shape };
  };
  const train = run(dataset.train, 'train');
  const test = run(dataset.test, 'test');
  return {
    ...dataset,
    sampleShape: dataset.train.count > 0 ? train.shape : test.shape,
    train: train.split,
    test: test.split,
    ...layout,
    preprocessing: describePreprocess(p),
  };
}
