import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { mismatches } from '@quant-trim/test-utils';
import { normal, OURS, runOn, setUpBackends } from '../gradientCheck.testkit.js';
import type { Pad, Target } from '../gradientCheck.testkit.js';

interface PoolCase {
  readonly x: [number, number, number, number];
  readonly filter: [number, number];
  readonly strides: [number, number];
  readonly pad: Pad;
  readonly dimRoundingMode?: 'floor' | 'round' | 'ceil';
}

/** dL/dx of L = Σ maxPool(x) · r: exercises MaxPoolGrad only. */
function poolGradient(target: Target, c: PoolCase, xData: Float32Array, seed: number): Promise<Float32Array[]> {
  return runOn(target, () => {
    const x = tf.tensor4d(xData, c.x);
    const pool = (xs: tf.Tensor) => tf.maxPool(xs as tf.Tensor4D, c.filter, c.strides, c.pad, c.dimRoundingMode);
    const outShape = tf.tidy(() => pool(x).shape);
    const r = tf.tensor(normal(outShape, seed), outShape);
    return [tf.grad((xs: tf.Tensor) => tf.sum(tf.mul(pool(xs), r)))(x)];
  });
}

/** Values with many ties: small integers. */
function tied(shape: readonly number[], seed: number): Float32Array {
  return normal(shape, seed).map((v) => Math.round(v));
}

const CASES: PoolCase[] = [];
const shapes: Array<[number, number, number, number]> = [
  [2, 8, 8, 3],
  [1, 9, 7, 2],
  [3, 6, 11, 1],
  [2, 12, 10, 4],
];
let i = 0;
for (const filter of [
  [2, 2],
  [3, 3],
  [2, 3],
  [1, 1],
] as Array<[number, number]>) {
  for (const strides of [
    [2, 2],
    [1, 1],
    [3, 2],
    [2, 3],
  ] as Array<[number, number]>) {
    for (const pad of ['valid', 'same', 1] as Pad[]) {
      // Numeric pads are sized with the height's filter and stride on both axes upstream (see convCases).
      if (typeof pad === 'number' && (filter[0] !== filter[1] || strides[0] !== strides[1])) continue;
      CASES.push({ x: shapes[i++ % shapes.length]!, filter, strides, pad });
    }
  }
}
CASES.push({ x: [2, 7, 9, 2], filter: [3, 3], strides: [2, 2], pad: 1, dimRoundingMode: 'ceil' });

describe('MaxPoolGrad', () => {
  beforeAll(setUpBackends);

  it(`equals the stock cpu kernel exactly over ${CASES.length} pool configs, with ties`, async () => {
    for (const [n, c] of CASES.entries()) {
      for (const data of [normal(c.x, 900 + n), tied(c.x, 900 + n)]) {
        const [expected] = await poolGradient('cpu-stock', c, data, n);
        for (const target of OURS) {
          const [actual] = await poolGradient(target, c, data, n);
          const diff = mismatches(actual!, expected!);
          expect(
            diff.count,
            `${target} x ${c.x.join('x')} f ${c.filter.join('x')} s ${c.strides.join(',')} pad ${String(c.pad)}: first at ${diff.first.join(',')}`,
          ).toBe(0);
        }
      }
    }
  });

  it('routes all-tied windows to the first position, and NaN / all -Infinity windows nowhere', async () => {
    const c: PoolCase = { x: [1, 4, 4, 2], filter: [2, 2], strides: [2, 2], pad: 'valid' };
    // Channel 0: constant 1 (ties everywhere); channel 1: a NaN window, an all -inf window, mixed ones.
    const data = new Float32Array(32).fill(1);
    const ch1 = [NaN, NaN, 3, -Infinity, NaN, NaN, 2, 2, -Infinity, -Infinity, 5, NaN, -Infinity, -Infinity, Infinity, 5];
    ch1.forEach((v, k) => (data[k * 2 + 1] = v));
    const [expected] = await poolGradient('cpu-stock', c, data, 1);
    for (const target of OURS) {
      const [actual] = await poolGradient(target, c, data, 1);
      expect(mismatches(actual!, expected!).count, target).toBe(0);
    }
    // Only the top-left of each channel-0 window gets its gradient.
    const topLeft = [0, 2, 8, 10].map((p) => expected![p * 2]!);
    expect(topLeft.every((v) => v !== 0)).toBe(true);
  });

  it('hands non-float32 inputs to the original kernel', async () => {
    const compute = (target: Target) =>
      runOn(target, () => {
        const input = tf.tensor4d([1, 5, 5, 2, 7, 7, 0, 3, 4, 4, 4, 4, 9, 1, 1, 9], [1, 4, 4, 1], 'int32');
        const output = tf.maxPool(input, 2, 2, 'valid');
        const dy = tf.tensor4d([1, 2, 3, 4], [1, 2, 2, 1]);
        return [tf.engine().runKernel('MaxPoolGrad', { dy, input, output }, { filterSize: 2, strides: 2, pad: 'valid' }) as tf.Tensor];
      });
    const [expected] = await compute('cpu-stock');
    const [actual] = await compute('cpu-ours');
    expect(Array.from(actual!)).toEqual(Array.from(expected!));
  });
});
