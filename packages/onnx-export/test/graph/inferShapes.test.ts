import { errorCode, randomNormal } from '@quant-trim/test-utils';
import { describe, expect, test } from 'vitest';
import { addOutputs } from '../../src/graph/addOutputs.js';
import { inferShapes } from '../../src/graph/inferShapes.js';
import { TensorDataType } from '../../src/graph/tensorDataType.js';
import type { OnnxModel, OnnxNode, OnnxTensor } from '../../src/graph/types.js';
import { writeOnnx } from '../../src/graph/writeOnnx.js';
import { floatTensor, int, ints, modelOf, node, run } from './fixtures.js';

const i64 = (name: string, values: number[]): OnnxTensor => ({
  name,
  dataType: TensorDataType.INT64,
  dims: [values.length],
  data: BigInt64Array.from(values.map(BigInt)),
});
const scalar = (name: string, dataType: number, v: number): OnnxTensor => ({
  name,
  dataType,
  dims: [],
  data: dataType === TensorDataType.FLOAT ? new Float32Array([v]) : dataType === TensorDataType.INT8 ? new Int8Array([v]) : new Uint8Array([v]),
});

interface Case {
  name: string;
  input: number[];
  nodes: OnnxNode[];
  initializers?: OnnxTensor[];
  opset?: number;
  expected: Record<string, number[]>;
}

const cases: Case[] = [
  {
    name: 'Conv with asymmetric pads, strides and dilations',
    input: [1, 2, 9, 10],
    nodes: [node('Conv', ['x', 'w'], ['y'], { pads: ints([1, 0, 2, 1]), strides: ints([2, 1]), dilations: ints([1, 2]) })],
    initializers: [floatTensor('w', [4, 2, 3, 3], 1)],
    expected: { y: [1, 4, 5, 7] },
  },
  {
    name: 'Conv SAME_UPPER stride 2 and grouped VALID Conv',
    input: [1, 4, 7, 7],
    nodes: [
      node('Conv', ['x', 'w'], ['a'], { auto_pad: { type: 'string', value: 'SAME_UPPER' }, strides: ints([2, 2]) }),
      node('Conv', ['x', 'wg', 'bg'], ['b'], { auto_pad: { type: 'string', value: 'VALID' }, group: int(2) }),
    ],
    initializers: [floatTensor('w', [3, 4, 3, 3], 1), floatTensor('wg', [6, 2, 3, 3], 2), floatTensor('bg', [6], 3)],
    expected: { a: [1, 3, 4, 4], b: [1, 6, 5, 5] },
  },
  {
    name: 'MaxPool and AveragePool with ceil_mode (incl. the dropped last window) and pads',
    input: [1, 2, 6, 6],
    nodes: [
      node('MaxPool', ['x'], ['m1'], { kernel_shape: ints([3, 3]), strides: ints([2, 2]), ceil_mode: int(1) }),
      node('MaxPool', ['x'], ['m2'], { kernel_shape: ints([2, 2]), strides: ints([2, 2]), pads: ints([1, 1, 1, 1]), ceil_mode: int(1) }),
      node('AveragePool', ['x'], ['a1'], { kernel_shape: ints([3, 2]), strides: ints([2, 3]), pads: ints([1, 0, 1, 0]) }),
      node('MaxPool', ['x'], ['m3'], { kernel_shape: ints([2, 2]), dilations: ints([2, 2]) }),
      node('GlobalAveragePool', ['x'], ['g']),
    ],
    expected: { m1: [1, 2, 3, 3], m2: [1, 2, 4, 4], a1: [1, 2, 3, 2], m3: [1, 2, 4, 4], g: [1, 2, 1, 1] },
  },
  {
    // ONNX's own shape inference says 4×4 here (ORT logs a merge warning); ORT's kernels, PyTorch and this package say 3×3.
    name: 'ceil_mode drops a last window that would start in the end padding',
    input: [1, 1, 5, 5],
    nodes: [
      node('MaxPool', ['x'], ['m'], { kernel_shape: ints([2, 2]), strides: ints([2, 2]), pads: ints([1, 1, 1, 1]), ceil_mode: int(1) }),
      node('AveragePool', ['x'], ['a'], { kernel_shape: ints([2, 2]), strides: ints([2, 2]), pads: ints([1, 1, 1, 1]), ceil_mode: int(1) }),
    ],
    expected: { m: [1, 1, 3, 3], a: [1, 1, 3, 3] },
  },
  {
    name: 'Gemm with transA/transB and bias; MatMul broadcasting and 1-D operands',
    input: [4, 3],
    nodes: [
      node('Gemm', ['x', 'b', 'c'], ['g'], { transA: int(1), transB: int(1) }),
      node('Reshape', ['x', 's'], ['x4']),
      node('MatMul', ['x4', 'm'], ['mm']),
      node('MatMul', ['v', 'm'], ['mv']),
    ],
    initializers: [floatTensor('b', [5, 4], 1), floatTensor('c', [5], 2), i64('s', [2, 1, 3, 2]), floatTensor('m', [5, 2, 6], 3), floatTensor('v', [2], 4)],
    expected: { g: [3, 5], x4: [2, 1, 3, 2], mm: [2, 5, 3, 6], mv: [5, 6] },
  },
  {
    name: 'Flatten, Reshape with 0 and -1 (Constant node), Transpose, Concat, broadcasting Add, Pad',
    opset: 18,
    input: [2, 3, 4, 5],
    nodes: [
      node('Flatten', ['x'], ['f'], { axis: int(-2) }),
      node('Flatten', ['x'], ['f0'], { axis: int(0) }),
      { ...node('Constant', [], ['shape']), attributes: { value: { type: 'tensor', value: i64('shape', [0, -1, 5]) } } },
      node('Reshape', ['x', 'shape'], ['r']),
      node('Transpose', ['x'], ['t'], { perm: ints([0, 2, 3, 1]) }),
      node('Transpose', ['x'], ['td']),
      node('Concat', ['x', 'x'], ['cc'], { axis: int(-1) }),
      node('Add', ['x', 'bias'], ['add']),
      node('Pad', ['x', 'pads'], ['pd']),
      node('Pad', ['x', 'pads2', '', 'axes'], ['pa']),
    ],
    initializers: [floatTensor('bias', [4, 1], 1), i64('pads', [0, 0, 1, 2, 0, 1, 0, 3]), i64('pads2', [1, 2, 0, 1]), i64('axes', [-1, 1])],
    expected: {
      pd: [2, 4, 5, 10],
      pa: [2, 6, 4, 6],
      f: [6, 20],
      f0: [1, 120],
      r: [2, 12, 5],
      t: [2, 4, 5, 3],
      td: [5, 4, 3, 2],
      cc: [2, 3, 4, 10],
      add: [2, 3, 4, 5],
    },
  },
  {
    name: 'BatchNormalization, activations and Q/DQ keep the shape',
    opset: 14,
    input: [1, 2, 3, 3],
    nodes: [
      node('BatchNormalization', ['x', 'bs', 'bb', 'bm', 'bv'], ['bn']),
      node('HardSwish', ['bn'], ['hs']),
      node('Clip', ['hs', 'lo', 'hi'], ['cl']),
      node('Softmax', ['cl'], ['sm'], { axis: int(1) }),
      node('Sigmoid', ['sm'], ['sg']),
      node('QuantizeLinear', ['sg', 'qs', 'qz'], ['q']),
      node('DequantizeLinear', ['q', 'qs', 'qz'], ['dq']),
      node('Identity', ['dq'], ['id']),
      node('Div', ['id', 'qs'], ['dv']),
    ],
    initializers: [
      floatTensor('bs', [2], 1),
      floatTensor('bb', [2], 2),
      floatTensor('bm', [2], 3),
      { name: 'bv', dataType: TensorDataType.FLOAT, dims: [2], data: new Float32Array([1, 2]) },
      scalar('lo', TensorDataType.FLOAT, 0),
      scalar('hi', TensorDataType.FLOAT, 6),
      scalar('qs', TensorDataType.FLOAT, 0.01),
      scalar('qz', TensorDataType.UINT8, 0),
    ],
    expected: {
      bn: [1, 2, 3, 3],
      hs: [1, 2, 3, 3],
      cl: [1, 2, 3, 3],
      sm: [1, 2, 3, 3],
      sg: [1, 2, 3, 3],
      q: [1, 2, 3, 3],
      dq: [1, 2, 3, 3],
      id: [1, 2, 3, 3],
      dv: [1, 2, 3, 3],
    },
  },
];

describe('inferShapes matches ONNX Runtime', () => {
  test.each(cases)('$name', async (c) => {
    const model = modelOf({ opset: c.opset ?? 13, input: c.input, nodes: c.nodes, initializers: c.initializers ?? [] });
    const shapes = inferShapes(model);
    for (const [name, dims] of Object.entries(c.expected)) expect(shapes.get(name), name).toEqual(dims);
    // Expose every node output (declared with the inferred shape) and compare with what ORT computes.
    const probe = addOutputs(model, Object.keys(c.expected));
    const x = randomNormal(
      c.input.reduce((a, b) => a * b, 1),
      1,
      5,
    );
    const out = await run(writeOnnx(probe), { x: { data: x, dims: c.input } });
    for (const name of Object.keys(c.expected)) expect(out[name]!.dims, name).toEqual(shapes.get(name));
  });

  test('unknown ops leave their outputs and everything downstream unknown, without failing', () => {
    const model = modelOf({
      input: [1, 3],
      nodes: [
        node('Relu', ['x'], ['r']),
        { ...node('Mystery', ['r'], ['m']), domain: 'com.example' },
        node('TopK', ['r', 'k'], ['tv', 'ti']),
        node('Relu', ['m'], ['y']),
      ],
      initializers: [i64('k', [1])],
    });
    const shapes = inferShapes(model);
    expect(shapes.get('r')).toEqual([1, 3]);
    for (const t of ['m', 'tv', 'ti', 'y']) expect(shapes.has(t) && shapes.get(t) === undefined, t).toBe(true);
  });

  test('symbolic input dims are unknown unless given in inputShapes', () => {
    const model = modelOf({ input: [1, 3], nodes: [node('Relu', ['x'], ['y'])] });
    model.graph.inputs[0]!.shape = ['batch', 3];
    expect(inferShapes(model).get('y')).toBeUndefined();
    expect(inferShapes(model, { inputShapes: { x: [7, 3] } }).get('y')).toEqual([7, 3]);
  });

  test('conflicting shapes are a coded error naming the node', () => {
    const bad: OnnxModel = modelOf({ input: [1, 3, 8, 8], nodes: [node('Conv', ['x', 'w'], ['y'])], initializers: [floatTensor('w', [4, 2, 3, 3], 1)] });
    expect(errorCode(() => inferShapes(bad))).toBe('QT_ONNX_INVALID_GRAPH');
    expect(() => inferShapes(bad)).toThrow(/node 'Conv_y' \(Conv\): input \[1, 3, 8, 8\] and weight \[4, 2, 3, 3\]/);
    const reshape = modelOf({ input: [2, 3], nodes: [node('Reshape', ['x', 's'], ['y'])], initializers: [i64('s', [4, -1])] });
    expect(() => inferShapes(reshape)).toThrow(/cannot reshape \[2, 3\]/);
  });
});
