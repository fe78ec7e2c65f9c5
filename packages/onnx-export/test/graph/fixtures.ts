import { randomNormal } from '@quant-trim/test-utils';
import { ort, runOrt } from '@quant-trim/test-utils/onnx';
import { TensorDataType } from '../../src/graph/tensorDataType.js';
import type { OnnxAttribute, OnnxModel, OnnxNode, OnnxTensor } from '../../src/graph/types.js';

export const ints = (value: number[]): OnnxAttribute => ({ type: 'ints', value });
export const int = (value: number): OnnxAttribute => ({ type: 'int', value });

export function floatTensor(name: string, dims: number[], seed: number, std = 0.5): OnnxTensor {
  return {
    name,
    dataType: TensorDataType.FLOAT,
    dims,
    data: randomNormal(
      dims.reduce((a, b) => a * b, 1),
      std,
      seed,
    ),
  };
}

export function node(opType: string, inputs: string[], outputs: string[], attributes: Record<string, OnnxAttribute> = {}): OnnxNode {
  return { name: `${opType}_${outputs[0]}`, opType, domain: '', inputs, outputs, attributes };
}

/** A model literal: one float input `x`, float output(s), the given nodes and initializers. */
export function modelOf(opts: { opset?: number; input: number[]; nodes: OnnxNode[]; initializers?: OnnxTensor[]; outputs?: string[] }): OnnxModel {
  const opset = opts.opset ?? 13;
  return {
    irVersion: opset >= 21 ? 10 : 7,
    opsetImports: [{ domain: '', version: opset }],
    metadata: {},
    graph: {
      name: 'fixture',
      nodes: opts.nodes,
      initializers: new Map((opts.initializers ?? []).map((t) => [t.name, t])),
      inputs: [{ name: 'x', elemType: TensorDataType.FLOAT, shape: opts.input }],
      outputs: (opts.outputs ?? [opts.nodes[opts.nodes.length - 1]!.outputs[0]!]).map((name) => ({ name, elemType: TensorDataType.FLOAT })),
      valueInfo: [],
    },
  };
}

/** Conv(pads 1) → Relu → MaxPool 2×2 → Flatten → Gemm(transB): the shape of the models backend-eval compiles. */
export function smallCnn(): OnnxModel {
  return modelOf({
    input: [2, 3, 8, 8],
    nodes: [
      node('Conv', ['x', 'w1', 'b1'], ['c1'], { pads: ints([1, 1, 1, 1]), kernel_shape: ints([3, 3]) }),
      node('Relu', ['c1'], ['r1']),
      node('MaxPool', ['r1'], ['p1'], { kernel_shape: ints([2, 2]), strides: ints([2, 2]) }),
      node('Flatten', ['p1'], ['f1'], { axis: int(1) }),
      node('Gemm', ['f1', 'w2', 'b2'], ['y'], { transB: int(1) }),
    ],
    initializers: [floatTensor('w1', [4, 3, 3, 3], 1), floatTensor('b1', [4], 2), floatTensor('w2', [5, 64], 3, 0.1), floatTensor('b2', [5], 4)],
  });
}

/** Runs model bytes in onnxruntime-node (optimisation disabled) and returns every output's data and dims. */
export async function run(
  bytes: Uint8Array,
  inputs: Record<string, { data: Float32Array; dims: number[] }>,
): Promise<Record<string, { data: Float32Array; dims: number[] }>> {
  const feeds = Object.fromEntries(Object.entries(inputs).map(([k, v]) => [k, new ort.Tensor('float32', v.data, v.dims)]));
  const out = await runOrt(bytes, feeds);
  return Object.fromEntries(Object.entries(out).map(([k, t]) => [k, { data: t.data as Float32Array, dims: [...t.dims] }]));
}
