import { readFileSync, statSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { QuantTrimError } from '@quant-trim/errors';

/** A `QT_DATASET_CORRUPT` error whose message starts with the file (and line, for text files). */
export function corruptError(file: string, problem: string, details: Record<string, unknown> = {}): QuantTrimError {
  return new QuantTrimError({
    code: 'QT_DATASET_CORRUPT',
    message: `${file}: ${problem}`,
    details: { file, ...details },
  });
}

/** What kind of entry `path` is, or `undefined` when there is nothing there. */
export function pathKind(path: string): 'file' | 'directory' | undefined {
  try {
    const stat = statSync(path);
    return stat.isDirectory() ? 'directory' : stat.isFile() ? 'file' : undefined;
  } catch {
    return undefined;
  }
}

/** The most a gzip-compressed dataset file may expand to (a few kilobytes of gzip can claim gigabytes). */
export const MAX_GUNZIPPED_BYTES = 2 * 1024 ** 3;

/**
 * Reads a dataset file, gunzipping it when it starts with the gzip magic bytes (whatever its name).
 * A missing file is `QT_DATASET_MISSING`, an unreadable one `QT_IO_ERROR`, a broken gzip stream or
 * one that expands past `maxGunzippedBytes` (default `MAX_GUNZIPPED_BYTES`) `QT_DATASET_CORRUPT`,
 * refused before the memory is taken.
 */
export function readDatasetFile(file: string, options: { maxGunzippedBytes?: number } = {}): Uint8Array {
  let bytes: Buffer;
  try {
    bytes = readFileSync(file);
  } catch (cause) {
    const code = (cause as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') {
      throw new QuantTrimError({ code: 'QT_DATASET_MISSING', message: `dataset file not found: ${file}`, cause, details: { path: file } });
    }
    throw new QuantTrimError({ code: 'QT_IO_ERROR', message: `cannot read dataset file ${file}: ${(cause as Error).message}`, cause, details: { path: file } });
  }
  if (bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b) {
    try {
      bytes = gunzipSync(bytes, { maxOutputLength: options.maxGunzippedBytes ?? MAX_GUNZIPPED_BYTES });
    } catch (cause) {
      if ((cause as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE') {
        const limit = options.maxGunzippedBytes ?? MAX_GUNZIPPED_BYTES;
        throw corruptError(
          file,
          `expands to more than ${limit.toLocaleString('en-US')} bytes when gunzipped (the limit for compressed dataset files); give it uncompressed`,
          { cause, limit },
        );
      }
      throw corruptError(file, `not a valid gzip stream (${(cause as Error).message})`, { cause });
    }
  }
  return new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}
