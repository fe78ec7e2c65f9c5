import { mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import * as tf from '../tf.js';
import { QuantTrimError } from '@quant-trim/errors';

const MODEL = 'model.json';
const WEIGHTS = 'weights.bin';

function concat(data: ArrayBuffer | ArrayBuffer[] | undefined): Uint8Array {
  if (data === undefined) return new Uint8Array(0);
  const parts = Array.isArray(data) ? data : [data];
  const out = new Uint8Array(parts.reduce((n, p) => n + p.byteLength, 0));
  let offset = 0;
  for (const p of parts) {
    out.set(new Uint8Array(p), offset);
    offset += p.byteLength;
  }
  return out;
}

/**
 * A tfjs IO handler for a checkpoint directory in Node (`model.json` + `weights.bin`), which the
 * browser-safe core cannot include. Saving writes a sibling temp directory and renames it into
 * place, so an interrupted save never leaves a half-written checkpoint; an existing checkpoint is
 * replaced only once the new one is complete.
 *
 * @example
 * await saveQuantizedModel(q, fileSystemHandler('checkpoints/epoch-3'), { controller });
 * const { quantized, controller } = await loadQuantizedModel(fileSystemHandler('checkpoints/epoch-3'));
 */
export function fileSystemHandler(directory: string): tf.io.IOHandler {
  return {
    async save(artifacts: tf.io.ModelArtifacts): Promise<tf.io.SaveResult> {
      const parent = dirname(directory);
      const tmp = join(parent, `.${basename(directory)}.tmp-${process.pid}-${Date.now()}`);
      const old = join(parent, `.${basename(directory)}.old-${process.pid}-${Date.now()}`);
      try {
        mkdirSync(parent, { recursive: true });
        mkdirSync(tmp);
        const weights = concat(artifacts.weightData as ArrayBuffer | ArrayBuffer[] | undefined);
        const { weightData: _data, ...rest } = artifacts;
        const json = { ...rest, weightsManifest: [{ paths: [WEIGHTS], weights: artifacts.weightSpecs ?? [] }] };
        delete (json as Partial<tf.io.ModelArtifacts>).weightSpecs;
        writeFileSync(join(tmp, WEIGHTS), weights);
        writeFileSync(join(tmp, MODEL), JSON.stringify(json));
        let replaced = false;
        try {
          renameSync(directory, old);
          replaced = true;
        } catch {
          // nothing to replace
        }
        renameSync(tmp, directory);
        if (replaced) rmSync(old, { recursive: true, force: true });
      } catch (e) {
        try {
          rmSync(tmp, { recursive: true, force: true });
        } catch {
          // the temp directory was never created
        }
        throw new QuantTrimError({
          code: 'QT_IO_ERROR',
          message: `cannot write checkpoint ${directory}: ${(e as Error).message}`,
          cause: e,
          details: { path: directory },
        });
      }
      return { modelArtifactsInfo: tf.io.getModelArtifactsInfoForJSON(artifacts) };
    },
    async load(): Promise<tf.io.ModelArtifacts> {
      const file = join(directory, MODEL);
      let json: { weightsManifest?: { paths: string[]; weights: tf.io.WeightsManifestEntry[] }[] } & Omit<tf.io.ModelArtifacts, 'weightSpecs' | 'weightData'>;
      try {
        json = JSON.parse(readFileSync(file, 'utf8'));
      } catch (e) {
        throw new QuantTrimError({
          code: 'QT_IO_ERROR',
          message: `cannot read checkpoint ${file}: ${(e as Error).message}`,
          cause: e,
          details: { path: file },
        });
      }
      const manifest = json.weightsManifest ?? [];
      const weightSpecs = manifest.flatMap((m) => m.weights);
      const buffers = manifest.flatMap((m) => m.paths.map((p) => readFileSync(join(directory, p))));
      const data = concat(buffers.map((b) => b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength) as ArrayBuffer));
      const { weightsManifest: _m, ...rest } = json;
      return { ...rest, weightSpecs, weightData: data.buffer as ArrayBuffer };
    },
  };
}
