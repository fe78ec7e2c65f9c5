import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { isQuantTrimError } from '@quant-trim/errors';
import { parseIdx } from '../../src/data/idx.js';
import { loadDataset } from '../../src/data/index.js';
import { expectQtError, idxBytes, tempDir, writeFile } from './helpers.js';

/** A tiny 4×3-pixel IDX dataset: image i has every pixel equal to `i * 10 + label`. */
function tinyIdx(count: number, classes: number, offset = 0) {
  const h = 4,
    w = 3;
  const labels = Uint8Array.from({ length: count }, (_, i) => (i + offset) % classes);
  const images = new Uint8Array(count * h * w);
  for (let i = 0; i < count; i++) images.fill(Math.min(255, i * 10 + (labels[i] ?? 0)), i * h * w, (i + 1) * h * w);
  return { images: idxBytes([count, h, w], images), labels: idxBytes([count], labels), rawImages: images, rawLabels: labels };
}

function writeIdxDir(gz: boolean, prefix: 't10k' | 'test' = 't10k') {
  const dir = tempDir();
  const ext = gz ? '.gz' : '';
  const train = tinyIdx(20, 3);
  const test = tinyIdx(7, 3, 1);
  writeFile(dir, `train-images-idx3-ubyte${ext}`, train.images);
  writeFile(dir, `train-labels-idx1-ubyte${ext}`, train.labels);
  writeFile(dir, `${prefix}-images-idx3-ubyte${ext}`, test.images);
  writeFile(dir, `${prefix}-labels-idx1-ubyte${ext}`, test.labels);
  return { dir, train, test };
}

describe('IDX directory', () => {
  for (const [gz, prefix] of [
    [true, 't10k'],
    [false, 't10k'],
    [false, 'test'],
  ] as const) {
    it(`round-trips ${gz ? 'gzipped' : 'plain'} files with the ${prefix}- prefix`, async () => {
      const { dir, train, test } = writeIdxDir(gz, prefix);
      const d = await loadDataset({ dataset: dir, seed: 3 });
      expect(d.sampleShape).toEqual([4, 3, 1]);
      expect(d.classes).toBe(3);
      expect(d.train.count).toBe(20);
      expect(d.test.count).toBe(7);
      // Every sample comes back intact (pixels / 255, label attached), in a seeded order.
      for (const [split, raw] of [
        [d.train, train],
        [d.test, test],
      ] as const) {
        const seen = new Set<number>();
        for (let k = 0; k < split.count; k++) {
          const v = split.x[k * 12]! * 255;
          const i = Math.round((v - split.y[k]!) / 10);
          expect(raw.rawLabels[i]).toBe(split.y[k]);
          for (let p = 0; p < 12; p++) expect(split.x[k * 12 + p]).toBeCloseTo(raw.rawImages[i * 12 + p]! / 255, 6);
          seen.add(i);
        }
        expect(seen.size).toBe(split.count);
      }
      const again = await loadDataset({ dataset: dir, seed: 3, trainLimit: 5 });
      expect(Array.from(again.train.y)).toEqual(Array.from(d.train.y.subarray(0, 5)));
    });
  }

  it('resolves a relative path against cwd', async () => {
    const { dir } = writeIdxDir(true);
    const d = await loadDataset({ dataset: '.', cwd: dir });
    expect(d.train.count).toBe(20);
  });

  it('reports a directory without the four files as missing', async () => {
    const dir = tempDir();
    writeFile(dir, 'train-images-idx3-ubyte', tinyIdx(2, 2).images);
    const e = await expectQtError(() => loadDataset({ dataset: dir }), 'QT_DATASET_MISSING');
    expect(e.message).toContain(dir);
    expect(e.message).toContain('train-labels-idx1-ubyte');
  });

  // [case, corrupt one file (returns the file the error must name), expected problem]
  const corruptions: [string, (files: ReturnType<typeof writeIdxDir>) => string, RegExp][] = [
    ['bad magic', ({ dir }) => writeFile(dir, 'train-images-idx3-ubyte.gz', Uint8Array.of(0x12, 0x34, 8, 3, 0, 0, 0, 0)), /bad magic number 0x12340803/],
    [
      'labels with image magic',
      ({ dir }) => writeFile(dir, 't10k-labels-idx1-ubyte.gz', tinyIdx(7, 3).images),
      /bad magic number 0x00000803, expected 0x00000801/,
    ],
    ['wrong dtype', ({ dir }) => writeFile(dir, 'train-images-idx3-ubyte.gz', idxBytes([1, 1, 1], new Uint8Array(4), 0x0d)), /data type 0x0d \(float32\)/],
    [
      'truncated data',
      ({ dir, train }) => writeFile(dir, 'train-images-idx3-ubyte.gz', train.images.subarray(0, train.images.length - 5)),
      /truncated: header declares 20×4×3 = 240 bytes of data, found 235/,
    ],
    ['truncated header', ({ dir }) => writeFile(dir, 'train-labels-idx1-ubyte.gz', Uint8Array.of(0, 0, 8, 1, 0)), /truncated/],
    [
      'trailing bytes',
      ({ dir }) => writeFile(dir, 't10k-labels-idx1-ubyte.gz', idxBytes([6], Uint8Array.of(0, 1, 2, 0, 1, 2, 0))),
      /1 unexpected trailing bytes/,
    ],
    [
      'count mismatch',
      ({ dir }) => (writeFile(dir, 'train-labels-idx1-ubyte.gz', tinyIdx(19, 3).labels), join(dir, 'train-images-idx3-ubyte.gz')),
      /count mismatch: 20 images but .*train-labels-idx1-ubyte\.gz has 19 labels/,
    ],
    [
      'test label out of range',
      ({ dir }) => writeFile(dir, 't10k-labels-idx1-ubyte.gz', idxBytes([7], Uint8Array.of(0, 1, 2, 9, 0, 1, 2))),
      /label 9 of sample 3 is out of range: the training labels span 0–2/,
    ],
    ['broken gzip', ({ dir }) => writeFile(dir, 'train-images-idx3-ubyte.gz', Uint8Array.of(0x1f, 0x8b, 1, 2, 3), { gzip: false }), /not a valid gzip stream/],
  ];
  for (const [name, corrupt, problem] of corruptions) {
    it(`rejects ${name} with QT_DATASET_CORRUPT naming the file`, async () => {
      const files = writeIdxDir(true);
      const target = corrupt(files);
      const e = await expectQtError(() => loadDataset({ dataset: files.dir }), 'QT_DATASET_CORRUPT');
      expect(e.message.startsWith(`${target}: `), `${e.message} should start with ${target}`).toBe(true);
      expect(e.message).toMatch(problem);
      expect(e.details?.['file']).toBe(target);
    });
  }
});

describe('parseIdx refuses impossible sizes without allocating', () => {
  it('a header claiming 0xffffffff³ bytes of 12 present is truncated (the data is a view, never a copy)', () => {
    const bytes = idxBytes([3, 2, 2], new Uint8Array(12));
    new DataView(bytes.buffer, bytes.byteOffset).setUint32(4, 0xffffffff, false);
    new DataView(bytes.buffer, bytes.byteOffset).setUint32(8, 0xffffffff, false);
    new DataView(bytes.buffer, bytes.byteOffset).setUint32(12, 0xffffffff, false);
    let caught: unknown;
    try {
      parseIdx(bytes, 'huge-images', 3);
    } catch (e) {
      caught = e;
    }
    expect(isQuantTrimError(caught, 'QT_DATASET_CORRUPT')).toBe(true);
    expect((caught as Error).message).toMatch(/^huge-images: truncated: header declares 4294967295×4294967295×4294967295 = .* bytes of data, found 12$/);
    expect(parseIdx(idxBytes([3, 2, 2], new Uint8Array(12)), 'ok', 3).dims).toEqual([3, 2, 2]);
  });
});
