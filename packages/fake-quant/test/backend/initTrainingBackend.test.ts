import * as tf from '@tensorflow/tfjs';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { isQuantTrimError } from '@quant-trim/errors';
import { initTrainingBackend } from '../../src/backend/initTrainingBackend.js';

const KERNELS = [
  'Conv2DBackpropFilter',
  'Conv2DBackpropInput',
  'DepthwiseConv2dNativeBackpropFilter',
  'DepthwiseConv2dNativeBackpropInput',
  'MaxPoolGrad',
  'Tile',
];

describe('initTrainingBackend', () => {
  afterEach(() => vi.restoreAllMocks());

  it('loads wasm from its own package in Node, with SIMD, and registers the training kernels', async () => {
    const info = await initTrainingBackend();
    expect(info).toEqual({ backend: 'wasm', kernels: KERNELS, simd: true });
    expect(tf.getBackend()).toBe('wasm');
    for (const name of KERNELS) expect(tf.getKernel(name, 'wasm')).toBeDefined();
  });

  it('is idempotent: a second call registers nothing and tfjs warns about nothing', async () => {
    await initTrainingBackend();
    const configs = KERNELS.map((name) => tf.getKernel(name, 'wasm'));
    const warn = vi.spyOn(console, 'warn');
    const again = await initTrainingBackend({ backend: 'wasm' });
    expect(again.kernels).toEqual(KERNELS);
    expect(KERNELS.map((name) => tf.getKernel(name, 'wasm'))).toEqual(configs);
    expect(warn).not.toHaveBeenCalled();
  });

  it('selects cpu with the kernels, or without them when kernels: false', async () => {
    expect(await initTrainingBackend({ backend: 'cpu', kernels: false })).toEqual({ backend: 'cpu', kernels: [] });
    expect(tf.getBackend()).toBe('cpu');
    expect(await initTrainingBackend({ backend: 'cpu' })).toEqual({ backend: 'cpu', kernels: KERNELS });
  });

  it('trains a conv net on the selected backend', async () => {
    await initTrainingBackend();
    const model = tf.sequential({
      layers: [
        tf.layers.depthwiseConv2d({ inputShape: [8, 8, 2], kernelSize: 3, depthMultiplier: 2, strides: 2, padding: 'same' }),
        tf.layers.conv2d({ filters: 4, kernelSize: 3, activation: 'relu' }),
        tf.layers.maxPooling2d({ poolSize: 2, padding: 'same' }),
        tf.layers.flatten(),
        tf.layers.dense({ units: 3, activation: 'softmax' }),
      ],
    });
    model.compile({ optimizer: tf.train.adam(1e-2), loss: 'categoricalCrossentropy' });
    const xs = tf.randomNormal([8, 8, 8, 2], 0, 1, 'float32', 1);
    const ys = tf.oneHot(tf.tensor1d([0, 1, 2, 0, 1, 2, 0, 1], 'int32'), 3);
    const first = (await model.trainOnBatch(xs, ys)) as number;
    let last = first;
    for (let i = 0; i < 30; i++) last = (await model.trainOnBatch(xs, ys)) as number;
    expect(last).toBeLessThan(first);
    tf.dispose([xs, ys]);
    model.dispose();
  });

  it('rejects an unknown backend with a coded error', async () => {
    const error: unknown = await initTrainingBackend({ backend: 'webgl' as 'cpu' }).catch((e: unknown) => e);
    expect(isQuantTrimError(error, 'QT_INVALID_ARGUMENT')).toBe(true);
  });
});
