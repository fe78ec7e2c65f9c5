import { readFileSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { QuantTrimError } from '@quant-trim/errors';

interface ModelJson {
  modelTopology?: unknown;
  format?: string;
  weightsManifest?: unknown;
  [key: string]: unknown;
}

const DTYPE_BYTES: Record<string, number> = { float32: 4, int32: 4, bool: 1, uint8: 1, uint16: 2, float16: 2, complex64: 8 };

function fail(file: string, problem: string, details: Record<string, unknown> = {}, cause?: unknown): never {
  throw new QuantTrimError({
    code: 'QT_MODEL_LOAD',
    message: `cannot load model ${file}: ${problem}`,
    details: { path: file, ...details },
    ...(cause === undefined ? {} : { cause }),
  });
}

const errno = (e: unknown): string | undefined => (e as NodeJS.ErrnoException).code;

/** `model.json` itself, or `<dir>/model.json` when `path` is a directory. */
function modelFile(path: string): string {
  const file = resolve(path);
  let isDirectory = false;
  try {
    isDirectory = statSync(file).isDirectory();
  } catch (e) {
    fail(file, errno(e) === 'ENOENT' ? 'file not found' : (e as Error).message, {}, e);
  }
  return isDirectory ? join(file, 'model.json') : file;
}

function readModelJson(file: string): ModelJson {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    fail(file, errno(e) === 'ENOENT' ? 'file not found' : (e as Error).message, {}, e);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    fail(file, `invalid JSON (${(e as Error).message})`, {}, e);
  }
  if (typeof json !== 'object' || json === null || Array.isArray(json)) fail(file, 'invalid model.json: expected a JSON object');
  const model = json as ModelJson;
  if (model.format === 'graph-model')
    fail(file, 'a tfjs graph model (from the TensorFlow converter) is not a layers model; export a Keras/tfjs LayersModel instead');
  if (typeof model.modelTopology !== 'object' || model.modelTopology === null) fail(file, 'invalid model.json: no "modelTopology" (not a tfjs layers model)');
  return model;
}

function readWeights(file: string, json: ModelJson): { weightSpecs: tf.io.WeightsManifestEntry[]; weightData: ArrayBuffer } {
  const manifest = json.weightsManifest ?? [];
  const valid =
    Array.isArray(manifest) &&
    manifest.every(
      (g) => typeof g === 'object' && g !== null && Array.isArray(g.paths) && g.paths.every((p: unknown) => typeof p === 'string') && Array.isArray(g.weights),
    );
  if (!valid) fail(file, 'invalid model.json: "weightsManifest" must be a list of { paths: string[], weights: [...] }');
  const groups = manifest as tf.io.WeightsManifestConfig;
  const dir = dirname(file);
  const shards: Uint8Array[] = [];
  for (const group of groups) {
    for (const p of group.paths) {
      const shard = join(dir, p);
      try {
        shards.push(readFileSync(shard));
      } catch (e) {
        fail(file, `weight shard ${shard} ${errno(e) === 'ENOENT' ? 'is missing' : `cannot be read (${(e as Error).message})`}`, { shard }, e);
      }
    }
  }
  const weightSpecs = groups.flatMap((g) => g.weights);
  const size = shards.reduce((n, s) => n + s.byteLength, 0);
  // Strings have variable sizes; every other dtype has a fixed one.
  const needed = weightSpecs.every((w) => (w.quantization?.dtype ?? w.dtype) in DTYPE_BYTES)
    ? weightSpecs.reduce((n, w) => n + w.shape.reduce((a, b) => a * b, 1) * DTYPE_BYTES[w.quantization?.dtype ?? w.dtype]!, 0)
    : undefined;
  if (needed !== undefined && size < needed)
    fail(file, `weight data is ${size} bytes but the manifest describes ${needed} (a truncated or wrong weight shard?)`, { bytes: size, expected: needed });
  const data = new Uint8Array(size);
  let offset = 0;
  for (const s of shards) {
    data.set(s, offset);
    offset += s.byteLength;
  }
  return { weightSpecs, weightData: data.buffer };
}

/**
 * A tfjs IO handler that loads a standard tfjs layers-model artifact (`model.json` + the weight
 * shards its `weightsManifest` lists, relative to it) from the local disk; no network. Errors are
 * QT_MODEL_LOAD naming the file and the problem.
 */
export function modelJsonHandler(path: string): tf.io.IOHandler {
  return {
    async load(): Promise<tf.io.ModelArtifacts> {
      const file = modelFile(path);
      const json = readModelJson(file);
      const { weightSpecs, weightData } = readWeights(file, json);
      const { weightsManifest: _manifest, ...rest } = json;
      return { ...(rest as tf.io.ModelArtifacts), weightSpecs, weightData };
    },
  };
}

/**
 * Loads a user's tfjs LayersModel from `model.json` (or a directory holding one) and its weight
 * shards, without network.
 *
 * @throws QT_MODEL_LOAD naming the file for a missing file, invalid JSON, a missing or short
 *   weight shard, or a topology tfjs cannot build (unknown layer class, weight mismatch).
 */
export async function loadModelJson(path: string): Promise<tf.LayersModel> {
  const file = resolve(path);
  try {
    return await tf.loadLayersModel(modelJsonHandler(path));
  } catch (e) {
    if (e instanceof QuantTrimError) throw e;
    const message = (e as Error).message ?? String(e);
    const hint = /QuantTrim\w+/.test(message) ? ' (a fake-quant QAT checkpoint: load it with loadQuantizedModel from @quant-trim/fake-quant)' : '';
    fail(file, `tfjs cannot build the model: ${message}${hint}`, {}, e);
  }
}
