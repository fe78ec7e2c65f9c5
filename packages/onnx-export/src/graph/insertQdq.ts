import { QuantTrimError } from '@quant-trim/errors';
import { cloneModel, defaultOpset, takenNames, uniqueName } from './cloneModel.js';
import { inferShapes } from './inferShapes.js';
import { TensorDataType } from './tensorDataType.js';
import type { OnnxModel, OnnxNode, OnnxTensor, OnnxTensorData } from './types.js';

/** Integer types a QuantizeLinear can produce, with their ONNX type, storage, range and minimum opset. */
const QDQ_TYPES = {
  uint8: { dataType: TensorDataType.UINT8, ctor: Uint8Array, min: 0, max: 255, opset: 10 },
  int8: { dataType: TensorDataType.INT8, ctor: Int8Array, min: -128, max: 127, opset: 10 },
  uint16: { dataType: TensorDataType.UINT16, ctor: Uint16Array, min: 0, max: 65535, opset: 21 },
  int16: { dataType: TensorDataType.INT16, ctor: Int16Array, min: -32768, max: 32767, opset: 21 },
  uint4: { dataType: TensorDataType.UINT4, ctor: Uint8Array, min: 0, max: 15, opset: 21 },
  int4: { dataType: TensorDataType.INT4, ctor: Int8Array, min: -8, max: 7, opset: 21 },
} as const;

export type QdqElemType = keyof typeof QDQ_TYPES;

/** Which edge gets the Q/DQ pair: every consumer of `tensor`, or only the node named `consumer`. */
export interface QdqEdge {
  tensor: string;
  consumer?: string;
}

export interface QdqParams {
  /** One scale (per tensor) or one per slice along `axis` (per axis, opset ≥ 13). */
  scale: number | ArrayLike<number>;
  /** Same length as `scale`; default 0. */
  zeroPoint?: number | ArrayLike<number>;
  /** Axis of a per-axis scale; ONNX's default is 1 (NCHW channels). */
  axis?: number;
  elemType: QdqElemType;
}

const bad = (message: string) => new QuantTrimError({ code: 'QT_INVALID_ARGUMENT', message: `\`insertQdq\`: ${message}` });

/**
 * A copy of the model with QuantizeLinear → DequantizeLinear inserted on one edge: the consumers
 * then read the fake-quantized tensor, which is how QDQ models express quantization for
 * runtimes to fuse. The scale and zero point become new initializers; new names derive from the
 * tensor (`<tensor>_quantized`, `<tensor>_dequantized`, `<tensor>_scale`, `<tensor>_zero_point`,
 * suffixed `_1`, `_2`, … if taken). A graph output of that name keeps the unquantized tensor.
 *
 * @throws QuantTrimError `QT_INVALID_ARGUMENT` for an unknown tensor or consumer, bad scales or
 *   zero points, or an element type the model's opset lacks (16- and 4-bit need opset 21).
 * @example
 * const qdq = insertQdq(model, { tensor: 'relu1_out' }, { scale: 6 / 255, zeroPoint: 0, elemType: 'uint8' });
 */
export function insertQdq(model: OnnxModel, edge: QdqEdge, params: QdqParams): OnnxModel {
  const type = QDQ_TYPES[params.elemType];
  if (type === undefined) throw bad(`elemType '${String(params.elemType)}' is not one of ${Object.keys(QDQ_TYPES).join(', ')}`);
  const opset = defaultOpset(model);
  if (opset < type.opset) throw bad(`${params.elemType} Q/DQ needs opset ${type.opset}, the model imports opset ${opset}`);
  const scales = typeof params.scale === 'number' ? [params.scale] : Array.from(params.scale);
  const perAxis = typeof params.scale !== 'number';
  if (scales.length === 0 || scales.some((s) => !(Number.isFinite(s) && s > 0 && Math.fround(s) > 0)))
    throw bad('every scale must be a positive finite float32');
  const zp =
    params.zeroPoint === undefined
      ? scales.map(() => 0)
      : typeof params.zeroPoint === 'number'
        ? scales.map(() => params.zeroPoint as number)
        : Array.from(params.zeroPoint);
  if (zp.length !== scales.length) throw bad(`${zp.length} zero points for ${scales.length} scales`);
  if (zp.some((z) => !Number.isInteger(z) || z < type.min || z > type.max))
    throw bad(`zero points must be integers in [${type.min}, ${type.max}] for ${params.elemType}`);
  if (perAxis && opset < 13) throw bad(`per-axis Q/DQ needs opset 13, the model imports opset ${opset}`);

  const { graph } = model;
  const consumers = graph.nodes.filter((n) => n.inputs.includes(edge.tensor) && (edge.consumer === undefined || n.name === edge.consumer));
  if (consumers.length === 0) {
    throw bad(edge.consumer === undefined ? `no node consumes '${edge.tensor}'` : `no node named '${edge.consumer}' consumes '${edge.tensor}'`);
  }
  const axis = params.axis ?? 1;
  if (perAxis) {
    const shape = inferShapes(model).get(edge.tensor);
    if (shape) {
      const a = axis < 0 ? axis + shape.length : axis;
      if (a < 0 || a >= shape.length || shape[a] !== scales.length)
        throw bad(`${scales.length} scales do not match axis ${axis} of '${edge.tensor}' [${shape.join(', ')}]`);
    }
  }

  const result = cloneModel(model);
  const taken = takenNames(model);
  const names = {
    scale: uniqueName(taken, `${edge.tensor}_scale`),
    zeroPoint: uniqueName(taken, `${edge.tensor}_zero_point`),
    quantized: uniqueName(taken, `${edge.tensor}_quantized`),
    dequantized: uniqueName(taken, `${edge.tensor}_dequantized`),
    q: uniqueName(taken, `${edge.tensor}_QuantizeLinear`),
    dq: uniqueName(taken, `${edge.tensor}_DequantizeLinear`),
  };
  const dims = perAxis ? [scales.length] : [];
  const scaleTensor: OnnxTensor = { name: names.scale, dataType: TensorDataType.FLOAT, dims, data: Float32Array.from(scales) };
  const zpTensor: OnnxTensor = { name: names.zeroPoint, dataType: type.dataType, dims, data: type.ctor.from(zp) as OnnxTensorData };
  result.graph.initializers.set(names.scale, scaleTensor);
  result.graph.initializers.set(names.zeroPoint, zpTensor);
  const attributes: OnnxNode['attributes'] = perAxis ? { axis: { type: 'int', value: axis } } : {};
  const q: OnnxNode = {
    name: names.q,
    opType: 'QuantizeLinear',
    domain: '',
    inputs: [edge.tensor, names.scale, names.zeroPoint],
    outputs: [names.quantized],
    attributes,
  };
  const dq: OnnxNode = {
    name: names.dq,
    opType: 'DequantizeLinear',
    domain: '',
    inputs: [names.quantized, names.scale, names.zeroPoint],
    outputs: [names.dequantized],
    attributes: { ...attributes },
  };
  const rewired = new Set(consumers.map((c) => graph.nodes.indexOf(c)));
  const first = Math.min(...rewired);
  result.graph.nodes.forEach((n, i) => {
    if (rewired.has(i)) n.inputs = n.inputs.map((t) => (t === edge.tensor ? names.dequantized : t));
  });
  result.graph.nodes.splice(first, 0, q, dq);
  return result;
}
