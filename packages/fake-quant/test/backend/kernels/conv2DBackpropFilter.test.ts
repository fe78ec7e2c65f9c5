import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { convCases, describeCase, expectGradientsClose, normal, OURS, outShape, referenceCase, runOn, setUpBackends } from '../gradientCheck.testkit.js';
import type { ConvCase, Target } from '../gradientCheck.testkit.js';

/** dL/dw of L = Σ conv2d(x, w) · r on `target`: exercises Conv2DBackpropFilter only. */
function filterGradient(target: Target, c: ConvCase, seed: number): Promise<Float32Array[]> {
  const wShape = [c.kernel[0], c.kernel[1], c.x[3], c.out];
  return runOn(target, () => {
    const x = tf.tensor4d(normal(c.x, seed), c.x);
    const r = tf.tensor4d(normal(outShape(c, false), seed + 1), outShape(c, false));
    const loss = (w: tf.Tensor) => tf.sum(tf.mul(tf.conv2d(x, w as tf.Tensor4D, c.strides, c.pad, 'NHWC', c.dilations, c.dimRoundingMode), r));
    return [tf.grad(loss)(tf.tensor4d(normal(wShape, seed + 2), wShape as [number, number, number, number]))];
  });
}

describe('Conv2DBackpropFilter', () => {
  beforeAll(setUpBackends);

  const cases = convCases({ dilated: false });

  it(`matches the stock cpu kernel over ${cases.length} shapes, strides and paddings`, async () => {
    for (const [i, c] of cases.entries()) {
      const expected = await filterGradient('cpu-stock', referenceCase(c, false), 100 + i);
      for (const target of OURS) {
        expectGradientsClose(await filterGradient(target, c, 100 + i), expected, `${target} ${describeCase(c)}`);
      }
    }
  });

  it('handles NCHW on cpu (wasm has no NCHW forward conv)', async () => {
    const compute = (target: Target) =>
      runOn(target, () => {
        const x = tf.tensor4d(normal([2, 3, 7, 6], 7), [2, 3, 7, 6]);
        const dy = tf.tensor4d(normal([2, 4, 4, 3], 8), [2, 4, 4, 3]);
        const dw = tf.engine().runKernel('Conv2DBackpropFilter', { x, dy }, { strides: [2, 2], pad: 'same', dataFormat: 'NCHW', filterShape: [3, 2, 3, 4] });
        return [dw as tf.Tensor];
      });
    expectGradientsClose(await compute('cpu-ours'), await compute('cpu-stock'), 'NCHW');
  });

  it('trains a conv layer on wasm, where the stock backend has no such kernel', async () => {
    const [dw] = await filterGradient('wasm-ours', { x: [2, 6, 6, 1], kernel: [3, 3], out: 2, strides: [1, 1], dilations: [1, 1], pad: 'valid' }, 1);
    expect(dw!.length).toBe(18);
  });
});
