import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { registerTrainingKernels, unregisterTrainingKernels } from '../../src/backend/registerTrainingKernels.js';

// A file of its own: the wasm backend must not have been initialised yet in this process.
describe('registering on wasm before the backend initialises', () => {
  it('keeps the stock kernels setup, so restoring them later still works', async () => {
    await import('@tensorflow/tfjs-backend-wasm');
    expect(tf.engine().registry['wasm']).toBeUndefined();
    registerTrainingKernels('wasm');
    // tfjs runs the setupFunc of the configs registered NOW, i.e. ours: they must carry the stock ones.
    await tf.setBackend('wasm');
    unregisterTrainingKernels('wasm');
    const [dx, pooled] = tf.tidy(() => {
      const dy = tf.ones([1, 3, 3, 1]);
      const filter = tf.ones([2, 2, 1, 1]);
      const x = tf.tensor4d([1, 2, 3, 4], [1, 2, 2, 1]);
      return [
        tf.engine().runKernel('Conv2DBackpropInput', { dy, filter }, { strides: 2, pad: 'valid', dataFormat: 'NHWC', inputShape: [1, 6, 6, 1] }) as tf.Tensor,
        tf
          .engine()
          .runKernel(
            'MaxPoolGrad',
            { dy: tf.ones([1, 1, 1, 1]), input: x, output: tf.maxPool(x, 2, 2, 'valid') },
            { filterSize: 2, strides: 2, pad: 'valid' },
          ) as tf.Tensor,
      ];
    });
    expect(dx!.sum().dataSync()[0]).toBe(36);
    expect(Array.from(pooled!.dataSync())).toEqual([0, 0, 0, 1]);
    tf.dispose([dx!, pooled!]);
  });
});
