import { describe, expect, test } from 'vitest';
import { NHWC, compose, inverse, isIdentity, samePads, transposeData } from '../../src/build/layout.js';

describe('layout helpers', () => {
  test('transposeData is numpy transpose', () => {
    // [2, 3] → [3, 2]
    expect(Array.from(transposeData(Float32Array.of(0, 1, 2, 3, 4, 5), [2, 3], [1, 0]))).toEqual([0, 3, 1, 4, 2, 5]);
    // NCHW [1, 2, 1, 2] → NHWC [1, 1, 2, 2]
    expect(Array.from(transposeData(Float32Array.of(0, 1, 2, 3), [1, 2, 1, 2], NHWC))).toEqual([0, 2, 1, 3]);
  });

  test('compose / inverse of permutations', () => {
    expect(isIdentity(compose(NHWC, inverse(NHWC)))).toBe(true);
    expect(inverse(NHWC)).toEqual([0, 3, 1, 2]);
  });

  test("TensorFlow 'same' pads put the odd row at the end", () => {
    expect(samePads([32, 32], [3, 3], [2, 2], [1, 1])).toEqual([0, 0, 1, 1]);
    expect(samePads([33, 33], [3, 3], [2, 2], [1, 1])).toEqual([1, 1, 1, 1]);
    expect(samePads([8, 8], [3, 3], [1, 1], [2, 2])).toEqual([2, 2, 2, 2]);
  });
});
