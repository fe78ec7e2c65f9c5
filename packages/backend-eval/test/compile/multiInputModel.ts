/**
 * A small float model with two data inputs and two outputs, built as an OnnxModel literal:
 * image[N,1,6,6] → Conv(3x3, pad 1) → Relu ─┬→ Conv(1x1) → seg[N,3,6,6]
 *                                          └→ GlobalAveragePool → Flatten ─┐
 * meta[N,4] → Gemm(transB) ────────────────────────────────────────────── Add → Gemm(transB) → logits[N,3]
 */
import type { OnnxModel, OnnxNode } from '@quant-trim/onnx-export';
import { values } from './fixtures.js';

export const IMAGE = [1, 6, 6];
export const META = [4];

export interface MultiInputOptions {
  /** Batch dimension of both inputs: symbolic `N` (default) or a fixed size. */
  readonly batch?: number | 'N';
  /** Element type of `meta` (ONNX code; default 1 = float32). */
  readonly metaType?: number;
}

export function multiInputModel(options: MultiInputOptions = {}): OnnxModel {
  const batch = options.batch ?? 'N';
  const init = (name: string, dims: number[], seed: number, amp: number) =>
    [
      name,
      {
        name,
        dataType: 1,
        dims,
        data: values(
          dims.reduce((a, b) => a * b, 1),
          seed,
          amp,
        ),
      },
    ] as const;
  const node = (name: string, opType: string, inputs: string[], outputs: string[], attributes: OnnxNode['attributes'] = {}): OnnxNode => ({
    name,
    opType,
    domain: '',
    inputs,
    outputs,
    attributes,
  });
  return {
    irVersion: 7,
    opsetImports: [{ domain: '', version: 13 }],
    metadata: {},
    graph: {
      name: 'two-in-two-out',
      nodes: [
        node('conv', 'Conv', ['image', 'w1', 'b1'], ['c'], { pads: { type: 'ints', value: [1, 1, 1, 1] } }),
        node('relu', 'Relu', ['c'], ['r']),
        node('seg_head', 'Conv', ['r', 'w2', 'b2'], ['seg']),
        node('gap', 'GlobalAveragePool', ['r'], ['g']),
        node('flatten', 'Flatten', ['g'], ['f']),
        node('meta_fc', 'Gemm', ['meta', 'wm', 'bm'], ['m'], { transB: { type: 'int', value: 1 } }),
        node('add', 'Add', ['f', 'm'], ['a']),
        node('head', 'Gemm', ['a', 'w3', 'b3'], ['logits'], { transB: { type: 'int', value: 1 } }),
      ],
      initializers: new Map([
        init('w1', [4, 1, 3, 3], 11, 0.6),
        init('b1', [4], 12, 0.1),
        init('w2', [3, 4, 1, 1], 13, 0.8),
        init('b2', [3], 14, 0.1),
        init('wm', [4, 4], 15, 0.7),
        init('bm', [4], 16, 0.1),
        init('w3', [3, 4], 17, 0.7),
        init('b3', [3], 18, 0.1),
      ]),
      inputs: [
        { name: 'image', elemType: 1, shape: [batch, ...IMAGE] },
        { name: 'meta', elemType: options.metaType ?? 1, shape: [batch, ...META] },
      ],
      outputs: [
        { name: 'seg', elemType: 1, shape: [batch, 3, 6, 6] },
        { name: 'logits', elemType: 1, shape: [batch, 3] },
      ],
      valueInfo: [],
    },
  };
}

/** `count` calibration feeds of `size` samples each, by input name. */
export function* feedBatches(count: number, size: number, seed: number): Generator<Record<string, Float32Array>> {
  for (let b = 0; b < count; b++) yield { image: values(size * 36, seed + 7 * b, 1.5), meta: values(size * 4, seed + 7 * b + 3, 1) };
}
