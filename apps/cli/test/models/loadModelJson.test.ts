import { mkdirSync, mkdtempSync, readFileSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { initTrainingBackend } from '@quant-trim/fake-quant';
import { fileSystemHandler } from '@quant-trim/fake-quant/node';
import { isQuantTrimError } from '@quant-trim/errors';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildModel, loadModelJson } from '../../src/models/index.js';

let root: string;
beforeAll(async () => {
  await initTrainingBackend({ backend: 'wasm' });
  root = mkdtempSync(join(tmpdir(), 'qt-models-'));
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

/** Writes tfjs's standard artifact layout: model.json + `group1-shardKofN.bin` shards of at most `shardBytes`. */
function shardedHandler(dir: string, shardBytes: number): tf.io.IOHandler {
  return {
    async save(artifacts) {
      mkdirSync(dir, { recursive: true });
      const data = new Uint8Array(artifacts.weightData as ArrayBuffer);
      const count = Math.max(1, Math.ceil(data.byteLength / shardBytes));
      const paths = Array.from({ length: count }, (_, i) => `group1-shard${i + 1}of${count}.bin`);
      paths.forEach((p, i) => writeFileSync(join(dir, p), data.subarray(i * shardBytes, (i + 1) * shardBytes)));
      const { weightData: _d, weightSpecs, ...rest } = artifacts;
      writeFileSync(
        join(dir, 'model.json'),
        JSON.stringify({ ...rest, format: 'layers-model', generatedBy: 'test', weightsManifest: [{ paths, weights: weightSpecs }] }),
      );
      return { modelArtifactsInfo: tf.io.getModelArtifactsInfoForJSON(artifacts) };
    },
  };
}

async function expectModelLoadError(path: string, ...fragments: (string | RegExp)[]): Promise<void> {
  const error = await loadModelJson(path).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(isQuantTrimError(error, 'QT_MODEL_LOAD'), String(error)).toBe(true);
  for (const f of fragments) expect((error as Error).message).toMatch(f);
}

const predict = (model: tf.LayersModel, x: tf.Tensor): number[] => tf.tidy(() => Array.from((model.predict(x) as tf.Tensor).dataSync()));

describe('loadModelJson', () => {
  it('round-trips models saved with tfjs IO (fake-quant fileSystemHandler), by file or directory', async () => {
    const x = tf.randomUniform([3, 28, 28, 1], 0, 1, 'float32', 3);
    for (const name of ['cnn', 'resnet-tiny'] as const) {
      const model = buildModel(name, { inputShape: [28, 28, 1], classes: 10, seed: 2 });
      const dir = join(root, name);
      await model.save(fileSystemHandler(dir));
      const loaded = await loadModelJson(join(dir, 'model.json'));
      expect(loaded.layers.map((l) => l.name)).toEqual(model.layers.map((l) => l.name));
      expect(predict(loaded, x)).toEqual(predict(model, x));
      const byDir = await loadModelJson(dir);
      expect(predict(byDir, x)).toEqual(predict(model, x));
      for (const m of [model, loaded, byDir]) m.dispose();
    }
    x.dispose();
  });

  it('loads the standard multi-shard layout', async () => {
    const model = buildModel('mlp', { inputShape: [28, 28, 1], classes: 10 });
    const dir = join(root, 'sharded');
    await model.save(shardedHandler(dir, 100_000));
    expect(JSON.parse(readFileSync(join(dir, 'model.json'), 'utf8')).weightsManifest[0].paths).toHaveLength(5);
    const loaded = await loadModelJson(join(dir, 'model.json'));
    const x = tf.randomUniform([2, 28, 28, 1], 0, 1, 'float32', 4);
    expect(predict(loaded, x)).toEqual(predict(model, x));
    tf.dispose([x]);
    model.dispose();
    loaded.dispose();
  });

  it('names the file and the problem in QT_MODEL_LOAD errors', async () => {
    const missing = join(root, 'nope', 'model.json');
    await expectModelLoadError(missing, missing, /not found/);

    const dir = join(root, 'broken');
    await buildModel('cnn', { inputShape: [28, 28, 1], classes: 10 }).save(shardedHandler(dir, 40_000));
    const file = join(dir, 'model.json');
    const good = readFileSync(file, 'utf8');

    writeFileSync(file, good.slice(0, good.length / 2));
    await expectModelLoadError(file, file, /invalid JSON/);

    writeFileSync(file, JSON.stringify({ weightsManifest: [] }));
    await expectModelLoadError(file, file, /modelTopology/);

    writeFileSync(file, good.replace('"class_name":"Conv2D"', '"class_name":"NoSuchLayer"'));
    await expectModelLoadError(file, file, /NoSuchLayer/);

    writeFileSync(file, good);
    const shard = join(dir, 'group1-shard2of3.bin');
    const bytes = readFileSync(shard);
    truncateSync(shard, 100);
    await expectModelLoadError(file, file, /bytes/);
    rmSync(shard);
    await expectModelLoadError(file, file, shard, /missing/);
    writeFileSync(shard, bytes);
    (await loadModelJson(file)).dispose();
  });
});
