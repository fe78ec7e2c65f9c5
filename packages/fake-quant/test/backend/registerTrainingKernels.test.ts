import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import { errorCode } from '@quant-trim/test-utils';
import { initTrainingBackend } from '../../src/backend/initTrainingBackend.js';
import { registerTrainingKernels, unregisterTrainingKernels } from '../../src/backend/registerTrainingKernels.js';

describe('registerTrainingKernels', () => {
  beforeAll(async () => {
    await initTrainingBackend({ backend: 'wasm', kernels: false });
  });

  it('keeps the stock wasm setupFunc on replaced kernels and restores the originals on unregister', () => {
    const stock = { input: tf.getKernel('Conv2DBackpropInput', 'wasm'), pool: tf.getKernel('MaxPoolGrad', 'wasm') };
    expect(tf.getKernel('Conv2DBackpropFilter', 'wasm') as unknown).toBeUndefined();

    const warn = vi.spyOn(console, 'warn');
    expect(registerTrainingKernels('wasm')).toHaveLength(6);
    expect(registerTrainingKernels('wasm')).toHaveLength(6);
    expect(warn).not.toHaveBeenCalled();
    warn.mockRestore();

    const ours = tf.getKernel('Conv2DBackpropInput', 'wasm');
    expect(ours).not.toBe(stock.input);
    expect(ours.setupFunc).toBe(stock.input.setupFunc);
    expect(tf.getKernel('MaxPoolGrad', 'wasm').setupFunc).toBe(stock.pool.setupFunc);

    expect(unregisterTrainingKernels('wasm')).toHaveLength(6);
    expect(tf.getKernel('Conv2DBackpropInput', 'wasm')).toBe(stock.input);
    expect(tf.getKernel('MaxPoolGrad', 'wasm')).toBe(stock.pool);
    expect(tf.getKernel('Conv2DBackpropFilter', 'wasm') as unknown).toBeUndefined();
    expect(unregisterTrainingKernels('wasm')).toEqual([]);
  });

  it('leaves the stock kernels runnable after a round trip (their wasm exports stay bound)', async () => {
    registerTrainingKernels('wasm');
    unregisterTrainingKernels('wasm');
    await tf.setBackend('wasm');
    const dx = tf.tidy(() => {
      const dy = tf.ones([1, 3, 3, 1]);
      const filter = tf.ones([2, 2, 1, 1]);
      return tf
        .engine()
        .runKernel('Conv2DBackpropInput', { dy, filter }, { strides: 2, pad: 'valid', dataFormat: 'NHWC', inputShape: [1, 6, 6, 1] }) as tf.Tensor;
    });
    expect(dx.shape).toEqual([1, 6, 6, 1]);
    expect(dx.sum().dataSync()[0]).toBe(36);
    dx.dispose();
  });

  it('does not overwrite a kernel someone else registered since, and re-wraps it on the next call', () => {
    registerTrainingKernels('cpu');
    const ours = tf.getKernel('Conv2DBackpropFilter', 'cpu');
    const theirs = { ...ours }; // a copy is not ours: the marker does not travel with a spread
    tf.unregisterKernel('Conv2DBackpropFilter', 'cpu');
    tf.registerKernel(theirs);
    expect(unregisterTrainingKernels('cpu')).not.toContain('Conv2DBackpropFilter');
    expect(tf.getKernel('Conv2DBackpropFilter', 'cpu')).toBe(theirs);
    registerTrainingKernels('cpu');
    expect(tf.getKernel('Conv2DBackpropFilter', 'cpu')).not.toBe(theirs);
    unregisterTrainingKernels('cpu');
    expect(tf.getKernel('Conv2DBackpropFilter', 'cpu')).toBe(theirs);
  });

  it('rejects backends it was not built for, or that tfjs does not know', () => {
    expect(errorCode(() => registerTrainingKernels('webgpu'))).toBe('QT_INVALID_ARGUMENT');
  });
});
