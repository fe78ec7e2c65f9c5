import { errorCode } from '@quant-trim/test-utils';
import { describe, expect, test } from 'vitest';
import { readOnnx } from '../../src/graph/readOnnx.js';
import { topologicalOrder } from '../../src/graph/topologicalOrder.js';
import { validateGraph } from '../../src/graph/validateGraph.js';
import { writeOnnx } from '../../src/graph/writeOnnx.js';
import { modelOf, node, smallCnn } from './fixtures.js';
import { onnx } from '../../src/graph/onnxProto.js';

describe('validateGraph', () => {
  test('a node consuming an undefined tensor: QT_ONNX_INVALID_GRAPH naming node and tensor', () => {
    const model = modelOf({ input: [1, 2], nodes: [node('Relu', ['x'], ['r']), node('Add', ['r', 'ghost'], ['y'])] });
    expect(errorCode(() => validateGraph(model.graph))).toBe('QT_ONNX_INVALID_GRAPH');
    expect(() => validateGraph(model.graph)).toThrow("node 'Add_y' (Add) consumes 'ghost', which no node, initializer or graph input defines");
  });

  test('readOnnx validates files written by other tools', () => {
    // Encode a broken graph directly with onnx-proto (writeOnnx would refuse it).
    const bytes = onnx.ModelProto.encode({
      irVersion: 7,
      opsetImport: [{ version: 13 }],
      graph: { name: 'g', node: [{ name: 'bad', opType: 'Relu', input: ['missing'], output: ['y'] }], input: [], output: [{ name: 'y' }] },
    }).finish();
    expect(errorCode(() => readOnnx(bytes))).toBe('QT_ONNX_INVALID_GRAPH');
    expect(() => readOnnx(bytes)).toThrow(/node 'bad' \(Relu\) consumes 'missing'/);
  });

  test('out-of-order nodes, double producers and undefined graph outputs are rejected', () => {
    const swapped = modelOf({ input: [1, 2], nodes: [node('Add', ['r', 'r'], ['y']), node('Relu', ['x'], ['r'])] });
    expect(() => validateGraph(swapped.graph)).toThrow(/before node 'Relu_r' \(Relu\) produces it/);
    const twice = modelOf({ input: [1, 2], nodes: [node('Relu', ['x'], ['y']), node('Sigmoid', ['x'], ['y'])] });
    expect(errorCode(() => validateGraph(twice.graph))).toBe('QT_ONNX_INVALID_GRAPH');
    const noOutput = modelOf({ input: [1, 2], nodes: [node('Relu', ['x'], ['r'])], outputs: ['elsewhere'] });
    expect(() => validateGraph(noOutput.graph)).toThrow(/graph output 'elsewhere'/);
    // Omitted optional inputs are fine.
    const optional = modelOf({ input: [1, 2], nodes: [node('Clip', ['x', '', ''], ['y'])] });
    expect(() => validateGraph(optional.graph)).not.toThrow();
  });
});

describe('topologicalOrder', () => {
  test('keeps a sorted graph as is and sorts a shuffled one so that it validates', () => {
    const model = smallCnn();
    expect(topologicalOrder(model.graph)).toEqual(model.graph.nodes);
    const shuffled = { ...model.graph, nodes: [...model.graph.nodes].reverse() };
    const order = topologicalOrder(shuffled);
    expect(order.map((n) => n.opType)).toEqual(['Conv', 'Relu', 'MaxPool', 'Flatten', 'Gemm']);
    expect(() => writeOnnx({ ...model, graph: { ...shuffled, nodes: order } })).not.toThrow();
  });

  test('a cycle is reported with its nodes; an undefined input with its name', () => {
    const cyclic = modelOf({ input: [1], nodes: [node('Add', ['x', 'b'], ['a']), node('Relu', ['a'], ['b'])], outputs: ['a'] });
    expect(errorCode(() => topologicalOrder(cyclic.graph))).toBe('QT_ONNX_INVALID_GRAPH');
    expect(() => topologicalOrder(cyclic.graph)).toThrow(/cycle through node 'Add_a' \(Add\), node 'Relu_b' \(Relu\)/);
    const undefinedInput = modelOf({ input: [1], nodes: [node('Relu', ['nope'], ['y'])] });
    expect(() => topologicalOrder(undefinedInput.graph)).toThrow(/consumes 'nope'/);
  });
});
