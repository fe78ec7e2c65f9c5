import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, it } from 'vitest';
import { convCases, describeCase, expectGradientsClose, normal, OURS, outShape, referenceCase, runOn, setUpBackends } from '../gradientCheck.testkit.js';
import type { ConvCase, Target } from '../gradientCheck.testkit.js';

/** dL/dx of L = Σ conv2d(x, w) · r on `target`: exercises Conv2DBackpropInput only. */
function inputGradient(target: Target, c: ConvCase, seed: number): Promise<Float32Array[]> {
  const wShape: [number, number, number, number] = [c.kernel[0], c.kernel[1], c.x[3], c.out];
  return runOn(target, () => {
    const w = tf.tensor4d(normal(wShape, seed + 2), wShape);
    const r = tf.tensor4d(normal(outShape(c, false), seed + 1), outShape(c, false));
    const loss = (x: tf.Tensor) => tf.sum(tf.mul(tf.conv2d(x as tf.Tensor4D, w, c.strides, c.pad, 'NHWC', c.dilations, c.dimRoundingMode), r));
    return [tf.grad(loss)(tf.tensor4d(normal(c.x, seed), c.x))];
  });
}

describe('Conv2DBackpropInput', () => {
  beforeAll(setUpBackends);

  const cases = convCases({ dilated: false });

  it(`matches the stock cpu kernel over ${cases.length} shapes, strides and paddings`, async () => {
    for (const [i, c] of cases.entries()) {
      const expected = await inputGradient('cpu-stock', referenceCase(c, false), 300 + i);
      for (const target of OURS) {
        expectGradientsClose(await inputGradient(target, c, 300 + i), expected, `${target} ${describeCase(c)}`);
      }
    }
  });

  it('handles NCHW on cpu (wasm has no NCHW forward conv)', async () => {
    const compute = (target: Target) =>
      runOn(target, () => {
        const dy = tf.tensor4d(normal([2, 4, 3, 3], 8), [2, 4, 3, 3]);
        const filter = tf.tensor4d(normal([3, 2, 3, 4], 9), [3, 2, 3, 4]);
        const attrs = { strides: [2, 2], pad: 'same', dataFormat: 'NCHW', inputShape: [2, 3, 6, 5] };
        return [tf.engine().runKernel('Conv2DBackpropInput', { dy, filter }, attrs) as tf.Tensor];
      });
    expectGradientsClose(await compute('cpu-ours'), await compute('cpu-stock'), 'NCHW');
  });
});
