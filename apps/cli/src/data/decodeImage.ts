import { readFile } from 'node:fs/promises';
import { QuantTrimError } from '@quant-trim/errors';
import type createSharp from 'sharp';
import type { Sharp as SharpImage } from 'sharp';
import { corruptError } from './files.js';
import type { HwcImage } from './resize.js';

/** File extensions read as images (case-insensitive); other files are skipped with a warning. */
export const IMAGE_EXTENSIONS = ['.png', '.jpg', '.jpeg'] as const;

type Sharp = typeof createSharp;
let sharpModule: Promise<Sharp> | undefined;

/** Loads sharp on first use, so datasets without images never load libvips. */
function loadSharp(): Promise<Sharp> {
  sharpModule ??= import('sharp').then(
    (m) => m.default,
    (cause: unknown) => {
      sharpModule = undefined;
      throw new QuantTrimError({
        code: 'QT_DATASET_MISSING',
        message: `cannot load the image decoder (npm package sharp): ${(cause as Error).message}`,
        cause,
        details: { hint: "reinstall quant-trim's dependencies (`npm ci`); sharp ships its libvips binary as the optional dependency @img/sharp-<platform>" },
      });
    },
  );
  return sharpModule;
}

/** A decoded image: 8-bit values 0–255 in HWC order, 1 channel for gray sources, else 3 (alpha dropped). */
export interface DecodedImage extends HwcImage {
  readonly data: Uint8Array;
  readonly channels: 1 | 3;
}

/**
 * Decodes one PNG or JPEG file with sharp (libvips) into 0–255 values. 16-bit PNGs are reduced to
 * 8 bits, palettes expanded, alpha dropped (as Pillow's `convert('RGB')`), EXIF orientation not
 * applied (as Pillow and torchvision). Truncated or corrupt files, and other formats behind an
 * image extension, are `QT_DATASET_CORRUPT` naming the file.
 */
export async function decodeImage(file: string): Promise<DecodedImage> {
  return withImage(file, async (image, gray) => {
    const { data, info } = await image.removeAlpha().raw({ depth: 'uchar' }).toBuffer({ resolveWithObject: true });
    const n = info.width * info.height;
    const channels = gray ? 1 : 3;
    const bytes = new Uint8Array(data.buffer, data.byteOffset, data.length);
    if (info.channels === channels) return { data: bytes, height: info.height, width: info.width, channels };
    const out = new Uint8Array(n * channels);
    const step = info.channels;
    for (let i = 0; i < n; i++) for (let k = 0; k < channels; k++) out[i * channels + k] = bytes[i * step + k] as number;
    return { data: out, height: info.height, width: info.width, channels };
  });
}

/** Whether `file` is a gray (or gray + alpha) PNG / JPEG, from its header; errors as {@link decodeImage}. */
export function isGrayImage(file: string): Promise<boolean> {
  return withImage(file, async (_image, gray) => gray);
}

async function withImage<T>(file: string, use: (image: SharpImage, gray: boolean) => Promise<T>): Promise<T> {
  const sharp = await loadSharp();
  let bytes: Buffer;
  try {
    bytes = await readFile(file);
  } catch (cause) {
    throw new QuantTrimError({
      code: 'QT_IO_ERROR',
      message: `cannot read image ${file}: ${(cause as NodeJS.ErrnoException).code ?? (cause as Error).message}`,
      cause,
      details: { path: file },
    });
  }
  if (bytes.length === 0) throw corruptError(file, 'empty file (0 bytes), not a PNG or JPEG image', { problem: 'image' });
  try {
    const image = sharp(bytes, { failOn: 'warning', limitInputPixels: 1 << 28 });
    const meta = await image.metadata();
    if (meta.format !== 'png' && meta.format !== 'jpeg') {
      throw corruptError(file, `is a ${meta.format ?? 'unknown'} image; only PNG and JPEG are read`, { problem: 'image-format', format: meta.format });
    }
    if ((meta.pages ?? 1) > 1) throw corruptError(file, `has ${meta.pages} frames (an animated PNG?); only still images are read`, { problem: 'image-format' });
    return await use(image, meta.channels === 1 || meta.channels === 2);
  } catch (cause) {
    if (cause instanceof QuantTrimError) throw cause;
    throw corruptError(file, `cannot decode (${firstLine((cause as Error).message)}): a truncated or corrupt PNG / JPEG`, { problem: 'image', cause });
  }
}

const firstLine = (text: string) => text.split('\n')[0]?.trim() ?? text;
