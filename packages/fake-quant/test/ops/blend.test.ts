import * as tf from '@tensorflow/tfjs';
import { createScheme } from '@quant-trim/quant-grid';
import { errorCode, mulberry32 } from '@quant-trim/test-utils';
import { beforeAll, describe, expect, it } from 'vitest';
import { blend } from '../../src/ops/blend.js';
import { fakeQuantize } from '../../src/ops/fakeQuantize.js';
import { useBackend } from './opsTestKit.testkit.js';

const bits = (a: Float32Array) => Array.from(new Uint32Array(a.buffer, a.byteOffset, a.length));

for (const backend of ['cpu', 'wasm'] as const) {
  describe(`blend on ${backend}`, () => {
    beforeAll(() => useBackend(backend));
    const rand = mulberry32(5);
    const xs = Float32Array.from({ length: 64 }, () => (rand() - 0.5) * 8);
    const xqs = Float32Array.from(xs, (v) => Math.round(v * 4) / 4);

    it('computes x + λ·(xq − x) in float32, bit for bit, with λ a number or a scalar tensor', () => {
      for (const lambda of [0, 0.3, 0.71, 1]) {
        const expected = Float32Array.from(xs, (x, i) => Math.fround(x + Math.fround(Math.fround(lambda) * Math.fround(xqs[i]! - x))));
        const lam = tf.scalar(lambda);
        for (const l of [lambda, lam]) {
          const y = tf.tidy(() => blend(tf.tensor(xs, [8, 8]), tf.tensor(xqs, [8, 8]), l));
          expect(y.shape).toEqual([8, 8]);
          expect(bits(y.dataSync() as Float32Array)).toEqual(bits(expected));
          y.dispose();
        }
        lam.dispose();
      }
      const atZero = tf.tidy(() => blend(tf.tensor(xs), tf.tensor(xqs), 0).dataSync() as Float32Array);
      expect(bits(atZero)).toEqual(bits(xs));
    });

    it('has gradient exactly dy with respect to x, even when xq is computed from x', () => {
      const scheme = createScheme({ bits: 4 });
      const dy = Float32Array.from({ length: 64 }, () => rand() * 3 - 1.5);
      for (const gradient of ['ste', 'lsq'] as const) {
        const dx = tf.tidy(() => {
          const lambda = tf.scalar(0.6);
          const f = (x: tf.Tensor) => blend(x, fakeQuantize(x, { scale: tf.scalar(0.5), zeroPoint: tf.scalar(0) }, scheme, { gradient }), lambda);
          return tf.grad(f)(tf.tensor(xs), tf.tensor(dy)).dataSync() as Float32Array;
        });
        expect(bits(dx)).toEqual(bits(dy));
      }
    });

    it('sends no gradient into xq or lambda', () => {
      const x = tf.variable(tf.tensor(xs));
      const v = tf.variable(tf.tensor(xqs));
      const lambda = tf.variable(tf.scalar(0.5)); // even a trainable λ gets nothing
      const { value, grads } = tf.variableGrads(() => tf.sum(blend(x, tf.mul(v, 3), lambda)) as tf.Scalar, [x, v, lambda]);
      expect(Object.keys(grads)).toEqual([x.name]);
      expect(Array.from(grads[x.name]!.dataSync())).toEqual(new Array(64).fill(1));
      tf.dispose([value, ...Object.values(grads), x, v, lambda]);
    });

    it('changes λ every step through a variable without leaking a tensor (1,000 steps)', () => {
      const lambda = tf.variable(tf.scalar(0), false);
      const x = tf.tensor(xs, [8, 8]);
      const xq = tf.tensor(xqs, [8, 8]);
      const before = tf.memory().numTensors;
      let last = 0;
      for (let step = 0; step < 1000; step++) {
        tf.tidy(() => lambda.assign(tf.scalar(step / 999)));
        last = tf.tidy(() => blend(x, xq, lambda).dataSync()[3]!);
        expect(tf.memory().numTensors).toBe(before);
      }
      expect(last).toBe(xqs[3]);
      for (let step = 0; step < 100; step++) {
        tf.tidy(() => {
          tf.grad((t: tf.Tensor) => blend(t, xq, step / 99))(x);
        });
      }
      expect(tf.memory().numTensors).toBe(before);
      tf.dispose([lambda, x, xq]);
    });
  });
}

describe('blend validation', () => {
  beforeAll(() => useBackend('cpu'));
  it('names the argument', () => {
    const x = tf.zeros([2, 2]);
    expect(errorCode(() => blend(x, tf.zeros([4]), 0.5))).toBe('QT_SHAPE_MISMATCH');
    expect(errorCode(() => blend(x, tf.zeros([2, 2], 'int32'), 0.5))).toBe('QT_INVALID_ARGUMENT');
    expect(errorCode(() => blend(x, x, 1.5))).toBe('QT_INVALID_ARGUMENT');
    expect(errorCode(() => blend(x, x, NaN))).toBe('QT_INVALID_ARGUMENT');
    expect(errorCode(() => blend(x, x, tf.tensor1d([0.5]) as never))).toBe('QT_INVALID_ARGUMENT');
    expect(() => blend(x, tf.zeros([2, 3]), 0.5)).toThrowError('argument `xq` of `blend`: expected the shape of `x` [2, 2], got [2, 3]');
    expect(() => blend(x, x, 2)).toThrowError('argument `lambda` of `blend`: expected a number in [0, 1], got 2');
  });
});
