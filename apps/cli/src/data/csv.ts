import { basename } from 'node:path';
import { corruptError, readDatasetFile } from './files.js';
import type { SamplePool } from './split.js';

/** One parsed CSV file: labels, raw pixel values (0–255 or 0–1) and the maximum pixel seen. */
export interface CsvTable {
  readonly file: string;
  readonly labels: Uint8Array;
  readonly pixels: Float32Array;
  readonly count: number;
  /** Pixel columns per row (`side × side`). */
  readonly sampleSize: number;
  readonly side: number;
  readonly maxPixel: number;
  /** 1-based line number of each data row, for error messages. */
  readonly lines: Uint32Array;
}

// Unambiguous (digits before the point belong to one group): a cell of thousands of digits ending in
// a non-digit fails in linear time, where `\d+\.?\d*` backtracked quadratically.
const NUMBER = /^[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?$/;

/**
 * Parses `label,p0,p1,…` rows. A first line whose label field is not a number is a header. Blank lines
 * are skipped; every other row must have the same number of fields, an integer label in 0–255 and
 * pixels in 0–255. Errors are `QT_DATASET_CORRUPT` naming `file:line`.
 */
export function parseCsv(file: string): CsvTable {
  return parseCsvBytes(readDatasetFile(file), file);
}

/** `parseCsv` over bytes already read (UTF-8); `file` is only used in error messages. */
export function parseCsvBytes(bytes: Uint8Array, file: string): CsvTable {
  const text = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('utf8');
  const lines = text.split('\n');
  const labels: number[] = [];
  const rowLines: number[] = [];
  let pixels = new Float32Array(0);
  let count = 0;
  let columns = 0;
  let maxPixel = 0;
  const bad = (line: number, problem: string) => corruptError(`${file}:${line}`, problem, { file, line, problem: 'row' });
  for (let l = 0; l < lines.length; l++) {
    const raw = (lines[l] as string).replace(/\r$/, '').trim();
    if (raw === '') continue;
    const fields = raw.split(',');
    const lineNo = l + 1;
    if (columns === 0) {
      columns = fields.length;
      if (columns < 2) throw bad(lineNo, `expected label,p0,p1,… but found ${columns} field`);
      const side = Math.round(Math.sqrt(columns - 1));
      if (side * side !== columns - 1) {
        throw corruptError(file, `${columns - 1} pixel columns is not a square image (need n×n pixels after the label column)`, { problem: 'shape' });
      }
      pixels = new Float32Array(columns - 1);
      if (!NUMBER.test((fields[0] as string).trim())) continue; // a header names its label column
    } else if (fields.length !== columns) {
      throw bad(lineNo, `expected ${columns} fields, found ${fields.length}`);
    }
    const labelText = (fields[0] as string).trim();
    const label = Number(labelText);
    if (!NUMBER.test(labelText) || !Number.isInteger(label) || label < 0 || label > 255) {
      throw bad(lineNo, `label ${JSON.stringify(labelText)} is not an integer in 0–255`);
    }
    if ((count + 1) * (columns - 1) > pixels.length) {
      const grown = new Float32Array(Math.max(pixels.length * 2, (count + 1) * (columns - 1)));
      grown.set(pixels);
      pixels = grown;
    }
    const offset = count * (columns - 1);
    for (let c = 1; c < columns; c++) {
      const f = (fields[c] as string).trim();
      const v = Number(f);
      if (f === '' || !NUMBER.test(f) || !(v >= 0 && v <= 255)) {
        throw bad(lineNo, `pixel ${c - 1} (column ${c + 1}) ${JSON.stringify(f)} is not a number in 0–255`);
      }
      pixels[offset + c - 1] = v;
      if (v > maxPixel) maxPixel = v;
    }
    labels.push(label);
    rowLines.push(lineNo);
    count++;
  }
  if (count === 0) throw corruptError(file, 'no data rows', { problem: 'empty' });
  const sampleSize = columns - 1;
  return {
    file,
    labels: Uint8Array.from(labels),
    pixels: pixels.subarray(0, count * sampleSize),
    count,
    sampleSize,
    side: Math.round(Math.sqrt(sampleSize)),
    maxPixel,
    lines: Uint32Array.from(rowLines),
  };
}

/** A pool over `table` with `scale` (1/255 when the dataset holds values above 1, else 1). */
export function csvPool(table: CsvTable, scale: number): SamplePool {
  return { pixels: table.pixels, labels: table.labels, count: table.count, sampleSize: table.sampleSize, scale };
}

/** Scale for tables that belong together: pixel values above 1 anywhere mean 0–255 data. */
export function csvScale(...tables: CsvTable[]): number {
  return tables.some((t) => t.maxPixel > 1) ? 1 / 255 : 1;
}

/** Checks that a test table matches its train table (image size, labels within the train range). */
export function checkCsvPair(train: CsvTable, test: CsvTable): number {
  if (train.sampleSize !== test.sampleSize) {
    throw corruptError(test.file, `${test.side}×${test.side} images differ from ${basename(train.file)} (${train.side}×${train.side})`, { problem: 'shape' });
  }
  let maxTrain = 0;
  for (const label of train.labels) if (label > maxTrain) maxTrain = label;
  test.labels.forEach((label, i) => {
    if (label > maxTrain) {
      const line = test.lines[i] ?? 0;
      throw corruptError(`${test.file}:${line}`, `label ${label} is out of range: the training labels in ${basename(train.file)} span 0–${maxTrain}`, {
        file: test.file,
        line,
        problem: 'label-range',
        label,
      });
    }
  });
  return maxTrain + 1;
}
