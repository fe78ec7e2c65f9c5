import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadDataset } from '../../src/data/index.js';
import { preprocessImage, resolvePreprocess } from '../../src/data/preprocess.js';
import { resizeBilinear } from '../../src/data/resize.js';
import { expectQtError, tempDir } from './helpers.js';
import { python, pythonMissing } from './python.js';

const img = (values: number[], height: number, width: number, channels: number) => ({ data: Float32Array.from(values), height, width, channels });

describe('preprocessing, against hand-computed values', () => {
  it('bilinear resize: enlarging interpolates between pixel centres, shrinking averages (antialiased)', () => {
    // 1×2 → 1×4: centres at 0.25, 0.75, 1.25, 1.75 input pixels
    expect(Array.from(resizeBilinear(img([10, 30], 1, 2, 1), 1, 4).data)).toEqual([10, 15, 25, 30]);
    // 1×4 → 1×2: each output averages its two inputs (triangle of width 2 at scale 2: weights 1/4, 3/4, 3/4, 1/4 clipped to the edge)
    expect(Array.from(resizeBilinear(img([0, 8, 16, 24], 1, 4, 1), 1, 2).data)).toEqual([(0 * 3 + 8 * 3 + 16) / 7, (8 + 16 * 3 + 24 * 3) / 7].map(Math.fround));
    // channels are resized independently; the same size is the identity
    const rgb = img([1, 2, 3, 4, 5, 6], 1, 2, 3);
    expect(Array.from(resizeBilinear(rgb, 1, 4).data)).toEqual([1, 2, 3, 1.75, 2.75, 3.75, 3.25, 4.25, 5.25, 4, 5, 6]);
    expect(resizeBilinear(rgb, 1, 2)).toBe(rgb);
  });

  it('resize n sets the shorter side (longer side floored), center crop rounds offsets half to even, then scale and mean / std', () => {
    const p = resolvePreprocess({ resize: 4, centerCrop: [2, 3], scale: 0.5, mean: [1], std: [2] }, 1 / 255, 1);
    const out = preprocessImage(
      img(
        Array.from({ length: 2 * 3 }, (_, i) => i),
        2,
        3,
        1,
      ),
      p,
      'x',
    );
    expect([out.height, out.width]).toEqual([2, 3]); // resized to 4×6, crop offsets round(1) = 1, round(1.5) = 2
    const resized = resizeBilinear(
      img(
        Array.from({ length: 6 }, (_, i) => i),
        2,
        3,
        1,
      ),
      4,
      6,
    );
    const expected = [1, 2].flatMap((y) => [2, 3, 4].map((x) => Math.fround(((resized.data[y * 6 + x] as number) * 0.5 - 1) / 2)));
    expect(Array.from(out.data)).toEqual(expected);
    // a crop offset of 0.5 rounds to 0 (half to even, as Python's round in torchvision's center_crop)
    const odd = preprocessImage(img([0, 1, 2, 3, 4, 5, 6, 7, 8], 3, 3, 1), resolvePreprocess({ centerCrop: 2, scale: 1 }, 1, 1), 'x');
    expect(Array.from(odd.data)).toEqual([0, 1, 3, 4]);
  });

  it('gray ↔ RGB: luma 0.299 R + 0.587 G + 0.114 B (exact for gray pixels), gray copied to 3 channels', () => {
    const toGray = preprocessImage(img([255, 0, 0, 10, 10, 10], 1, 2, 3), resolvePreprocess({ channels: 1, scale: 1 }, 1, 3), 'x');
    expect(Array.from(toGray.data)).toEqual([Math.fround(0.299 * 255), 10]);
    const toRgb = preprocessImage(img([7, 9], 1, 2, 1), resolvePreprocess({ channels: 3, mean: [1, 2, 3], scale: 1 }, 1, 1), 'x');
    expect(Array.from(toRgb.data)).toEqual([6, 5, 4, 8, 7, 6]);
    // mean with 3 values implies 3 channels; a mismatch with explicit channels is refused
    expect(resolvePreprocess({ mean: [0.4, 0.5, 0.6] }, 1, 1).channels).toBe(3);
    expect(() => resolvePreprocess({ channels: 1, std: [1, 2, 3] }, 1, 1)).toThrow(/preprocess\.std.*3 entries but the samples have 1 channel/);
  });

  it('applies to the [0, 1] sources too (scale 1), and a crop larger than the image names the sample', async () => {
    const d = await loadDataset({
      dataset: 'synthetic',
      trainLimit: 3,
      testLimit: 2,
      preprocess: { resize: 32, channels: 3, mean: [0.5], std: [0.5], layout: 'NCHW' },
    });
    expect(d.sampleShape).toEqual([32, 32, 3]);
    expect([d.train.x.length, d.layout, d.preprocessing]).toEqual([3 * 32 * 32 * 3, 'NCHW', 'RGB, resize shorter side 32 → normalize mean [0.5] std [0.5]']);
    expect(Math.min(...d.train.x)).toBeGreaterThanOrEqual(-1);
    const e = await expectQtError(
      () => loadDataset({ dataset: 'synthetic', trainLimit: 1, testLimit: 1, preprocess: { centerCrop: 30 } }),
      'QT_DATASET_CORRUPT',
    );
    expect(e.message).toMatch(/^synthetic train\[0\]: center crop 30×30 is larger than the image \(28×28\)/);
    await expectQtError(() => loadDataset({ dataset: 'synthetic', preprocess: { std: [0] } }), 'QT_INVALID_ARGUMENT');
  });
});

describe.skipIf(pythonMissing('numpy', 'torch', 'torchvision'))('preprocessing, against torchvision.transforms', () => {
  it('Resize(n, antialias=True) → CenterCrop → Normalize on float tensors matches within 1e-4', async () => {
    const dir = tempDir();
    // 7 RGB images of 11×17 (float32 0–255, NHWC), and torchvision's output of each (NHWC, after Normalize).
    python(
      `import torch, torchvision.transforms as T
rng = np.random.default_rng(7)
x = rng.integers(0, 256, (7, 11, 17, 3)).astype(np.float32)
x[:, 0, 0, 0] = np.arange(7)  # the first value names the image
np.savez('imgs.npz', x=x, y=np.arange(7) % 2)
mean, std = [0.485, 0.456, 0.406], [0.229, 0.224, 0.225]
for name, size in [('down', 6), ('up', 20)]:
    t = T.Compose([T.Resize(size, antialias=True), T.CenterCrop(5), T.Normalize(mean, std)])
    out = np.stack([t(torch.from_numpy(a).permute(2, 0, 1) / 255).permute(1, 2, 0).numpy() for a in x])
    np.save(name + '.npy', out.astype(np.float32))`,
      dir,
    );
    for (const [name, size] of [
      ['down', 6],
      ['up', 20],
    ] as const) {
      const d = await loadDataset({
        dataset: join(dir, 'imgs.npz'),
        seed: 0,
        preprocess: { resize: size, centerCrop: 5, scale: 1 / 255, mean: [0.485, 0.456, 0.406], std: [0.229, 0.224, 0.225] },
      });
      expect(d.sampleShape).toEqual([5, 5, 3]);
      const ref = readFileSync(join(dir, `${name}.npy`));
      const refValues = new Float32Array(ref.buffer.slice(ref.byteOffset + 128, ref.byteOffset + 128 + 7 * 75 * 4));
      // The same seed gives the same order: the raw split's first value says which image each sample is.
      const raw = await loadDataset({ dataset: join(dir, 'imgs.npz'), seed: 0, preprocess: { scale: 1 } });
      let worst = 0;
      for (const [split, rawSplit] of [
        [d.train, raw.train],
        [d.test, raw.test],
      ] as const) {
        for (let i = 0; i < split.count; i++) {
          const k = rawSplit.x[i * 11 * 17 * 3] as number;
          for (let p = 0; p < 75; p++) worst = Math.max(worst, Math.abs((split.x[i * 75 + p] as number) - (refValues[k * 75 + p] as number)));
        }
      }
      expect(worst, name).toBeLessThan(1e-4);
    }
  });
});
