/** OnnxModel literals shaped like what exporters write (PyTorch's Constant / Identity / shape chains). */
import type { OnnxAttribute, OnnxModel, OnnxNode, OnnxTensor } from '@quant-trim/onnx-export';
import { values } from './fixtures.js';

export const f32 = (name: string, dims: number[], data: Float32Array): OnnxTensor => ({ name, dataType: 1, dims, data });
export const i64 = (name: string, data: number[]): OnnxTensor => ({ name, dataType: 7, dims: [data.length], data: BigInt64Array.from(data, BigInt) });
export const ints = (value: number[]): OnnxAttribute => ({ type: 'ints', value });
export const int = (value: number): OnnxAttribute => ({ type: 'int', value });
const tensor = (value: OnnxTensor): OnnxAttribute => ({ type: 'tensor', value });
export const node = (name: string, opType: string, inputs: string[], outputs: string[], attributes: Record<string, OnnxAttribute> = {}): OnnxNode => ({
  name,
  opType,
  domain: '',
  inputs,
  outputs,
  attributes,
});

export function modelOf(nodes: OnnxNode[], initializers: OnnxTensor[], input: (number | string)[], opset = 13): OnnxModel {
  return {
    irVersion: 7,
    opsetImports: [{ domain: '', version: opset }],
    metadata: {},
    graph: {
      name: 'exporter',
      nodes,
      initializers: new Map(initializers.map((t) => [t.name, t])),
      inputs: [{ name: 'x', elemType: 1, shape: input }],
      outputs: [{ name: 'y', elemType: 1 }],
      valueInfo: [],
    },
  };
}

/**
 * What `torch.onnx.export` writes for conv → ReLU6 → depthwise conv → clamp(-1, 1) → flatten →
 * linear (names shortened): the first weight and the clamp bounds as Constant nodes, the biases
 * as Identity aliases of one deduplicated initializer, the flatten as Shape → Gather → Unsqueeze →
 * Concat → Reshape, then an inference Dropout (as older exporters leave it). x[N, 3, 6, 6] → y[N, 5].
 */
export function torchLike(batch: number | string = 'N'): OnnxModel {
  return modelOf(
    [
      node('/conv1/Constant', 'Constant', [], ['w1'], { value: tensor(f32('', [4, 3, 3, 3], values(108, 1, 0.4))) }),
      node('Identity_0', 'Identity', ['zeros4'], ['b1']),
      node('Identity_1', 'Identity', ['zeros4'], ['b2']),
      node('/conv1/Conv', 'Conv', ['x', 'w1', 'b1'], ['c1'], { pads: ints([1, 1, 1, 1]) }),
      node('/relu6/Constant', 'Constant', [], ['six'], { value: tensor(f32('', [], Float32Array.of(6))) }),
      node('/relu6/Constant_1', 'Constant', [], ['zero'], { value: tensor(f32('', [], Float32Array.of(0))) }),
      node('/relu6/Clip', 'Clip', ['c1', 'zero', 'six'], ['r1']),
      node('/dw/Conv', 'Conv', ['r1', 'wdw', 'b2'], ['c2'], { group: int(4), pads: ints([1, 1, 1, 1]) }),
      node('/clamp/Constant', 'Constant', [], ['lo'], { value_float: { type: 'float', value: -1 } }),
      node('/clamp/Constant_1', 'Constant', [], ['hi'], { value_float: { type: 'float', value: 1 } }),
      node('/clamp/Clip', 'Clip', ['c2', 'lo', 'hi'], ['r2']),
      node('/Shape', 'Shape', ['r2'], ['shape']),
      node('/Constant_2', 'Constant', [], ['idx0'], { value: tensor({ name: '', dataType: 7, dims: [], data: BigInt64Array.of(0n) }) }),
      node('/Gather', 'Gather', ['shape', 'idx0'], ['n'], { axis: int(0) }),
      node('/Unsqueeze', 'Unsqueeze', ['n', 'axes0'], ['n1']),
      node('/Concat', 'Concat', ['n1', 'minus1'], ['target'], { axis: int(0) }),
      node('/Reshape', 'Reshape', ['r2', 'target'], ['flat']),
      node('/dropout/Dropout', 'Dropout', ['flat'], ['dropped', 'mask']),
      node('/fc/Gemm', 'Gemm', ['dropped', 'wfc', 'bfc'], ['y'], { transB: int(1) }),
    ],
    [
      f32('zeros4', [4], new Float32Array(4)),
      f32('wdw', [4, 1, 3, 3], values(36, 2, 0.5)),
      i64('axes0', [0]),
      i64('minus1', [-1]),
      f32('wfc', [5, 144], values(720, 3, 0.1)),
      f32('bfc', [5], values(5, 4, 0.1)),
    ],
    [batch, 3, 6, 6],
  );
}
