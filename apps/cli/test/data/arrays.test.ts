import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadDataset, type Split } from '../../src/data/index.js';
import { expectQtError, tempDir } from './helpers.js';
import { python, pythonMissing } from './python.js';

/** Samples of a split keyed by their first value (unique per sample in these fixtures), for order-free comparison. */
function byFirstValue(split: Split, size: number): Map<number, { x: number[]; y: number }> {
  const m = new Map<number, { x: number[]; y: number }>();
  for (let i = 0; i < split.count; i++)
    m.set(split.x[i * size] as number, { x: Array.from(split.x.subarray(i * size, (i + 1) * size)), y: split.y[i] as number });
  return m;
}

describe.skipIf(pythonMissing('numpy'))('loadDataset: NumPy arrays', () => {
  it('an .npz with x_train / y_train / x_test / y_test keeps its split; uint8 pixels become v/255, labels exact', async () => {
    const dir = tempDir();
    // Sample n of a split: pixel p = (n * 5 + p) % 256 (train) or (200 + n + p) % 256 (test); label n % 4.
    python(
      `p = np.arange(6 * 6)
tr = np.stack([(n * 5 + p) % 256 for n in range(20)]).astype(np.uint8).reshape(20, 6, 6)
te = np.stack([(200 + n + p) % 256 for n in range(5)]).astype(np.uint8).reshape(5, 6, 6)
np.savez('keras.npz', x_train=tr, y_train=np.arange(20) % 4, x_test=te, y_test=np.arange(5) % 4)`,
      dir,
    );
    const d = await loadDataset({ dataset: join(dir, 'keras.npz'), seed: 3 });
    expect(d.sampleShape).toEqual([6, 6, 1]);
    expect([d.train.count, d.test.count, d.classes, d.labelled]).toEqual([20, 5, 4, true]);
    expect(d.splitRule).toMatch(/array x_train \/ array x_test as given/);
    const train = byFirstValue(d.train, 36);
    for (let n = 0; n < 20; n++) {
      const s = train.get(Math.fround(((n * 5) % 256) / 255))!;
      expect(s.y).toBe(n % 4);
      expect(s.x).toEqual(Array.from({ length: 36 }, (_, p) => Math.fround(((n * 5 + p) % 256) / 255)));
    }
    const test = byFirstValue(d.test, 36);
    for (let n = 0; n < 5; n++) expect(test.get(Math.fround((200 + n) / 255))?.y).toBe(n % 4);
  });

  it('x / y in NCHW float32 (savez_compressed): transposed to NHWC, values kept (scale 1), 6:1 split per class', async () => {
    const dir = tempDir();
    python(
      `x = np.arange(14 * 3 * 2 * 2, dtype=np.float32).reshape(14, 3, 2, 2) / 100
np.savez_compressed('nchw.npz', images=x, labels=np.repeat(np.arange(2), 7).astype(np.uint8))`,
      dir,
    );
    const d = await loadDataset({ dataset: join(dir, 'nchw.npz') });
    expect(d.sampleShape).toEqual([2, 2, 3]);
    expect([d.train.count, d.test.count]).toEqual([12, 2]);
    expect(Array.from(d.test.y).sort()).toEqual([0, 1]);
    // sample n, channel c, pixel q (row-major in 2×2) = (n*12 + c*4 + q) / 100, now at NHWC index q*3 + c
    for (const split of [d.train, d.test]) {
      for (let i = 0; i < split.count; i++) {
        const n = Math.round((split.x[i * 12] as number) * 100) / 12;
        expect(Number.isInteger(n)).toBe(true);
        expect(split.y[i]).toBe(n < 7 ? 0 : 1);
        for (let q = 0; q < 4; q++) for (let c = 0; c < 3; c++) expect(split.x[i * 12 + q * 3 + c]).toBe(Math.fround((n * 12 + c * 4 + q) / 100));
      }
    }
  });

  it('a directory of .npy files, names from the config, and preprocessing on arrays', async () => {
    const dir = tempDir();
    python(
      `np.save('feats.npy', np.full((7, 4, 4, 3), 255, dtype=np.uint8))
np.save('cls.npy', np.zeros(7, dtype=np.int32))`,
      dir,
    );
    const d = await loadDataset({ dataset: dir, arrays: { x: 'feats', y: 'cls' }, preprocess: { centerCrop: 2, mean: [0.5, 0.5, 0.5], std: [0.25] } });
    expect(d.sampleShape).toEqual([2, 2, 3]);
    expect(new Set(d.train.x)).toEqual(new Set([2])); // (255/255 − 0.5) / 0.25
    const missing = await expectQtError(() => loadDataset({ dataset: dir }), 'QT_DATASET_CORRUPT');
    expect(missing.message).toMatch(/which array holds the samples\? Found cls, feats/);
  });

  it('a lone .npy has no labels: refused unless labels are optional', async () => {
    const dir = tempDir();
    python(`np.save('x.npy', np.zeros((7, 3, 3), dtype=np.float64))`, dir);
    const e = await expectQtError(() => loadDataset({ dataset: join(dir, 'x.npy') }), 'QT_DATASET_CORRUPT');
    expect(e.message).toMatch(/x\.npy: no labels/);
    expect(e.details?.['hint']).toMatch(/--labels float/);
    const d = await loadDataset({ dataset: join(dir, 'x.npy'), labels: 'optional' });
    expect([d.labelled, d.train.count + d.test.count, d.classes]).toEqual([false, 7, 0]);
  });

  it('names the file for mismatched counts, one-hot or out-of-range labels, bad shapes and unknown keys', async () => {
    const dir = tempDir();
    python(
      `x = np.zeros((10, 4, 4), dtype=np.uint8)
np.savez('count.npz', x=x, y=np.zeros(9, dtype=np.int64))
np.savez('onehot.npz', x=x, y=np.eye(10, dtype=np.float32))
np.savez('range.npz', x=x, y=np.arange(10) * 40)
np.savez('frac.npz', x=x, y=np.full(10, 0.5))
np.savez('channels.npz', x=np.zeros((10, 4, 4, 5), dtype=np.uint8), y=np.zeros(10, dtype=np.int64))
np.savez('vector.npz', x=np.zeros((10, 7), dtype=np.uint8), y=np.zeros(10, dtype=np.int64))
np.savez('split.npz', x_train=x, y_train=np.zeros(10, dtype=np.int64), x_test=np.zeros((3, 5, 5), dtype=np.uint8), y_test=np.zeros(3, dtype=np.int64))`,
      dir,
    );
    const cases: [string, Record<string, unknown>, RegExp, string][] = [
      ['count.npz', {}, /count\.npz:y\.npy: 9 labels for 10 samples/, 'count-mismatch'],
      ['onehot.npz', {}, /onehot\.npz:y\.npy: shape \(10, 10\) looks one-hot/, 'shape'],
      ['range.npz', {}, /range\.npz:y\.npy: label 280 at index 7 is not an integer class index in 0–255/, 'label-range'],
      ['frac.npz', {}, /label 0\.5 at index 0/, 'label-range'],
      ['channels.npz', {}, /channels\.npz:x\.npy: shape \(10, 4, 4, 5\) read as N×H×W×C has 5 channels/, 'shape'],
      ['vector.npz', {}, /shape \(10, 7\) is not N×H×W/, 'shape'],
      ['split.npz', {}, /split\.npz:x_test\.npy: samples of 5×5×1 differ from x_train \(4×4×1\)/, 'shape'],
      ['count.npz', { arrays: { y: 'labels' } }, /count\.npz: no array "labels" \(arrays\.y\); its arrays are x, y/, 'missing-key'],
    ];
    for (const [file, extra, message, problem] of cases) {
      const e = await expectQtError(() => loadDataset({ dataset: join(dir, file), ...extra }), 'QT_DATASET_CORRUPT');
      expect(e.message, file).toMatch(message);
      expect(e.details?.['problem'], file).toBe(problem);
    }
  });
});
