import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { errorCode } from '@quant-trim/test-utils';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fileSystemHandler } from '../../src/node.js';

let root: string;
beforeAll(async () => {
  await tf.setBackend('cpu');
  root = mkdtempSync(join(tmpdir(), 'qt-fs-'));
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

const model = (units: number) => tf.sequential({ layers: [tf.layers.dense({ inputShape: [3], units })] });

describe('fileSystemHandler', () => {
  it('saves and loads a checkpoint directory, replacing an older one only once the new one is complete', async () => {
    const dir = join(root, 'ckpt');
    const a = model(2);
    await a.save(fileSystemHandler(dir));
    const b = model(4);
    await b.save(fileSystemHandler(dir));
    expect(readdirSync(root)).toEqual(['ckpt']); // no temp or old directories left behind
    const loaded = await tf.loadLayersModel(fileSystemHandler(dir));
    const x = tf.ones([1, 3]);
    expect(Array.from((loaded.predict(x) as tf.Tensor).dataSync())).toEqual(Array.from((b.predict(x) as tf.Tensor).dataSync()));
  });

  it('names the path in coded errors and leaves nothing half-written', async () => {
    const blocker = join(root, 'a-file');
    writeFileSync(blocker, 'x');
    let error: unknown;
    await model(2)
      .save(fileSystemHandler(join(blocker, 'ckpt')))
      .catch((e: unknown) => (error = e));
    expect(
      errorCode(() => {
        throw error;
      }),
      String(error),
    ).toBe('QT_IO_ERROR');
    expect(String((error as Error).message)).toContain(join(blocker, 'ckpt'));
    const missing = await fileSystemHandler(join(root, 'missing')).load!().catch((e: unknown) => e);
    expect(
      errorCode(() => {
        throw missing;
      }),
    ).toBe('QT_IO_ERROR');
    expect(readdirSync(root).sort()).toEqual(['a-file', 'ckpt']);
  });
});
