import { describe, expect, it } from 'vitest';
import { argmax, decisiveTop1 } from '../../src/node/agreement.js';

describe('decisiveTop1 (the QDQ verdict on top-1 predictions)', () => {
  const step = 0.1;
  it('ignores a near-tie that a one-step difference flips, and counts a decisive flip', () => {
    // Sample 0: leads by 0.15 (< 2 steps): ONNX's one-step rounding flips it, not counted.
    // Sample 1: leads by 0.5 (> 2 steps) and agrees. Sample 2: leads by 0.5 and flips: counted.
    const expected = Float32Array.from([1.0, 0.85, 0, 0.0, 0.5, 0, 0.9, 0.4, 0]);
    const actual = Float32Array.from([0.9, 0.95, 0, 0.0, 0.5, 0, 0.3, 0.8, 0]);
    expect(decisiveTop1(expected, actual, 3, step)).toEqual({ samples: 2, agreement: 0.5 });
  });
  it('a margin of exactly two steps is not decisive; with no decisive sample the agreement is 1', () => {
    const expected = Float32Array.from([0.2, 0.0]);
    expect(decisiveTop1(expected, Float32Array.from([0.0, 0.2]), 1, step)).toEqual({ samples: 0, agreement: 1 });
  });
  it('argmax takes the first of equal values', () => {
    expect(argmax(Float32Array.from([9, 1, 3, 3, 2]), 1, 4)).toBe(1);
  });
});
