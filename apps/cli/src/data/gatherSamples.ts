import { corruptError } from './files.js';
import { preprocessImage, type ResolvedPreprocess } from './preprocess.js';
import type { HwcImage } from './resize.js';
import type { Split } from './types.js';

/**
 * Samples of one source (an image folder split, an array), read one at a time so only the samples a
 * split keeps are decoded and converted.
 */
export interface SampleSource {
  readonly count: number;
  /** Class index per sample, or `undefined` when the source has no labels. */
  readonly labels: Uint8Array | undefined;
  /** Where sample `i` comes from, for errors: a file path, or `file.npz:x[17]`. */
  readonly where: (i: number) => string;
  /** Sample `i` as raw values in HWC order (0–255 for images). */
  readonly sample: (i: number) => HwcImage | Promise<HwcImage>;
}

/** Shape `[height, width, channels]` of the samples a split ended with, and the sample it was first seen on. */
export interface SampleShape {
  readonly shape: readonly [number, number, number];
  readonly where: string;
}

/**
 * Reads `indices` of `source` (in that order) through the preprocessing into an NHWC split. Every
 * sample must end with the same shape (`expected`, e.g. the training split's, or the first
 * sample's); one that does not is `QT_DATASET_CORRUPT` naming both samples and the fix. `parallel`
 * samples are decoded at a time.
 */
export async function gatherSamples(
  source: SampleSource,
  indices: ArrayLike<number>,
  p: ResolvedPreprocess,
  expected?: SampleShape,
  parallel = 4,
): Promise<{ split: Split; shape: SampleShape | undefined }> {
  const count = indices.length;
  const y = new Uint8Array(count);
  let shape = expected;
  let x = new Float32Array(0);
  let size = shape === undefined ? 0 : shape.shape[0] * shape.shape[1] * shape.shape[2];
  if (shape !== undefined) x = new Float32Array(count * size);
  for (let from = 0; from < count; from += parallel) {
    const batch = Array.from({ length: Math.min(parallel, count - from) }, (_, k) => indices[from + k] as number);
    const images = await Promise.all(batch.map(async (i) => preprocessImage(await source.sample(i), p, source.where(i))));
    images.forEach((img, k) => {
      const i = batch[k] as number;
      if (shape === undefined) {
        shape = { shape: [img.height, img.width, img.channels], where: source.where(i) };
        size = img.data.length;
        x = new Float32Array(count * size);
      }
      const [h, w] = shape.shape;
      if (img.height !== h || img.width !== w) {
        throw corruptError(
          source.where(i),
          `is ${img.height}×${img.width} after preprocessing, but ${shape.where} is ${h}×${w}; samples of different sizes need preprocess.resize (e.g. [${h}, ${w}]) or preprocess.centerCrop`,
          { problem: 'shape', size: [img.height, img.width], expected: [h, w] },
        );
      }
      x.set(img.data, (from + k) * size);
      y[from + k] = source.labels === undefined ? 0 : (source.labels[i] as number);
    });
  }
  return { split: { x, y, count }, shape };
}
