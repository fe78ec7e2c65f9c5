import { describe, expect, it } from 'vitest';
import { isQuantTrimError } from '@quant-trim/errors';
import { parseCsvBytes } from '../../src/data/csv.js';
import { loadDataset } from '../../src/data/index.js';
import { classCounts, expectQtError, tempDir, writeFile } from './helpers.js';

/** `count` rows of 2×2 images; row i has pixels `i % 256` (or that / 255 when `unit`). */
function csvRows(count: number, classes: number, unit: boolean): string[] {
  return Array.from({ length: count }, (_, i) => {
    const v = unit ? ((i % 256) / 255).toFixed(4) : String(i % 256);
    return [i % classes, v, v, v, v].join(',');
  });
}

describe('CSV', () => {
  for (const header of [true, false]) {
    for (const unit of [false, true]) {
      it(`splits one file 6:1 per class (${header ? 'with' : 'without'} header, ${unit ? '0–1' : '0–255'} pixels)`, async () => {
        const dir = tempDir();
        const rows = csvRows(70, 2, unit);
        const file = writeFile(dir, 'digits.csv', [...(header ? ['label,p0,p1,p2,p3'] : []), ...rows, ''].join('\r\n'));
        const d = await loadDataset({ dataset: file, seed: 1 });
        expect(d.name).toBe('digits.csv');
        expect(d.sampleShape).toEqual([2, 2, 1]);
        expect(d.classes).toBe(2);
        expect(d.train.count).toBe(60);
        expect(d.test.count).toBe(10);
        expect(classCounts(d.test.y, 2)).toEqual([5, 5]);
        // Row i comes back as (i % 256) / 255 whatever the input scale; labels stay attached.
        const all = [d.train, d.test].flatMap((s) => Array.from({ length: s.count }, (_, k) => ({ v: Math.round(s.x[k * 4]! * 255), y: s.y[k]! })));
        expect(all.map((r) => r.v).sort((a, b) => a - b)).toEqual(Array.from({ length: 70 }, (_, i) => i));
        for (const r of all) expect(r.y).toBe(r.v % 2);
        for (const s of [d.train, d.test]) for (const v of s.x) expect(v).toBeLessThanOrEqual(1);
      });
    }
  }

  it('uses train.csv and test.csv of a directory as given (gz allowed)', async () => {
    const dir = tempDir();
    writeFile(dir, 'train.csv.gz', ['label,a,b,c,d', ...csvRows(12, 3, false)].join('\n'));
    writeFile(dir, 'test.csv', csvRows(5, 3, false).join('\n'));
    const d = await loadDataset({ dataset: dir, seed: 0, testLimit: 4 });
    expect(d.train.count).toBe(12);
    expect(d.test.count).toBe(4);
    expect(d.classes).toBe(3);
  });

  it('is deterministic per seed', async () => {
    const file = writeFile(tempDir(), 'd.csv', csvRows(70, 5, false).join('\n'));
    const a = await loadDataset({ dataset: file, seed: 4 });
    const b = await loadDataset({ dataset: file, seed: 4 });
    const c = await loadDataset({ dataset: file, seed: 5 });
    expect(Array.from(b.train.x)).toEqual(Array.from(a.train.x));
    expect(Array.from(c.train.x)).not.toEqual(Array.from(a.train.x));
  });

  const bad: [string, string[], number, RegExp][] = [
    ['a non-numeric pixel', ['label,a,b,c,d', '1,0,0,0,0', '0,1,x,3,4'], 3, /pixel 1 \(column 3\) "x"/],
    ['a missing field', ['1,0,0,0,0', '', '0,1,2,3'], 3, /expected 5 fields, found 4/],
    ['a fractional label', ['1,0,0,0,0', '1.5,0,0,0,0'], 2, /label "1.5" is not an integer/],
    ['a pixel above 255', ['1,0,0,0,0', '0,0,0,0,256'], 2, /"256" is not a number in 0–255/],
    ['a negative pixel', ['1,0,-1,0,0'], 1, /"-1" is not a number in 0–255/],
  ];
  for (const [name, lines, line, problem] of bad) {
    it(`rejects ${name} with QT_DATASET_CORRUPT naming file and line`, async () => {
      const file = writeFile(tempDir(), 'bad.csv', lines.join('\n'));
      const e = await expectQtError(() => loadDataset({ dataset: file }), 'QT_DATASET_CORRUPT');
      expect(e.message.startsWith(`${file}:${line}: `), e.message).toBe(true);
      expect(e.message).toMatch(problem);
      expect(e.details?.['line']).toBe(line);
    });
  }

  it('rejects non-square rows and files without data', async () => {
    const dir = tempDir();
    const file = writeFile(dir, 'odd.csv', '1,0,0,0\n0,1,1,1\n');
    const e = await expectQtError(() => loadDataset({ dataset: file }), 'QT_DATASET_CORRUPT');
    expect(e.message).toBe(`${file}: 3 pixel columns is not a square image (need n×n pixels after the label column)`);
    const empty = writeFile(dir, 'empty.csv', 'label,p0\n');
    expect((await expectQtError(() => loadDataset({ dataset: empty }), 'QT_DATASET_CORRUPT')).message).toBe(`${empty}: no data rows`);
  });

  it('rejects a test label the training file never uses', async () => {
    const dir = tempDir();
    writeFile(dir, 'train.csv', csvRows(6, 2, false).join('\n'));
    const test = writeFile(dir, 'test.csv', ['0,0,0,0,0', '7,0,0,0,0'].join('\n'));
    const e = await expectQtError(() => loadDataset({ dataset: dir }), 'QT_DATASET_CORRUPT');
    expect(e.message).toMatch(new RegExp(`^${test.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:2: label 7 is out of range`));
  });
});

describe('parseCsvBytes (fuzz regressions)', () => {
  // Found by bench/fuzz.ts (seed 1, csv case 603): a cell of many digits ending in another
  // character made the number pattern backtrack quadratically (~1 s per 16,000 digits).
  it('refuses a cell of 300,000 digits and a letter at once (no regex backtracking)', { timeout: 10_000 }, () => {
    const cell = `${'1'.repeat(300_000)}x`;
    let caught: unknown;
    try {
      parseCsvBytes(new TextEncoder().encode(`0,${cell}\n`), 'long.csv');
    } catch (e) {
      caught = e;
    }
    expect(isQuantTrimError(caught, 'QT_DATASET_CORRUPT')).toBe(true);
    expect((caught as Error).message).toMatch(/^long\.csv:1: pixel 0 \(column 2\)/);
  });
});
