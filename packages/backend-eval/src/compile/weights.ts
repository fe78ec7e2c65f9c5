import { implicitInputs, uniqueName, type OnnxModel, type OnnxNode, type OnnxTensorData } from '@quant-trim/onnx-export';
import { computeQParams, computeRanges, quantize, roundWith, type Granularity } from '@quant-trim/quant-grid';
import type { BackendProfile, BiasSpec } from '../profiles/types.js';
import { schemeFor, type Storage } from './grids.js';
import type { PlannedNode } from './plan.js';

export interface WeightQParams {
  /** The float initializer that was quantized. */
  readonly tensor: string;
  /** The DequantizeLinear output the op now reads. */
  readonly dequantized: string;
  readonly bits: number;
  /** Per-channel axis (output channels) or per-group axis (input channels), absent for per-tensor. */
  readonly axis?: number;
  /** Block length along `axis` for per-group grids. */
  readonly blockSize?: number;
  readonly scale: Float32Array;
  readonly zeroPoint: Int32Array;
  readonly elemType: Storage['elemType'];
}

export interface BiasQParams {
  readonly tensor: string;
  /** Integer storage width of the profile (codes are clamped to it). */
  readonly bits: number;
  readonly scale: Float32Array;
  /** Codes stored as int32 + DequantizeLinear when bits ≤ 32; wider biases are baked as float32. */
  readonly stored: 'int32' | 'float32';
  /** Codes that hit the bias range. */
  readonly clamped: number;
}

const intAttr = (node: OnnxNode, name: string, fallback: number): number => {
  const a = node.attributes[name];
  return a?.type === 'int' ? a.value : fallback;
};

/** Output-channel axis of a weight: Conv 0, Gemm `transB ? 0 : 1`, MatMul 1. */
export function outputAxis(node: OnnxNode): number {
  if (node.opType === 'Conv') return 0;
  if (node.opType === 'Gemm') return intAttr(node, 'transB', 0) !== 0 ? 0 : 1;
  return 1;
}

/** Reduction (input-channel) axis of a weight, along which per-group blocks run: Conv 1, Gemm `transB ? 1 : 0`, MatMul 0. */
export function inputAxis(node: OnnxNode): number {
  if (node.opType === 'Conv') return 1;
  if (node.opType === 'Gemm') return intAttr(node, 'transB', 0) !== 0 ? 1 : 0;
  return 0;
}

/**
 * Quantizes the weights of every planned Conv / Gemm / MatMul offline with the profile's weight
 * grid (its width overridden per node for mixed precision), writes them as integer initializers
 * with a DequantizeLinear (per-axis on the output channels, or blocked along the input channels for
 * per-group grids), rewires the op to read the dequantized tensor, and drops float weights nobody
 * reads any more. Nodes sharing a weight, axis and width share one DequantizeLinear.
 */
export function quantizeWeights(
  model: OnnxModel,
  plan: readonly PlannedNode[],
  profile: BackendProfile,
  taken: Set<string>,
): { weights: WeightQParams[]; byNode: Map<OnnxNode, WeightQParams> } {
  const { graph } = model;
  const grid = profile.weights!;
  const weights: WeightQParams[] = [];
  const byNode = new Map<OnnxNode, WeightQParams>();
  const dqNodes: OnnxNode[] = [];
  const done = new Map<string, WeightQParams>();
  for (const { node, coverage, quantizeWeight } of plan) {
    if (!quantizeWeight) continue;
    const wName = node.inputs[1]!;
    const bits = coverage.weightBits ?? grid.bits;
    const g = grid.granularity;
    const granularity: Granularity =
      g === 'per-tensor'
        ? { kind: 'per-tensor' }
        : g.kind === 'per-channel'
          ? { kind: 'per-channel', axis: outputAxis(node) }
          : { kind: 'per-group', axis: inputAxis(node), groupSize: g.size };
    const key = `${wName}\u0000${JSON.stringify(granularity)}\u0000${bits}`;
    const existing = done.get(key);
    if (existing !== undefined) {
      node.inputs[1] = existing.dequantized;
      byNode.set(node, existing);
      continue;
    }
    const w = graph.initializers.get(wName)!;
    const data = w.data as Float32Array;
    const wMin = data.reduce((m, v) => (v < m ? v : m), Infinity);
    const { scheme, storage } = schemeFor({ ...grid, bits }, granularity, wMin, profile.id, 'weights');
    const qp = computeQParams(computeRanges(data, w.dims, granularity), scheme);
    const codes = quantize(data, w.dims, qp, scheme);
    const names = {
      q: uniqueName(taken, `${wName}_quantized`),
      scale: uniqueName(taken, `${wName}_scale`),
      zp: uniqueName(taken, `${wName}_zero_point`),
      dq: uniqueName(taken, `${wName}_dequantized`),
      node: uniqueName(taken, `${wName}_DequantizeLinear`),
    };
    const paramDims = [...qp.shape];
    graph.initializers.set(names.q, { name: names.q, dataType: storage.dataType, dims: [...w.dims], data: storage.ctor.from(codes) as OnnxTensorData });
    graph.initializers.set(names.scale, { name: names.scale, dataType: 1, dims: paramDims, data: Float32Array.from(qp.scale) });
    graph.initializers.set(names.zp, { name: names.zp, dataType: storage.dataType, dims: paramDims, data: storage.ctor.from(qp.zeroPoint) as OnnxTensorData });
    const attributes: OnnxNode['attributes'] = {};
    if (granularity.kind !== 'per-tensor') attributes['axis'] = { type: 'int', value: granularity.axis };
    if (granularity.kind === 'per-group') attributes['block_size'] = { type: 'int', value: granularity.groupSize };
    dqNodes.push({ name: names.node, opType: 'DequantizeLinear', domain: '', inputs: [names.q, names.scale, names.zp], outputs: [names.dq], attributes });
    node.inputs[1] = names.dq;
    const entry: WeightQParams = {
      tensor: wName,
      dequantized: names.dq,
      bits,
      ...(granularity.kind !== 'per-tensor' ? { axis: granularity.axis } : {}),
      ...(granularity.kind === 'per-group' ? { blockSize: granularity.groupSize } : {}),
      scale: Float32Array.from(qp.scale),
      zeroPoint: Int32Array.from(qp.zeroPoint),
      elemType: storage.elemType,
    };
    done.set(key, entry);
    byNode.set(node, entry);
    weights.push(entry);
  }
  graph.nodes.unshift(...dqNodes);
  const read = new Set([
    ...graph.nodes.flatMap((n) => [...n.inputs, ...implicitInputs(n)]),
    ...graph.outputs.map((v) => v.name),
    ...graph.inputs.map((v) => v.name),
  ]);
  for (const { tensor } of weights) if (!read.has(tensor)) graph.initializers.delete(tensor);
  return { weights, byNode };
}

/**
 * The bias codes of docs/backends.md#biases without touching a model: `scale[c]` (`sIn·sW[c]`, or the pow2 bias
 * scale) and `codes[c] = clamp(R(b[c] / scale[c]))` at the bias width; the op adds `codes·scale`.
 * Undefined for per-group weights and for a weight scale count that is neither 1 nor the channels.
 */
export function biasCodes(
  b: Float32Array,
  weight: WeightQParams,
  inputScale: number,
  spec: BiasSpec,
): { scale: Float32Array; codes: Float64Array; clamped: number } | undefined {
  const channels = b.length;
  if (weight.blockSize !== undefined || (weight.scale.length !== 1 && weight.scale.length !== channels)) return undefined;
  const scale = new Float32Array(channels);
  if (spec.scale === 'pow2') {
    let amax = 0;
    for (let c = 0; c < channels; c++) amax = Math.max(amax, Math.abs(b[c]!));
    scale.fill(amax > 0 ? 2 ** Math.ceil(Math.log2(amax / (2 ** (spec.bits - 1) - 1))) : 1);
  } else {
    for (let c = 0; c < channels; c++) scale[c] = Math.fround(inputScale * weight.scale[weight.scale.length === 1 ? 0 : c]!);
  }
  const limit = 2 ** (spec.bits - 1);
  const codes = new Float64Array(channels);
  let clamped = 0;
  for (let c = 0; c < channels; c++) {
    const q = roundWith(spec.rounding, Math.fround(b[c]! / scale[c]!));
    const v = Math.min(limit - 1, Math.max(-limit, q));
    if (v !== q) clamped++;
    codes[c] = v;
  }
  return { scale, codes, clamped };
}

/**
 * Quantizes the bias of an integer Conv / Gemm (docs/backends.md#biases) with the bias rounding, clamped to
 * the bias width. `scale: 'product'`: `q[c] = R(b[c] / (sIn·sW[c]))`, what the int32 accumulator
 * adds. `scale: 'pow2'` (Vitis DPU): the bias is its own power-of-two fixed-point tensor,
 * `s = 2^⌈log2(max|b| / (2^(bits−1) − 1))⌉` (no overflow), shifted into the accumulator by the
 * hardware. Biases up to 32 bits become an int32 initializer + DequantizeLinear (axis 0); wider
 * biases (int64, TFLite 16x8) are baked as float32 `q·s`. Returns undefined (bias stays float) when
 * the weight is per-group.
 */
export function quantizeBias(
  model: OnnxModel,
  node: OnnxNode,
  weight: WeightQParams,
  inputScale: number,
  spec: BiasSpec,
  taken: Set<string>,
): BiasQParams | undefined {
  const { graph } = model;
  const bName = node.inputs[2];
  const b = bName === undefined || bName === '' ? undefined : graph.initializers.get(bName);
  if (b === undefined || b.dataType !== 1 || b.dims.length !== 1) return undefined;
  const q = biasCodes(b.data as Float32Array, weight, inputScale, spec);
  if (q === undefined) return undefined;
  const { scale, codes, clamped } = q;
  const channels = b.data.length;
  if (spec.bits > 32) {
    const data = new Float32Array(channels);
    for (let c = 0; c < channels; c++) data[c] = Math.fround(codes[c]! * scale[c]!);
    const name = uniqueName(taken, `${bName}_requantized`);
    graph.initializers.set(name, { name, dataType: 1, dims: [channels], data });
    node.inputs[2] = name;
    return { tensor: bName!, bits: spec.bits, scale, stored: 'float32', clamped };
  }
  const names = {
    q: uniqueName(taken, `${bName}_quantized`),
    scale: uniqueName(taken, `${bName}_scale`),
    zp: uniqueName(taken, `${bName}_zero_point`),
    dq: uniqueName(taken, `${bName}_dequantized`),
    node: uniqueName(taken, `${bName}_DequantizeLinear`),
  };
  graph.initializers.set(names.q, { name: names.q, dataType: 6, dims: [channels], data: Int32Array.from(codes) });
  graph.initializers.set(names.scale, { name: names.scale, dataType: 1, dims: [channels], data: scale });
  graph.initializers.set(names.zp, { name: names.zp, dataType: 6, dims: [channels], data: new Int32Array(channels) });
  graph.nodes.unshift({
    name: names.node,
    opType: 'DequantizeLinear',
    domain: '',
    inputs: [names.q, names.scale, names.zp],
    outputs: [names.dq],
    attributes: { axis: { type: 'int', value: 0 } },
  });
  node.inputs[2] = names.dq;
  return { tensor: bName!, bits: spec.bits, scale, stored: 'int32', clamped };
}
