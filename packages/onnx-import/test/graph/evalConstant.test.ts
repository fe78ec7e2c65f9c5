import type { OnnxNode } from '@quant-trim/onnx-export';
import { describe, expect, test } from 'vitest';
import type { ConstTensor } from '../../src/graph/constants.js';
import { evalConstant } from '../../src/graph/evalConstant.js';

const node = (opType: string, attributes: OnnxNode['attributes'] = {}): OnnxNode => ({
  name: opType,
  opType,
  domain: '',
  inputs: [],
  outputs: ['y'],
  attributes,
});
const ints = (dims: number[], data: number[]): ConstTensor => ({ dims, kind: 'int', data });

describe('evalConstant', () => {
  test('the flatten chain exporters emit: Gather(shape, 0) → Unsqueeze → Concat with -1', () => {
    const shape = ints([4], [2, 8, 7, 7]);
    const [batch] = evalConstant(node('Gather', { axis: { type: 'int', value: 0 } }), [shape, ints([], [0])], 13)!;
    expect(batch).toEqual(ints([], [2]));
    const [unsqueezed] = evalConstant(node('Unsqueeze'), [batch, ints([1], [0])], 13)!;
    expect(unsqueezed).toEqual(ints([1], [2]));
    const [target] = evalConstant(node('Concat', { axis: { type: 'int', value: 0 } }), [unsqueezed!, ints([1], [-1])], 13)!;
    expect(target).toEqual(ints([2], [2, -1]));
  });

  test('Slice with a negative step, Transpose and integer Div (what F.pad exports)', () => {
    const pads = ints([4, 2], [0, 1, 2, 3, 4, 5, 6, 7]);
    const [reversed] = evalConstant(node('Slice'), [pads, ints([1], [-1]), ints([1], [-9]), ints([1], [0]), ints([1], [-1])], 13)!;
    expect(reversed).toEqual(ints([4, 2], [6, 7, 4, 5, 2, 3, 0, 1]));
    const [t] = evalConstant(node('Transpose', { perm: { type: 'ints', value: [1, 0] } }), [reversed!], 13)!;
    expect(t).toEqual(ints([2, 4], [6, 4, 2, 0, 7, 5, 3, 1]));
    expect(evalConstant(node('Div'), [ints([2], [7, -7]), ints([], [2])], 13)![0]).toEqual(ints([2], [3, -3]));
  });

  test('ops it does not fold return undefined', () => {
    expect(evalConstant(node('Conv'), [ints([1], [1])], 13)).toBeUndefined();
    expect(evalConstant(node('Gather'), [ints([2, 2], [1, 2, 3, 4]), ints([], [0])], 13)).toBeUndefined();
  });
});
