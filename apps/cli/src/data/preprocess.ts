import { QuantTrimError } from '@quant-trim/errors';
import { corruptError } from './files.js';
import { resizeBilinear, type HwcImage } from './resize.js';
import type { PreprocessOptions } from './types.js';

/** Preprocessing with every default filled in for one source. */
export interface ResolvedPreprocess {
  readonly resize?: number | readonly [number, number];
  readonly centerCrop?: readonly [number, number];
  readonly scale: number;
  readonly mean?: readonly number[];
  readonly std?: readonly number[];
  readonly channels: 1 | 3;
}

const pair = (v: number | readonly [number, number]): readonly [number, number] => (typeof v === 'number' ? [v, v] : v);

/**
 * Fills in the defaults of `options` for a source: `scale` falls back to `defaultScale` (1/255 for
 * 8-bit images and integer arrays, 1 for float arrays and for datasets already in [0, 1]); the
 * channel count to 3 when `mean` or `std` has 3 entries, else to `sourceChannels`.
 */
export function resolvePreprocess(options: PreprocessOptions | undefined, defaultScale: number, sourceChannels: 1 | 3): ResolvedPreprocess {
  const o = options ?? {};
  const channels = o.channels ?? (o.mean?.length === 3 || o.std?.length === 3 ? 3 : sourceChannels);
  for (const key of ['mean', 'std'] as const) {
    const values = o[key];
    if (values !== undefined && values.length !== 1 && values.length !== channels) {
      throw invalidPreprocess(key, `has ${values.length} entries but the samples have ${channels} channel${channels === 1 ? '' : 's'} (give 1 or ${channels})`);
    }
  }
  return {
    ...(o.resize !== undefined ? { resize: o.resize } : {}),
    ...(o.centerCrop !== undefined ? { centerCrop: pair(o.centerCrop) } : {}),
    scale: o.scale ?? defaultScale,
    ...(o.mean !== undefined ? { mean: o.mean } : {}),
    ...(o.std !== undefined ? { std: o.std } : {}),
    channels,
  };
}

/**
 * Checks preprocessing options passed to `loadDataset` directly (the CLI's config schema checks
 * the same rules with dotted paths): positive integer sizes, a finite non-zero scale, positive std.
 */
export function checkPreprocess(options: PreprocessOptions | undefined): void {
  if (options === undefined) return;
  const size = (v: unknown) => Number.isSafeInteger(v) && (v as number) >= 1;
  const sizeOrPair = (v: unknown) => size(v) || (Array.isArray(v) && v.length === 2 && v.every(size));
  if (options.resize !== undefined && !sizeOrPair(options.resize))
    throw invalidPreprocess('resize', `expected a positive integer (shorter side) or [height, width], got ${JSON.stringify(options.resize)}`);
  if (options.centerCrop !== undefined && !sizeOrPair(options.centerCrop))
    throw invalidPreprocess('centerCrop', `expected a positive integer or [height, width], got ${JSON.stringify(options.centerCrop)}`);
  if (options.scale !== undefined && !(Number.isFinite(options.scale) && options.scale !== 0))
    throw invalidPreprocess('scale', `expected a finite non-zero number, got ${JSON.stringify(options.scale)}`);
  if (options.mean !== undefined && !(Array.isArray(options.mean) && options.mean.length > 0 && options.mean.every(Number.isFinite)))
    throw invalidPreprocess('mean', `expected an array of numbers, got ${JSON.stringify(options.mean)}`);
  if (options.std !== undefined && !(Array.isArray(options.std) && options.std.length > 0 && options.std.every((s) => Number.isFinite(s) && s > 0)))
    throw invalidPreprocess('std', `expected an array of positive numbers, got ${JSON.stringify(options.std)}`);
  if (options.channels !== undefined && options.channels !== 1 && options.channels !== 3)
    throw invalidPreprocess('channels', `expected 1 or 3, got ${JSON.stringify(options.channels)}`);
  if (options.layout !== undefined && options.layout !== 'NCHW' && options.layout !== 'NHWC')
    throw invalidPreprocess('layout', `expected "NCHW" or "NHWC", got ${JSON.stringify(options.layout)}`);
}

function invalidPreprocess(key: string, problem: string): QuantTrimError {
  return new QuantTrimError({
    code: 'QT_INVALID_ARGUMENT',
    message: `argument \`preprocess.${key}\` of \`loadDataset\`: ${problem}`,
    details: { argument: `preprocess.${key}` },
  });
}

/** Python's `round` (half to even), which torchvision's `center_crop` uses for the offsets. */
function roundHalfEven(x: number): number {
  const r = Math.round(x);
  return Math.abs(x % 1) === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

/**
 * One sample through the pipeline, in torchvision's order: channels (RGB → gray by ITU-R 601
 * luma, gray → RGB by copying), resize (bilinear; a number sets the shorter side and keeps the
 * aspect ratio, flooring the longer side, as `transforms.Resize(n)`), center crop (offsets rounded
 * half to even, as `transforms.CenterCrop`), then `value · scale`, then `(value − mean[c]) / std[c]`.
 * `file` names the sample in errors (a crop larger than the image).
 */
export function preprocessImage(image: HwcImage, p: ResolvedPreprocess, file: string): HwcImage {
  let img = convertChannels(image, p.channels);
  if (p.resize !== undefined) {
    const [h, w] = typeof p.resize === 'number' ? shorterSide(img.height, img.width, p.resize) : p.resize;
    img = resizeBilinear(img, h, w);
  }
  if (p.centerCrop !== undefined) {
    const [ch, cw] = p.centerCrop;
    if (ch > img.height || cw > img.width) {
      throw corruptError(
        file,
        `center crop ${ch}×${cw} is larger than the ${p.resize === undefined ? '' : 'resized '}image (${img.height}×${img.width}); set preprocess.resize to at least the crop size`,
        { problem: 'crop' },
      );
    }
    img = crop(img, roundHalfEven((img.height - ch) / 2), roundHalfEven((img.width - cw) / 2), ch, cw);
  }
  const { scale, mean, std } = p;
  if (scale === 1 && mean === undefined && std === undefined) return img;
  const out = img.data instanceof Float32Array && img.data !== image.data ? img.data : new Float32Array(img.data.length);
  const c = img.channels;
  for (let i = 0; i < img.data.length; i++) {
    const k = i % c;
    const m = mean === undefined ? 0 : ((mean.length === 1 ? mean[0] : mean[k]) as number);
    const s = std === undefined ? 1 : ((std.length === 1 ? std[0] : std[k]) as number);
    out[i] = ((img.data[i] as number) * scale - m) / s;
  }
  return { ...img, data: out };
}

function shorterSide(h: number, w: number, size: number): [number, number] {
  if (h <= w) return [size, Math.floor((size * w) / h)];
  return [Math.floor((size * h) / w), size];
}

function convertChannels(image: HwcImage, channels: 1 | 3): HwcImage {
  if (image.channels === channels) return image;
  const n = image.height * image.width;
  const out = new Float32Array(n * channels);
  if (image.channels === 1) {
    for (let i = 0; i < n; i++) out[3 * i] = out[3 * i + 1] = out[3 * i + 2] = image.data[i] as number;
  } else {
    for (let i = 0; i < n; i++) {
      const r = image.data[3 * i] as number,
        g = image.data[3 * i + 1] as number,
        b = image.data[3 * i + 2] as number;
      out[i] = r === g && g === b ? r : (299 * r + 587 * g + 114 * b) / 1000;
    }
  }
  return { data: out, height: image.height, width: image.width, channels };
}

function crop(image: HwcImage, top: number, left: number, height: number, width: number): HwcImage {
  const c = image.channels;
  const out = new Float32Array(height * width * c);
  for (let y = 0; y < height; y++)
    out.set(image.data.subarray(((top + y) * image.width + left) * c, ((top + y) * image.width + left + width) * c), y * width * c);
  return { data: out, height, width, channels: c };
}

/** Whether `options` asks for any transform (layout alone changes nothing in the samples). */
export function hasTransforms(options: PreprocessOptions | undefined): boolean {
  if (options === undefined) return false;
  return (
    options.resize !== undefined ||
    options.centerCrop !== undefined ||
    options.scale !== undefined ||
    options.mean !== undefined ||
    options.std !== undefined ||
    options.channels !== undefined
  );
}

/** One line for reports: `resize 256 → center crop 224 → ×1/255 → mean/std`. */
export function describePreprocess(p: ResolvedPreprocess): string {
  const parts: string[] = [];
  if (p.resize !== undefined) parts.push(`resize ${typeof p.resize === 'number' ? `shorter side ${p.resize}` : p.resize.join('×')}`);
  if (p.centerCrop !== undefined) parts.push(`center crop ${p.centerCrop.join('×')}`);
  if (p.scale !== 1) parts.push(p.scale === 1 / 255 ? '×1/255' : `×${p.scale}`);
  if (p.mean !== undefined || p.std !== undefined) parts.push(`normalize mean [${(p.mean ?? [0]).join(', ')}] std [${(p.std ?? [1]).join(', ')}]`);
  return `${p.channels === 1 ? 'gray' : 'RGB'}${parts.length > 0 ? `, ${parts.join(' → ')}` : ''}`;
}
