import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadDataset, type Split } from '../../src/data/index.js';
import { expectQtError, tempDir } from './helpers.js';
import { python, pythonMissing } from './python.js';

/**
 * Fixture images written by Pillow: image k of class c is filled with value(c, k, y, x, ch) =
 * (c * 50 + k * 7 + y * 3 + x * 5 + ch * 11) % 256, so every pixel is known exactly.
 */
const FIXTURES = `from PIL import Image
import os, sys
def value(c, k, h, w, ch):
    y, x = np.mgrid[0:h, 0:w]
    return np.stack([(c * 50 + k * 7 + y * 3 + x * 5 + i * 11) % 256 for i in range(ch)], -1).astype(np.uint8)
def save(path, c, k, h=6, w=5, ch=3, fmt='PNG', **kw):
    if os.path.dirname(path): os.makedirs(os.path.dirname(path), exist_ok=True)
    a = value(c, k, h, w, ch)
    Image.fromarray(a[..., 0] if ch == 1 else a, 'L' if ch == 1 else 'RGB').save(path, fmt, **kw)
`;
const value = (c: number, k: number, y: number, x: number, ch: number) => (c * 50 + k * 7 + y * 3 + x * 5 + ch * 11) % 256;

/** Samples of a split keyed by their first value (unique per image in these fixtures). */
function byFirst(split: Split, size: number): Map<number, { x: Float32Array; y: number }> {
  const m = new Map<number, { x: Float32Array; y: number }>();
  for (let i = 0; i < split.count; i++)
    m.set(Math.round((split.x[i * size] as number) * 255), { x: split.x.subarray(i * size, (i + 1) * size), y: split.y[i] as number });
  return m;
}

describe.skipIf(pythonMissing('numpy', 'PIL'))('loadDataset: image folders (PNG / JPEG written by Pillow)', () => {
  it('reads <root>/<class>/*.png exactly: classes sorted by name, pixels v/255, non-images skipped with a warning', async () => {
    const root = tempDir();
    python(
      `${FIXTURES}
for c, name in enumerate(['ant', 'bee', 'cat']):
    for k in range(7):
        save(f'{name}/{k}.png', c, k)
open('bee/notes.txt', 'w').write('not an image')
open('cat/.DS_Store', 'w').write('')`,
      root,
    );
    const warnings: string[] = [];
    const d = await loadDataset({ dataset: root, onWarning: (w) => warnings.push(w) });
    expect(d.classNames).toEqual(['ant', 'bee', 'cat']);
    expect([d.classes, d.train.count, d.test.count, d.labelled]).toEqual([3, 18, 3, true]);
    expect(d.sampleShape).toEqual([6, 5, 3]);
    expect(warnings).toEqual([`${root}: skipped 1 file that is not .png / .jpg / .jpeg: ${join(root, 'bee', 'notes.txt')}`]);
    const all = new Map([...byFirst(d.train, 90), ...byFirst(d.test, 90)]);
    expect(all.size).toBe(21);
    for (let c = 0; c < 3; c++) {
      for (let k = 0; k < 7; k++) {
        const s = all.get(value(c, k, 0, 0, 0))!;
        expect(s.y).toBe(c);
        const expected = Array.from({ length: 90 }, (_, i) => Math.fround(value(c, k, Math.floor(i / 15), Math.floor(i / 3) % 5, i % 3) / 255));
        expect(Array.from(s.x)).toEqual(expected);
      }
    }
  });

  it('JPEG decodes within 3 levels of Pillow; gray images give 1 channel, channels: 3 copies gray', async () => {
    const root = tempDir();
    python(
      `${FIXTURES}
for k in range(7):
    save(f'a/{k}.jpg', 0, k, h=8, w=8, fmt='JPEG', quality=95)
    save(f'b/{k}.png', 1, k, h=8, w=8, ch=1)
ref = np.stack([np.asarray(Image.open(f'a/{k}.jpg').convert('L'), dtype=np.float32) for k in range(7)])
np.save('../ref-' + os.path.basename(os.getcwd()) + '.npy', ref)`,
      root,
    );
    // Pillow's JPEGs of RGB fixtures are colour; mixing with gray PNGs gives 3 channels.
    const d = await loadDataset({ dataset: root, trainLimit: 100 });
    expect(d.sampleShape).toEqual([8, 8, 3]);
    const gray = await loadDataset({ dataset: root, preprocess: { channels: 1 } });
    expect(gray.sampleShape).toEqual([8, 8, 1]);
    const ref = Buffer.from(readFileSync(join(root, '..', `ref-${basename(root)}.npy`)));
    rmSync(join(root, '..', `ref-${basename(root)}.npy`));
    const refValues = new Float32Array(ref.buffer.slice(ref.byteOffset + 128, ref.byteOffset + 128 + 7 * 64 * 4));
    let worst = 0;
    for (const split of [gray.train, gray.test]) {
      for (let i = 0; i < split.count; i++) {
        if (split.y[i] !== 0) continue;
        // identify k by the best-matching reference image
        const sample = split.x.subarray(i * 64, (i + 1) * 64);
        let best = Infinity;
        for (let k = 0; k < 7; k++) best = Math.min(best, Math.max(...Array.from(sample, (v, p) => Math.abs(v * 255 - (refValues[k * 64 + p] as number)))));
        worst = Math.max(worst, best);
      }
    }
    expect(worst).toBeLessThanOrEqual(3);
    // gray PNGs alone: 1 channel by default, exact; channels: 3 copies the value into R, G and B
    const onlyGray = tempDir();
    python(`${FIXTURES}\nfor k in range(7): save(f'b/{k}.png', 1, k, h=2, w=2, ch=1)`, onlyGray);
    const g1 = await loadDataset({ dataset: onlyGray });
    expect(g1.sampleShape).toEqual([2, 2, 1]);
    const g3 = await loadDataset({ dataset: onlyGray, preprocess: { channels: 3 } });
    for (let i = 0; i < g1.train.count * 4; i++) for (let ch = 0; ch < 3; ch++) expect(g3.train.x[i * 3 + ch]).toBe(g1.train.x[i]);
  });

  it('keeps train/ and val/ (or test/) splits; test classes index by the training classes', async () => {
    const root = tempDir();
    python(
      `${FIXTURES}
for c, name in enumerate(['x', 'y', 'z']):
    for k in range(3): save(f'train/{name}/{k}.png', c, k)
save('val/z/0.png', 2, 10)`,
      root,
    );
    const d = await loadDataset({ dataset: root });
    expect([d.train.count, d.test.count, d.classes]).toEqual([9, 1, 3]);
    expect(Array.from(d.test.y)).toEqual([2]);
    expect(d.splitRule).toMatch(/^train\/ \/ val\/ as given/);
    python(`${FIXTURES}\nsave('val/w/0.png', 0, 0)`, root);
    const e = await expectQtError(() => loadDataset({ dataset: root }), 'QT_DATASET_CORRUPT');
    expect(e.message).toBe(`${join(root, 'val', 'w')}: class "w" does not exist in the training split (classes: x, y, z)`);
    // train/ alone holds the classes (split 6:1), it is not one class itself
    const only = tempDir();
    python(`${FIXTURES}\nfor k in range(7):\n    save(f'train/a/{k}.png', 0, k)\n    save(f'train/b/{k}.png', 1, k)`, only);
    const pool = await loadDataset({ dataset: only });
    expect([pool.classNames, pool.train.count, pool.test.count]).toEqual([['a', 'b'], 12, 2]);
  });

  it('mixed sizes need resize: refused naming the file, accepted with resize [h, w]', async () => {
    const root = tempDir();
    python(
      `${FIXTURES}
for k in range(7): save(f'a/{k}.png', 0, k)
save('a/big.png', 0, 9, h=9, w=9)`,
      root,
    );
    const e = await expectQtError(() => loadDataset({ dataset: root }), 'QT_DATASET_CORRUPT');
    expect(e.message).toMatch(
      /(a\/big\.png: is 9×9 after preprocessing, but .* is 6×5|a\/\d\.png: is 6×5 after preprocessing, but .*big\.png is 9×9); samples of different sizes need preprocess\.resize/,
    );
    const d = await loadDataset({ dataset: root, preprocess: { resize: [4, 4] } });
    expect(d.sampleShape).toEqual([4, 4, 3]);
  });

  it('labels: folders of loose images have none (optional only); a folder mixing both is refused', async () => {
    const root = tempDir();
    python(`${FIXTURES}\nfor k in range(7): save(f'{k}.png', 0, k)`, root);
    expect((await expectQtError(() => loadDataset({ dataset: root }), 'QT_DATASET_CORRUPT')).message).toBe(`${root}: no labels (the images without labels)`);
    const d = await loadDataset({ dataset: root, labels: 'optional' });
    expect([d.labelled, d.train.count + d.test.count]).toEqual([false, 7]);
    python(`${FIXTURES}\nsave('cls/0.png', 0, 0)`, root);
    expect((await expectQtError(() => loadDataset({ dataset: root, labels: 'optional' }), 'QT_DATASET_CORRUPT')).message).toMatch(
      /mixes class folders \(cls\) with loose images \(0\.png, 6 more\)/,
    );
  });

  it('names each bad file: truncated PNG, corrupt or truncated JPEG, empty file, GIF behind .png, empty class folder', async () => {
    const root = tempDir();
    python(
      `${FIXTURES}
for k in range(7): save(f'good/{k}.png', 0, k)
save('bad/0.png', 1, 0)
Image.fromarray(np.zeros((6, 5, 3), np.uint8)).save('bad/gif.png', 'GIF')
save('bad/0.jpg', 1, 0, fmt='JPEG')`,
      root,
    );
    const bad = join(root, 'bad');
    const png = readFileSync(join(bad, '0.png'));
    const jpg = readFileSync(join(bad, '0.jpg'));
    const cases: [string, Buffer | undefined, RegExp, string][] = [
      ['0.png', png.subarray(0, png.length - 20), /0\.png: cannot decode \(.*\): a truncated or corrupt PNG \/ JPEG$/, 'image'],
      ['0.jpg', Buffer.concat([jpg.subarray(0, 200), Buffer.alloc(40, 0x55)]), /0\.jpg: cannot decode \(.*\): a truncated or corrupt PNG \/ JPEG$/, 'image'],
      ['cut.jpg', jpg.subarray(0, jpg.length - 30), /cut\.jpg: cannot decode \(.*\): a truncated or corrupt PNG \/ JPEG$/, 'image'],
      ['empty.png', Buffer.alloc(0), /empty\.png: empty file \(0 bytes\)/, 'image'],
      ['gif.png', undefined, /gif\.png: is a gif image; only PNG and JPEG are read/, 'image-format'],
    ];
    for (const [name, bytes, message, problem] of cases) {
      const one = tempDir();
      python(`${FIXTURES}\nfor k in range(7): save(f'good/{k}.png', 0, k)`, one);
      python(`import shutil, os\nos.makedirs('bad')`, one);
      writeFileSync(join(one, 'bad', name), bytes ?? readFileSync(join(bad, name)));
      const e = await expectQtError(() => loadDataset({ dataset: one }), 'QT_DATASET_CORRUPT');
      expect(e.message, name).toMatch(message);
      expect(e.message.startsWith(join(one, 'bad', name)), e.message).toBe(true);
      expect(e.details?.['problem'], name).toBe(problem);
    }
    const empty = tempDir();
    python(`${FIXTURES}\nfor k in range(7): save(f'good/{k}.png', 0, k)\nos.makedirs('none')\nopen('none/a.txt', 'w').write('')`, empty);
    const e = await expectQtError(() => loadDataset({ dataset: empty }), 'QT_DATASET_CORRUPT');
    expect(e.message).toBe(`${join(empty, 'none')}: class folder "none" holds no .png / .jpg / .jpeg images`);
  });
});
