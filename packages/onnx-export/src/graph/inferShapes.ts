import { QuantTrimError } from '@quant-trim/errors';
import { nodeLabel } from './nodeLabel.js';
import {
  ShapeConflict,
  concat,
  constant,
  conv,
  elementwise,
  flatten,
  gemm,
  globalPool,
  matMul,
  pad,
  passThrough,
  pool,
  reshape,
  shapeOf,
  transpose,
} from './shapeRules.js';
import type { Shape, ShapeContext, ShapeRule } from './shapeRules.js';
import { TensorDataType } from './tensorDataType.js';
import { topologicalOrder } from './topologicalOrder.js';
import type { OnnxModel, OnnxTensor } from './types.js';

const PASS_THROUGH = [
  'Relu',
  'Clip',
  'Sigmoid',
  'HardSwish',
  'HardSigmoid',
  'Softmax',
  'LogSoftmax',
  'Identity',
  'QuantizeLinear',
  'DequantizeLinear',
  'BatchNormalization',
  'InstanceNormalization',
  'LayerNormalization',
  'LRN',
  'Dropout',
  'Cast',
  'LeakyRelu',
  'Elu',
  'Selu',
  'Gelu',
  'Tanh',
  'Exp',
  'Log',
  'Neg',
  'Abs',
  'Sqrt',
  'Reciprocal',
  'Erf',
  'Floor',
  'Ceil',
  'Round',
  'Sign',
  'Softplus',
  'Softsign',
  'Mish',
  'Not',
];
const ELEMENTWISE = ['Add', 'Sub', 'Mul', 'Div', 'Pow', 'Max', 'Min', 'Sum', 'Mean', 'PRelu', 'Where', 'Equal', 'Less', 'Greater', 'And', 'Or'];

/** The built-in shape rules by op type (default ONNX domain). */
const RULES = new Map<string, ShapeRule>([
  ...PASS_THROUGH.map((op): [string, ShapeRule] => [op, passThrough]),
  ...ELEMENTWISE.map((op): [string, ShapeRule] => [op, elementwise]),
  ['Conv', conv],
  ['MaxPool', pool],
  ['AveragePool', pool],
  ['GlobalAveragePool', globalPool],
  ['GlobalMaxPool', globalPool],
  ['Gemm', gemm],
  ['MatMul', matMul],
  ['Flatten', flatten],
  ['Reshape', reshape],
  ['Transpose', transpose],
  ['Concat', concat],
  ['Pad', pad],
  ['Shape', shapeOf],
  ['Constant', constant],
]);

/** Integer constants small enough to be shapes or axes; Reshape reads its target shape from them. */
const MAX_CONSTANT = 64;
function intValues(t: OnnxTensor): number[] | undefined {
  if ((t.dataType !== TensorDataType.INT64 && t.dataType !== TensorDataType.INT32) || t.data.length > MAX_CONSTANT) return undefined;
  return Array.from(t.data as BigInt64Array | Int32Array, Number);
}

export interface InferShapesOptions {
  /** Static shapes for graph inputs, overriding their value info (for symbolic batch sizes). */
  inputShapes?: Record<string, readonly number[]>;
}

/**
 * Static shapes of every tensor in the graph: graph inputs, initializers and each node output.
 * Covers the ops backend-eval compiles (Conv, pools, Gemm, MatMul, broadcasting elementwise ops,
 * activations, Flatten, Reshape with a constant shape, Transpose, Concat, Pad with constant pads, BatchNormalization,
 * Q/DQ, Constant, Shape) with NCHW semantics as in the ONNX spec. A tensor whose shape is not
 * known statically maps to `undefined`: unknown ops, ops of other domains, inputs with symbolic
 * dims (unless given in `inputShapes`), and everything downstream of those.
 *
 * @throws QuantTrimError `QT_ONNX_INVALID_GRAPH` when known shapes conflict (a Conv whose weight
 *   does not match its input's channels, a Reshape to a different element count, …), naming the node.
 * @example
 * const shapes = inferShapes(model, { inputShapes: { input: [1, 3, 32, 32] } });
 * shapes.get('conv1_out'); // [1, 16, 32, 32]
 */
export function inferShapes(model: OnnxModel, options: InferShapesOptions = {}): Map<string, number[] | undefined> {
  const { graph } = model;
  const shapes = new Map<string, Shape | undefined>();
  const values = new Map<string, number[]>();
  for (const [name, t] of graph.initializers) {
    shapes.set(name, [...t.dims]);
    const v = intValues(t);
    if (v) values.set(name, v);
  }
  for (const input of graph.inputs) {
    const given = options.inputShapes?.[input.name];
    const declared = input.shape?.every((d): d is number => typeof d === 'number' && d >= 0) ? input.shape : undefined;
    const shape = given ?? declared ?? shapes.get(input.name);
    shapes.set(input.name, shape ? [...shape] : undefined);
  }
  const isDefault = (domain: string) => domain === '' || domain === 'ai.onnx';
  topologicalOrder(graph).forEach((node, index) => {
    const rule = isDefault(node.domain) ? RULES.get(node.opType) : undefined;
    let result: (Shape | undefined)[] = [];
    if (rule) {
      const name = (i: number) => node.inputs[i] ?? '';
      const ctx: ShapeContext = {
        input: (i) => shapes.get(name(i)),
        value: (i) => values.get(name(i)),
        attributes: node.attributes,
        inputCount: node.inputs.length,
      };
      try {
        result = rule(ctx);
      } catch (e) {
        if (!(e instanceof ShapeConflict)) throw e;
        throw new QuantTrimError({ code: 'QT_ONNX_INVALID_GRAPH', message: `${nodeLabel(node, index)}: ${e.message}`, details: { node: node.name } });
      }
    }
    node.outputs.forEach((out, i) => out !== '' && shapes.set(out, result[i]));
    const value = node.opType === 'Constant' && node.attributes.value?.type === 'tensor' ? intValues(node.attributes.value.value) : undefined;
    if (value && node.outputs[0]) values.set(node.outputs[0], value);
  });
  return shapes;
}
