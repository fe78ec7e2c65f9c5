import * as tf from '@tensorflow/tfjs';
import { computeRanges, groupLayout } from '@quant-trim/quant-grid';
import type { Granularity } from '@quant-trim/quant-grid';
import { errorCode, mulberry32 } from '@quant-trim/test-utils';
import { beforeAll, describe, expect, it } from 'vitest';
import { tensorRanges } from '../../src/ops/tensorRanges.js';
import { useBackend } from './opsTestKit.testkit.js';

const CASES: { shape: number[]; granularity: Granularity; rangeShape: number[] }[] = [
  { shape: [4, 5, 6], granularity: { kind: 'per-tensor' }, rangeShape: [] },
  { shape: [4, 5, 6], granularity: { kind: 'per-channel', axis: 0 }, rangeShape: [4, 1, 1] },
  { shape: [4, 5, 6], granularity: { kind: 'per-channel', axis: 1 }, rangeShape: [1, 5, 1] },
  { shape: [4, 5, 6], granularity: { kind: 'per-channel', axis: -1 }, rangeShape: [1, 1, 6] },
  { shape: [9], granularity: { kind: 'per-channel', axis: 0 }, rangeShape: [9] },
  { shape: [4, 5, 6], granularity: { kind: 'per-group', axis: 0, groupSize: 2 }, rangeShape: [2, 5, 6] },
  { shape: [4, 5, 6], granularity: { kind: 'per-group', axis: 1, groupSize: 2 }, rangeShape: [4, 3, 6] }, // last group of 1
  { shape: [4, 5, 6], granularity: { kind: 'per-group', axis: -1, groupSize: 4 }, rangeShape: [4, 5, 2] }, // last group of 2
  { shape: [7, 3], granularity: { kind: 'per-group', axis: 0, groupSize: 32 }, rangeShape: [1, 3] },
];

for (const backend of ['cpu', 'wasm'] as const) {
  describe(`tensorRanges on ${backend}`, () => {
    beforeAll(() => useBackend(backend));

    it("equals quant-grid's computeRanges, shaped as TensorQParams expects", () => {
      const rand = mulberry32(21);
      for (const c of CASES) {
        const data = Float32Array.from({ length: c.shape.reduce((a, b) => a * b, 1) }, () => (rand() - 0.3) * 10);
        // Make some groups all-positive or all-negative, so neither padding nor widening hides anything.
        for (let i = 0; i < data.length; i += 3) data[i] = Math.abs(data[i]!) + 1;
        const expected = computeRanges(data, c.shape, c.granularity);
        const before = tf.memory().numTensors;
        const x = tf.tensor(data, c.shape);
        const { min, max } = tensorRanges(x, c.granularity);
        expect(tf.memory().numTensors).toBe(before + 3);
        expect(min.shape, JSON.stringify(c)).toEqual(c.rangeShape);
        expect(max.shape).toEqual(c.rangeShape);
        expect(Array.from(min.dataSync())).toEqual(Array.from(expected.min));
        expect(Array.from(max.dataSync())).toEqual(Array.from(expected.max));
        expect(groupLayout(c.shape, c.granularity).count).toBe(min.size);
        tf.dispose([x, min, max]);
      }
    });

    it('gives NaN to a group holding NaN (quant-grid skips NaN; the device does not)', () => {
      for (const n of [5, 4096 + 3]) {
        for (const at of [0, 1, 2, 3, n - 1]) {
          const data = Float32Array.from({ length: n }, (_, i) => Math.sin(i));
          data[at] = NaN;
          const r = tf.tidy(() => {
            const { min, max } = tensorRanges(tf.tensor2d(data, [1, n]), { kind: 'per-channel', axis: 0 });
            return [min.dataSync()[0], max.dataSync()[0]];
          });
          expect(r, `n ${n}, NaN at ${at}`).toEqual([NaN, NaN]);
        }
      }
    });
  });
}

describe('tensorRanges validation', () => {
  beforeAll(() => useBackend('cpu'));
  it('names the argument', () => {
    const x = tf.zeros([2, 3]);
    expect(errorCode(() => tensorRanges(tf.zeros([0, 3]), { kind: 'per-tensor' }))).toBe('QT_INVALID_ARGUMENT');
    expect(errorCode(() => tensorRanges(tf.zeros([2], 'int32'), { kind: 'per-tensor' }))).toBe('QT_INVALID_ARGUMENT');
    expect(errorCode(() => tensorRanges(x, { kind: 'per-channel', axis: 2 }))).toBe('QT_INVALID_GRANULARITY');
    expect(errorCode(() => tensorRanges(x, { kind: 'per-group', axis: 1, groupSize: 0 }))).toBe('QT_INVALID_GRANULARITY');
    expect(errorCode(() => tensorRanges(x, { kind: 'per-row' } as never))).toBe('QT_INVALID_GRANULARITY');
    expect(() => tensorRanges(x, { kind: 'per-channel', axis: -3 })).toThrowError(
      /^argument `granularity` of `tensorRanges`: granularity.axis -3 is out of range/,
    );
  });
});
