import type { OnnxNode } from '@quant-trim/onnx-export';
import { describe, expect, test } from 'vitest';
import { windowOf } from '../../src/ops/spatial.js';

const pool = (attributes: OnnxNode['attributes']): OnnxNode => ({ name: 'p', opType: 'MaxPool', domain: '', inputs: ['x'], outputs: ['y'], attributes });

describe('windowOf', () => {
  test('ceil_mode pads the end so the last window fits, but never starts a window in the end padding', () => {
    // 31 → ceil((31 - 3) / 2) + 1 = 15 windows: no extra pad needed.
    expect(windowOf(pool({ strides: { type: 'ints', value: [2, 2] }, ceil_mode: { type: 'int', value: 1 } }), [3, 3], [31, 31])).toMatchObject({
      pads: [0, 0, 0, 0],
    });
    // 32 → ceil(29 / 2) + 1 = 16 windows: one extra row and column at the end.
    expect(windowOf(pool({ strides: { type: 'ints', value: [2, 2] }, ceil_mode: { type: 'int', value: 1 } }), [3, 3], [32, 32])).toMatchObject({
      pads: [0, 0, 1, 1],
    });
    // 5 with pads 1, kernel 2, stride 2: ceil(5 / 2) + 1 = 4 windows would start at 6 ≥ 5 + 1, so 3.
    expect(
      windowOf(
        pool({ strides: { type: 'ints', value: [2, 2] }, pads: { type: 'ints', value: [1, 1, 1, 1] }, ceil_mode: { type: 'int', value: 1 } }),
        [2, 2],
        [5, 5],
      ),
    ).toMatchObject({ pads: [1, 1, 1, 1] });
  });

  test('auto_pad SAME_LOWER puts the odd row first; negative pads are refused', () => {
    expect(windowOf(pool({ strides: { type: 'ints', value: [2, 2] }, auto_pad: { type: 'string', value: 'SAME_LOWER' } }), [3, 3], [8, 8])).toMatchObject({
      pads: [1, 1, 0, 0],
    });
    expect(windowOf(pool({ pads: { type: 'ints', value: [-1, 0, 0, 0] } }), [3, 3], [8, 8])).toBe('negative pads [-1, 0, 0, 0]');
  });
});
