import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { mismatches } from '@quant-trim/test-utils';
import { normal, OURS, runOn, setUpBackends } from '../gradientCheck.testkit.js';
import type { Target } from '../gradientCheck.testkit.js';

interface TileCase {
  readonly shape: number[];
  readonly reps: number[];
}

/** tf.tile(x, reps) of seeded data in `dtype`, and its shape. */
async function tiled(target: Target, c: TileCase, dtype: 'float32' | 'int32' | 'bool', seed: number): Promise<{ values: ArrayLike<number>; shape: number[] }> {
  let shape: number[] = [];
  const [values] = await runOn(target, () => {
    const data = normal(c.shape, seed);
    const x =
      dtype === 'float32'
        ? tf.tensor(data, c.shape)
        : dtype === 'int32'
          ? tf.tensor(
              data.map((v) => Math.round(4 * v)),
              c.shape,
              'int32',
            )
          : tf.tensor(data, c.shape).greater(0);
    const out = tf.tile(x, c.reps);
    shape = out.shape;
    return [out];
  });
  return { values: values!, shape };
}

const CASES: TileCase[] = [
  // What tfjs' FusedBatchNorm gradient tiles: 1/σ from [1, 1, 1, C] to the activation shape.
  { shape: [1, 1, 1, 16], reps: [64, 14, 14, 1] },
  { shape: [1, 1, 1, 33], reps: [2, 7, 5, 1] },
  { shape: [1, 1, 1, 1], reps: [3, 4, 5, 1] },
  { shape: [], reps: [] },
  { shape: [5], reps: [1] },
  { shape: [5], reps: [4] },
  { shape: [3, 1], reps: [1, 6] },
  { shape: [2, 3], reps: [3, 2] },
  { shape: [1, 7], reps: [9, 1] },
  { shape: [2, 3, 4], reps: [1, 1, 1] },
  { shape: [2, 3, 4], reps: [2, 3, 5] },
  { shape: [3, 1, 2], reps: [1, 4, 1] },
  { shape: [2, 2, 3, 2], reps: [2, 1, 3, 2] },
  { shape: [1, 3, 1, 2, 2], reps: [2, 1, 3, 1, 2] },
  { shape: [2, 3, 2, 1, 2, 1], reps: [1, 2, 1, 3, 1, 2] },
  // Empty inputs and zero repetitions.
  { shape: [0, 3], reps: [2, 2] },
  { shape: [2, 3], reps: [0, 2] },
  { shape: [2, 3], reps: [2, 0] },
];

describe('Tile', () => {
  beforeAll(setUpBackends);

  it(`equals the stock cpu kernel exactly over ${CASES.length} shapes × reps in float32, int32 and bool`, async () => {
    for (const [n, c] of CASES.entries()) {
      for (const dtype of ['float32', 'int32', 'bool'] as const) {
        const expected = await tiled('cpu-stock', c, dtype, 500 + n);
        for (const target of OURS) {
          const actual = await tiled(target, c, dtype, 500 + n);
          const what = `${target} ${dtype} [${c.shape.join(',')}] reps [${c.reps.join(',')}]`;
          expect(actual.shape, what).toEqual(expected.shape);
          expect(actual.values.length, what).toBe(expected.values.length);
          const diff = mismatches(actual.values, expected.values);
          expect(diff.count, `${what}: first at ${diff.first.join(',')}`).toBe(0);
        }
      }
    }
  });

  it('hands string tensors to the original kernel (cpu)', async () => {
    const compute = async (target: Target) => {
      await runOn(target, () => []);
      return tf.tidy(() =>
        tf
          .tile(
            tf.tensor2d([
              ['a', 'b'],
              ['c', 'd'],
            ]),
            [2, 3],
          )
          .arraySync(),
      );
    };
    const expected = await compute('cpu-stock');
    expect(await compute('cpu-ours')).toEqual(expected);
    expect((expected as unknown as string[][])[3]).toEqual(['c', 'd', 'c', 'd', 'c', 'd']);
  });

  it('gives the BatchNorm gradient of tfjs the same values as the stock kernels', async () => {
    const shape = [4, 6, 5, 3];
    const gradient = (target: Target) =>
      runOn(target, () => {
        const x = tf.tensor(normal(shape, 1), shape);
        const dy = tf.tensor(normal(shape, 2), shape);
        const [mean, variance, gamma, beta] = [3, 4, 5, 6].map((s, i) => tf.tensor1d(normal([3], s).map((v) => (i === 1 ? 0.5 + Math.abs(v) : v))));
        return tf.grads((xs: tf.Tensor, g: tf.Tensor) => tf.sum(tf.mul(tf.batchNorm(xs, mean!, variance!, beta, g as tf.Tensor1D, 1e-3), dy)))([x, gamma!]);
      });
    const expected = await gradient('cpu-stock');
    for (const target of OURS) {
      const actual = await gradient(target);
      // Tile is a copy: on cpu the whole gradient is bit for bit tfjs'; wasm's own Mul / Sum differ in order.
      if (target === 'cpu-ours') actual.forEach((a, i) => expect(mismatches(a, expected[i]!).count, `${target} grad ${i}`).toBe(0));
      else
        actual.forEach((a, i) => expect(Array.from(a).every((v, k) => Math.abs(v - expected[i]![k]!) <= 1e-4 * (1 + Math.abs(expected[i]![k]!)))).toBe(true));
    }
  });
});
