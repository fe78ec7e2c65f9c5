import { mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { QuantTrimError } from '@quant-trim/errors';
import type { ExportedModel } from '../export/exportOnnx.js';

function writeAtomically(path: string, data: Uint8Array | string): void {
  const tmp = `${path}.${process.pid}.${Date.now()}.tmp`;
  try {
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(tmp, data);
    renameSync(tmp, path);
  } catch (e) {
    try {
      rmSync(tmp, { force: true });
    } catch {
      // the temp file's directory does not exist
    }
    throw new QuantTrimError({ code: 'QT_IO_ERROR', message: `cannot write ${path}: ${(e as Error).message}`, cause: e, details: { path } });
  }
}

/**
 * Writes an export as `path` (the ONNX file) and, unless `encodings: false`, `path` with
 * `.encodings.json` in place of `.onnx` (the sidecar). Each file goes to a temp file first and is
 * renamed into place, so a failed or interrupted write never leaves a partial file.
 *
 * @example
 * saveOnnx(exportOnnx(q.model, { format: 'qdq' }), 'out/model.qdq.onnx'); // + out/model.qdq.encodings.json
 */
export function saveOnnx(exported: ExportedModel, path: string, options: { encodings?: boolean } = {}): { model: string; encodings?: string } {
  writeAtomically(path, exported.bytes());
  if (options.encodings === false) return { model: path };
  const sidecar = `${path.replace(/\.onnx$/, '')}.encodings.json`;
  writeAtomically(sidecar, `${JSON.stringify(exported.encodings, null, 2)}\n`);
  return { model: path, encodings: sidecar };
}
