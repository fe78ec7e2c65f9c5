import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterEach, expect } from 'vitest';
import { isQuantTrimError, type ErrorCode } from '@quant-trim/errors';

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

/** A fresh temp directory, removed after the test. */
export function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'qt-data-'));
  dirs.push(dir);
  return dir;
}

/** Bytes of an IDX file: magic `00 00 dtype ndim`, big-endian dims, then `data`. */
export function idxBytes(dims: number[], data: Uint8Array, dtype = 0x08): Uint8Array {
  const header = new DataView(new ArrayBuffer(4 + 4 * dims.length));
  header.setUint8(2, dtype);
  header.setUint8(3, dims.length);
  dims.forEach((d, i) => header.setUint32(4 + 4 * i, d, false));
  const out = new Uint8Array(header.byteLength + data.length);
  out.set(new Uint8Array(header.buffer), 0);
  out.set(data, header.byteLength);
  return out;
}

/** Writes `bytes` to `dir/name`, gzipped when `name` ends in `.gz` (unless `gzip: false`); returns the path. */
export function writeFile(dir: string, name: string, bytes: Uint8Array | string, options: { gzip?: boolean } = {}): string {
  const path = join(dir, name);
  const raw = typeof bytes === 'string' ? Buffer.from(bytes) : bytes;
  writeFileSync(path, (options.gzip ?? name.endsWith('.gz')) ? gzipSync(raw) : raw);
  return path;
}

/** Runs `fn` and returns the Quant-Trim error it throws (failing if it throws nothing or another code). */
export async function expectQtError(fn: () => Promise<unknown>, code: ErrorCode) {
  let thrown: unknown;
  try {
    await fn();
  } catch (e) {
    thrown = e;
  }
  expect(isQuantTrimError(thrown), `expected a QuantTrimError, got ${String(thrown)}`).toBe(true);
  const error = thrown as Error & { code: string; details?: Record<string, unknown> };
  expect(error.code, error.message).toBe(code);
  return error;
}

/** Per-class counts of `labels`. */
export function classCounts(labels: Uint8Array, classes: number): number[] {
  const counts = new Array<number>(classes).fill(0);
  for (const label of labels) counts[label] = (counts[label] ?? 0) + 1;
  return counts;
}

/** Byte-wise equality of two typed arrays (vitest's deep equality is slow on millions of floats). */
export function sameBytes(a: ArrayBufferView, b: ArrayBufferView): boolean {
  return Buffer.compare(Buffer.from(a.buffer, a.byteOffset, a.byteLength), Buffer.from(b.buffer, b.byteOffset, b.byteLength)) === 0;
}
