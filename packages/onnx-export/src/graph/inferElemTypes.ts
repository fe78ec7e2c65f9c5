import { subgraphsOf } from './subgraphs.js';
import { TensorDataType } from './tensorDataType.js';
import { topologicalOrder } from './topologicalOrder.js';
import type { OnnxModel, OnnxNode } from './types.js';

const T = TensorDataType;
const INT64_OUTPUT = new Set(['Shape', 'Size', 'ArgMax', 'ArgMin', 'NonZero', 'NonMaxSuppression']);
const BOOL_OUTPUT = new Set(['Equal', 'Less', 'Greater', 'LessOrEqual', 'GreaterOrEqual', 'And', 'Or', 'Xor', 'Not', 'IsNaN', 'IsInf']);

function outputType(node: OnnxNode, output: number, typeOf: (name: string | undefined) => number | undefined): number | undefined {
  const attr = node.attributes;
  switch (node.opType) {
    case 'Constant':
      if (attr.value?.type === 'tensor') return attr.value.value.dataType;
      if (attr.value_float || attr.value_floats) return T.FLOAT;
      if (attr.value_int || attr.value_ints) return T.INT64;
      return undefined;
    case 'Cast':
      return attr.to?.type === 'int' ? attr.to.value : undefined;
    case 'QuantizeLinear':
      if (node.inputs[2]) return typeOf(node.inputs[2]);
      return attr.output_dtype?.type === 'int' && attr.output_dtype.value !== 0 ? attr.output_dtype.value : T.UINT8;
    case 'DequantizeLinear':
      return typeOf(node.inputs[1]) ?? T.FLOAT;
    case 'MaxPool':
    case 'TopK':
      return output === 1 ? T.INT64 : typeOf(node.inputs[0]);
    case 'Unique':
      return output === 0 ? typeOf(node.inputs[0]) : T.INT64;
    case 'If':
      // Both branches have the same output types; the then-branch declares them.
      return subgraphsOf(node).find((g) => g.attribute === 'then_branch')?.outputTypes[output];
    case 'Loop':
      // body outputs: (cond, loop-carried values…, scan outputs…); the node drops the condition.
      return subgraphsOf(node).find((g) => g.attribute === 'body')?.outputTypes[output + 1];
    case 'Scan':
      return subgraphsOf(node).find((g) => g.attribute === 'body')?.outputTypes[output];
    case 'Dropout':
      return output === 1 ? T.BOOL : typeOf(node.inputs[0]);
    case 'Where':
      return typeOf(node.inputs[1]);
    case 'ConstantOfShape':
      return attr.value?.type === 'tensor' ? attr.value.value.dataType : T.FLOAT;
    case 'OneHot':
      return typeOf(node.inputs[2]);
    case 'CastLike':
      return typeOf(node.inputs[1]);
    case 'EyeLike':
    case 'RandomNormalLike':
    case 'RandomUniformLike':
    case 'Bernoulli':
      return attr.dtype?.type === 'int' ? attr.dtype.value : typeOf(node.inputs[0]);
    case 'MatMulInteger':
    case 'ConvInteger':
      return T.INT32;
    case 'DynamicQuantizeLinear':
      return output === 1 ? T.FLOAT : T.UINT8;
    case 'QLinearConv':
      return typeOf(node.inputs[7]);
    case 'QLinearMatMul':
      return typeOf(node.inputs[7]);
  }
  if (INT64_OUTPUT.has(node.opType)) return T.INT64;
  if (BOOL_OUTPUT.has(node.opType)) return T.BOOL;
  return typeOf(node.inputs.find((i) => i !== ''));
}

/**
 * Element type of every tensor, from value info, initializers and simple per-op rules (most ops
 * keep their first input's type; Q/DQ, Cast, Shape, comparisons, Constant and index outputs such as
 * TopK's have their own; If / Loop / Scan outputs take their subgraph's declared output types).
 * Ops of other domains map to undefined. `addOutputs` uses this to declare new graph outputs
 * with the type ONNX Runtime will produce.
 *
 * @example
 * inferElemTypes(model).get('conv_out'); // 1 (FLOAT)
 */
export function inferElemTypes(model: OnnxModel): Map<string, number | undefined> {
  const { graph } = model;
  const types = new Map<string, number | undefined>();
  for (const v of [...graph.valueInfo, ...graph.outputs, ...graph.inputs]) if (v.elemType !== undefined) types.set(v.name, v.elemType);
  for (const [name, t] of graph.initializers) types.set(name, t.dataType);
  const typeOf = (name: string | undefined) => (name ? types.get(name) : undefined);
  for (const node of topologicalOrder(graph)) {
    const known = node.domain === '' || node.domain === 'ai.onnx';
    node.outputs.forEach((out, i) => {
      if (out === '' || types.get(out) !== undefined) return;
      types.set(out, known ? outputType(node, i, typeOf) : undefined);
    });
  }
  return types;
}
