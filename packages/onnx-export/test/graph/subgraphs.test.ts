import onnxProto from 'onnx-proto';
import { describe, expect, test } from 'vitest';
import { addOutputs } from '../../src/graph/addOutputs.js';
import { inferElemTypes } from '../../src/graph/inferElemTypes.js';
import { readOnnx } from '../../src/graph/readOnnx.js';
import { implicitInputs, subgraphsOf } from '../../src/graph/subgraphs.js';
import { TensorDataType } from '../../src/graph/tensorDataType.js';
import type { OnnxAttribute } from '../../src/graph/types.js';
import { writeOnnx } from '../../src/graph/writeOnnx.js';
import { floatTensor, int, modelOf, node, run } from './fixtures.js';

const { onnx } = onnxProto;

const info = (name: string, elemType: number, dims?: number[]) =>
  onnx.ValueInfoProto.create({ name, type: { tensorType: { elemType, ...(dims ? { shape: { dim: dims.map((dimValue) => ({ dimValue })) } } : {}) } } });

/** A graph-valued attribute as `readOnnx` keeps it (encoded). */
function graphAttribute(
  name: string,
  graph: { nodes: [string, string[], string[]][]; inputs?: [string, number, number[]][]; outputs: [string, number][] },
): OnnxAttribute {
  const g = onnx.GraphProto.create({
    name,
    node: graph.nodes.map(([opType, input, output], i) => onnx.NodeProto.create({ name: `${name}_${i}`, opType, input, output })),
    input: (graph.inputs ?? []).map(([n, t, d]) => info(n, t, d)),
    output: graph.outputs.map(([n, t]) => info(n, t)),
  });
  return { type: 'raw', raw: onnx.AttributeProto.encode({ name, type: onnx.AttributeProto.AttributeType.GRAPH, g }).finish() };
}

/**
 * x → Relu → r; If(ReduceSum(r) > 0): then r·w_then, else r + w_else (both read from the outer
 * scope); Loop twice over v = v·w_then; TopK over the flattened result (values and int64 indices).
 */
function controlFlowModel() {
  const model = modelOf({
    input: [1, 4],
    nodes: [
      node('Relu', ['x'], ['r']),
      node('ReduceSum', ['r'], ['s'], { keepdims: int(0) }),
      node('Greater', ['s', 'zero'], ['cond']),
      {
        ...node('If', ['cond'], ['branch']),
        attributes: {
          then_branch: graphAttribute('then_branch', { nodes: [['Mul', ['r', 'w_then'], ['t_out']]], outputs: [['t_out', TensorDataType.FLOAT]] }),
          else_branch: graphAttribute('else_branch', { nodes: [['Add', ['r', 'w_else'], ['e_out']]], outputs: [['e_out', TensorDataType.FLOAT]] }),
        },
      },
      {
        ...node('Loop', ['trips', '', 'branch'], ['looped']),
        attributes: {
          body: graphAttribute('body', {
            inputs: [
              ['i', TensorDataType.INT64, []],
              ['c_in', TensorDataType.BOOL, []],
              ['v_in', TensorDataType.FLOAT, [1, 4]],
            ],
            nodes: [
              ['Identity', ['c_in'], ['c_out']],
              ['Mul', ['v_in', 'w_then'], ['v_out']],
            ],
            outputs: [
              ['c_out', TensorDataType.BOOL],
              ['v_out', TensorDataType.FLOAT],
            ],
          }),
        },
      },
      node('TopK', ['looped', 'k'], ['top', 'top_index'], { axis: int(1) }),
    ],
    initializers: [
      floatTensor('w_then', [1, 4], 1),
      floatTensor('w_else', [1, 4], 2),
      { name: 'zero', dataType: TensorDataType.FLOAT, dims: [], data: Float32Array.of(0) },
      { name: 'trips', dataType: TensorDataType.INT64, dims: [], data: BigInt64Array.of(2n) },
      { name: 'k', dataType: TensorDataType.INT64, dims: [1], data: BigInt64Array.of(2n) },
    ],
    outputs: ['top'],
  });
  return model;
}

describe("inferElemTypes for ops whose output type is not their first input's", () => {
  test('ConstantOfShape, OneHot, MatMulInteger, DynamicQuantizeLinear', () => {
    const model = modelOf({
      input: [2, 3],
      nodes: [
        node('Shape', ['x'], ['s']),
        {
          ...node('ConstantOfShape', ['s'], ['zeros']),
          attributes: { value: { type: 'tensor', value: { name: '', dataType: TensorDataType.FLOAT, dims: [1], data: Float32Array.of(0) } } },
        },
        node('ConstantOfShape', ['s'], ['default_zeros']),
        node('OneHot', ['idx', 'depth', 'onoff'], ['hot']),
        node('DynamicQuantizeLinear', ['x'], ['q', 'q_scale', 'q_zero_point']),
        node('MatMulInteger', ['q', 'wq'], ['acc']),
        node('Add', ['x', 'zeros'], ['y']),
      ],
      initializers: [
        { name: 'idx', dataType: TensorDataType.INT64, dims: [2], data: BigInt64Array.of(0n, 1n) },
        { name: 'depth', dataType: TensorDataType.INT64, dims: [], data: BigInt64Array.of(3n) },
        { name: 'onoff', dataType: TensorDataType.FLOAT, dims: [2], data: Float32Array.of(0, 1) },
        { name: 'wq', dataType: TensorDataType.UINT8, dims: [3, 2], data: Uint8Array.of(1, 2, 3, 4, 5, 6) },
      ],
      outputs: ['y'],
    });
    const types = inferElemTypes(model);
    expect(['zeros', 'default_zeros', 'hot', 'q', 'q_scale', 'q_zero_point', 'acc'].map((t) => types.get(t))).toEqual([
      TensorDataType.FLOAT,
      TensorDataType.FLOAT,
      TensorDataType.FLOAT,
      TensorDataType.UINT8,
      TensorDataType.FLOAT,
      TensorDataType.UINT8,
      TensorDataType.INT32,
    ]);
  });
});

describe('subgraphs', () => {
  test("implicitInputs lists the outer-scope tensors a node's subgraphs read", () => {
    const model = readOnnx(writeOnnx(controlFlowModel()));
    const [ifNode, loopNode] = model.graph.nodes.filter((n) => n.opType === 'If' || n.opType === 'Loop');
    expect(implicitInputs(ifNode!).sort()).toEqual(['r', 'w_else', 'w_then']);
    expect(implicitInputs(loopNode!)).toEqual(['w_then']);
    expect(implicitInputs(model.graph.nodes[0]!)).toEqual([]);
    expect([...subgraphsOf(loopNode!)[0]!.definedNames].sort()).toEqual(['body_0', 'body_1', 'c_in', 'c_out', 'i', 'v_in', 'v_out']);
    expect(subgraphsOf(ifNode!).map((g) => [g.attribute, g.opTypes, g.outputTypes])).toEqual([
      ['then_branch', ['Mul'], [TensorDataType.FLOAT]],
      ['else_branch', ['Add'], [TensorDataType.FLOAT]],
    ]);
  });

  test('inferElemTypes takes If / Loop outputs from their subgraphs and TopK indices as int64; ORT agrees', async () => {
    const model = readOnnx(writeOnnx(controlFlowModel()));
    const types = inferElemTypes(model);
    expect([types.get('branch'), types.get('looped'), types.get('top'), types.get('top_index'), types.get('cond')]).toEqual([
      TensorDataType.FLOAT,
      TensorDataType.FLOAT,
      TensorDataType.FLOAT,
      TensorDataType.INT64,
      TensorDataType.BOOL,
    ]);
    // The declared types are the ones ORT produces: exposing the tensors as outputs runs.
    const probe = addOutputs(model, ['branch', 'looped', 'top_index']);
    const out = await run(writeOnnx(probe), { x: { data: Float32Array.of(1, -2, 3, 0.5), dims: [1, 4] } });
    expect(out['branch']!.dims).toEqual([1, 4]);
    expect(out['looped']!.dims).toEqual([1, 4]);
    expect(out['top_index']!.dims).toEqual([1, 2]);
  });
});
