import { type OnnxModel, type OnnxNode, type OnnxTensor, defaultOpset } from '@quant-trim/onnx-export';
import { type ConstTensor, fromOnnxTensor, numbers } from './constants.js';
import { evalConstant } from './evalConstant.js';
import { staticShapes } from './staticShapes.js';

export interface FoldedGraph {
  /** Nodes left to convert into layers, in order. */
  nodes: OnnxNode[];
  /** Every tensor known at import time, by name. */
  constants: Map<string, ConstTensor>;
  /** Static ONNX shapes (NCHW) of the remaining tensors, where known. */
  shapes: Map<string, number[] | undefined>;
  opset: number;
}

function toOnnxTensor(name: string, t: ConstTensor): OnnxTensor {
  return t.kind === 'float'
    ? { name, dataType: 1, dims: t.dims, data: t.data as Float32Array }
    : { name, dataType: 7, dims: t.dims, data: BigInt64Array.from(numbers(t), (v) => BigInt(v)) };
}

/**
 * Folds everything computable at import time: initializers, `Constant` nodes, `Shape` of tensors
 * with a static shape, and the Gather / Unsqueeze / Concat / Cast / arithmetic chains exporters
 * emit to compute reshape targets. Runs to a fixed point, because a folded Reshape target makes
 * more shapes static.
 */
export function foldConstants(model: OnnxModel, inputShapes: Record<string, readonly number[]> = {}): FoldedGraph {
  const opset = defaultOpset(model);
  const constants = new Map<string, ConstTensor>();
  const extra = new Map<string, OnnxTensor>();
  for (const [name, t] of model.graph.initializers) {
    const c = fromOnnxTensor(t);
    if (c) constants.set(name, c);
  }
  let nodes = model.graph.nodes;
  let shapes = new Map<string, number[] | undefined>();
  // Each round can make more shapes static (a folded Reshape target, a Slice of a now-known shape).
  for (let round = 0; round <= model.graph.nodes.length; round++) {
    const initializers = new Map([...model.graph.initializers, ...extra]);
    shapes = staticShapes({ ...model, graph: { ...model.graph, nodes, initializers } }, inputShapes, opset);
    const kept: OnnxNode[] = [];
    for (const node of nodes) {
      const folded = fold(node, constants, shapes, opset);
      if (folded === undefined) {
        kept.push(node);
        continue;
      }
      folded.forEach((t, i) => {
        const out = node.outputs[i];
        if (out === undefined || out === '') return;
        constants.set(out, t);
        extra.set(out, toOnnxTensor(out, t));
      });
    }
    const changed = kept.length !== nodes.length;
    nodes = kept;
    if (!changed) break;
  }
  return { nodes, constants, shapes, opset };
}

function fold(node: OnnxNode, constants: Map<string, ConstTensor>, shapes: Map<string, number[] | undefined>, opset: number): ConstTensor[] | undefined {
  if (node.domain !== '' && node.domain !== 'ai.onnx') return undefined;
  if (node.opType === 'Constant') {
    const v = node.attributes['value'];
    if (v?.type === 'tensor') {
      const c = fromOnnxTensor(v.value);
      return c && [c];
    }
    const f = node.attributes['value_float'] ?? node.attributes['value_floats'];
    if (f?.type === 'float') return [{ dims: [], kind: 'float', data: Float32Array.of(f.value) }];
    if (f?.type === 'floats') return [{ dims: [f.value.length], kind: 'float', data: Float32Array.from(f.value) }];
    const i = node.attributes['value_int'] ?? node.attributes['value_ints'];
    if (i?.type === 'int') return [{ dims: [], kind: 'int', data: [i.value] }];
    if (i?.type === 'ints') return [{ dims: [i.value.length], kind: 'int', data: [...i.value] }];
    return undefined;
  }
  if (node.opType === 'Shape') {
    const shape = shapes.get(node.inputs[0] ?? '') ?? constants.get(node.inputs[0] ?? '')?.dims;
    if (shape === undefined) return undefined;
    const start = node.attributes['start']?.type === 'int' ? node.attributes['start'].value : 0;
    const end = node.attributes['end']?.type === 'int' ? node.attributes['end'].value : shape.length;
    const dims = shape.slice(start, end);
    return [{ dims: [dims.length], kind: 'int', data: dims }];
  }
  const inputs = node.inputs.map((name) => (name === '' ? undefined : constants.get(name)));
  if (node.inputs.some((name, i) => name !== '' && inputs[i] === undefined)) return undefined;
  return evalConstant(node, inputs, opset);
}
