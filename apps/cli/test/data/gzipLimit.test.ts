import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { isQuantTrimError } from '@quant-trim/errors';
import { describe, expect, it } from 'vitest';
import { MAX_GUNZIPPED_BYTES, readDatasetFile } from '../../src/data/files.js';
import { tempDir } from '../cli/helpers.js';

describe('readDatasetFile: gzip', () => {
  it('refuses a gzip stream that expands past the limit before taking the memory (a few KB claiming megabytes)', () => {
    const file = join(tempDir('gzip-bomb'), 'train-images-idx3-ubyte.gz');
    const bomb = gzipSync(new Uint8Array(4 * 1024 * 1024));
    expect(bomb.length).toBeLessThan(16 * 1024);
    writeFileSync(file, bomb);
    try {
      readDatasetFile(file, { maxGunzippedBytes: 1024 * 1024 });
      expect.unreachable();
    } catch (e) {
      expect(isQuantTrimError(e, 'QT_DATASET_CORRUPT')).toBe(true);
      expect((e as Error).message).toBe(
        `${file}: expands to more than 1,048,576 bytes when gunzipped (the limit for compressed dataset files); give it uncompressed`,
      );
    }
    // under the limit it reads as before
    expect(readDatasetFile(file, { maxGunzippedBytes: 8 * 1024 * 1024 }).length).toBe(4 * 1024 * 1024);
    expect(MAX_GUNZIPPED_BYTES).toBe(2 * 1024 ** 3);
  });
});
