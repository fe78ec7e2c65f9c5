import { type Granularity, type QuantScheme, type SchemeOptions, computeQParams, computeRanges, createScheme, quantize } from '@quant-trim/quant-grid';
import { QuantTrimError } from '@quant-trim/errors';
import type { OnnxAttribute, OnnxTensor } from '../graph/types.js';
import { type GraphBuilder, int } from './GraphBuilder.js';
import type { ExportTensor } from './tfjsLayout.js';

/** One quantized tensor as vendor toolchains want it (AIMET-style encodings, plus the grid). */
export interface TensorEncoding {
  tensor: string;
  kind: 'weight' | 'activation' | 'bias';
  bits: number;
  signed: boolean;
  symmetric: boolean;
  granularity: Granularity['kind'];
  /** ONNX axis of per-channel / per-group parameters. */
  axis?: number;
  blockSize?: number;
  scales: number[];
  zeroPoints: number[];
  /** Observed activation range the parameters came from. */
  range?: { min: number[]; max: number[] };
  /** Layer it belongs to. */
  layer: string;
}

export interface ExportContext {
  b: GraphBuilder;
  format: 'fp32' | 'qdq';
  opset: number;
  encodings: TensorEncoding[];
}

/** ONNX element type of a scheme's codes (int4 below opset 21 travels in int8 containers). */
function elementType(scheme: QuantScheme, opset: number, what: string): number {
  if (scheme.bits <= 4 && opset >= 21) return scheme.signed ? 22 : 21;
  if (scheme.bits <= 8) return scheme.signed ? 3 : 2;
  if (scheme.bits <= 16) {
    if (opset < 21)
      throw new QuantTrimError({
        code: 'QT_EXPORT_UNSUPPORTED_OP',
        message: `${what}: ${scheme.bits}-bit QuantizeLinear/DequantizeLinear needs opset 21 (got ${opset})`,
      });
    return scheme.signed ? 5 : 4;
  }
  throw new QuantTrimError({ code: 'QT_EXPORT_UNSUPPORTED_OP', message: `${what}: ${scheme.bits}-bit grids cannot be expressed in ONNX` });
}

function codesTensor(name: string, dataType: number, dims: number[], codes: ArrayLike<number>): OnnxTensor {
  const data =
    dataType === 2 || dataType === 21
      ? Uint8Array.from(codes)
      : dataType === 3 || dataType === 22
        ? Int8Array.from(codes)
        : dataType === 4
          ? Uint16Array.from(codes)
          : Int16Array.from(codes);
  return { name, dataType, dims, data };
}

/** The layer's weight scheme placed on ONNX axes: per-channel on `channelAxis`, per-group blocks along `groupAxis`. */
export function weightScheme(options: SchemeOptions, channelAxis: number, groupAxis: number): QuantScheme {
  const base = createScheme(options);
  const g = base.granularity;
  const granularity: Granularity =
    g.kind === 'per-tensor'
      ? g
      : g.kind === 'per-channel'
        ? { kind: 'per-channel', axis: channelAxis }
        : { kind: 'per-group', axis: groupAxis, groupSize: g.groupSize };
  return createScheme({ ...options, granularity });
}

/**
 * Quantizes a float weight (already in its ONNX layout) with quant-grid, stores the integer codes
 * as an initializer and returns the DequantizeLinear output to feed the op. Scales are computed
 * from the weight itself, exactly as the fake-quant weight quantizer does in training.
 */
export function dequantizedWeight(
  ctx: ExportContext,
  layer: string,
  base: string,
  values: Float32Array,
  dims: number[],
  scheme: QuantScheme,
): { name: string; scales: Float32Array } {
  const where = `${layer}/${base}`;
  const dataType = elementType(scheme, ctx.opset, where);
  const qp = computeQParams(computeRanges(values, dims, scheme.granularity), scheme);
  const codes = quantize(values, dims, qp, scheme);
  const b = ctx.b;
  const codeName = b.name(`${where}_quantized`);
  b.initializers.set(codeName, codesTensor(codeName, dataType, dims, codes));
  const scale = b.float(`${where}_scale`, qp.scale, [...qp.shape]);
  const zpName = b.name(`${where}_zero_point`);
  b.initializers.set(zpName, codesTensor(zpName, dataType, [...qp.shape], qp.zeroPoint));
  const g = scheme.granularity;
  const attributes: Record<string, OnnxAttribute> =
    g.kind === 'per-tensor' ? {} : g.kind === 'per-channel' ? { axis: int(g.axis) } : { axis: int(g.axis), block_size: int(g.groupSize) };
  if (g.kind === 'per-group' && ctx.opset < 21) {
    throw new QuantTrimError({ code: 'QT_EXPORT_UNSUPPORTED_OP', message: `${where}: per-group (blocked) weights need opset 21 (got ${ctx.opset})` });
  }
  ctx.encodings.push({
    tensor: codeName,
    kind: 'weight',
    layer,
    bits: scheme.bits,
    signed: scheme.signed,
    symmetric: scheme.symmetric,
    granularity: g.kind,
    ...(g.kind !== 'per-tensor' ? { axis: g.axis } : {}),
    ...(g.kind === 'per-group' ? { blockSize: g.groupSize } : {}),
    scales: Array.from(qp.scale),
    zeroPoints: Array.from(qp.zeroPoint),
  });
  return { name: b.node('DequantizeLinear', [codeName, scale, zpName], `${where}_dequantized`, attributes), scales: qp.scale };
}

/**
 * An int32 bias with scale s_x·s_w[c] (zero point 0), dequantized for the float op, so ONNX Runtime
 * can fold it into QLinearConv / QGemm.
 */
export function dequantizedBias(ctx: ExportContext, layer: string, bias: Float32Array, inputScale: number, weightScales: Float32Array): string {
  const scales = Float32Array.from(bias, (_, c) => inputScale * weightScales[weightScales.length === 1 ? 0 : c]!);
  const codes = Int32Array.from(bias, (v, c) => {
    const q = Math.round(v / scales[c]!);
    return Math.max(-2147483648, Math.min(2147483647, q));
  });
  const b = ctx.b;
  const codeName = b.name(`${layer}/bias_quantized`);
  b.initializers.set(codeName, { name: codeName, dataType: 6, dims: [bias.length], data: codes });
  const zp = b.name(`${layer}/bias_zero_point`);
  b.initializers.set(zp, { name: zp, dataType: 6, dims: [bias.length], data: new Int32Array(bias.length) });
  const scale = b.float(`${layer}/bias_scale`, scales, [bias.length]);
  ctx.encodings.push({
    tensor: codeName,
    kind: 'bias',
    layer,
    bits: 32,
    signed: true,
    symmetric: true,
    granularity: 'per-channel',
    axis: 0,
    scales: Array.from(scales),
    zeroPoints: Array.from(codes, () => 0),
  });
  return b.node('DequantizeLinear', [codeName, scale, zp], `${layer}/bias_dequantized`, { axis: int(0) });
}

/**
 * An activation quantization point: QuantizeLinear → DequantizeLinear with the parameters of the
 * observed range (per-tensor, or per-channel on the graph's channel axis).
 */
export function quantizeActivation(
  ctx: ExportContext,
  layer: string,
  t: ExportTensor,
  range: { min: number[]; max: number[] },
  scheme: QuantScheme,
  channelAxis: number,
): ExportTensor {
  const dataType = elementType(scheme, ctx.opset, layer);
  const perTensor = scheme.granularity.kind === 'per-tensor';
  const qp = computeQParams(
    { min: range.min, max: range.max, shape: perTensor ? [] : [range.min.length] },
    createScheme({ ...schemeOptions(scheme), granularity: perTensor ? { kind: 'per-tensor' } : { kind: 'per-channel', axis: 0 } }),
  );
  const b = ctx.b;
  const scale = b.float(`${layer}_scale`, qp.scale, [...qp.shape]);
  const zpName = b.name(`${layer}_zero_point`);
  b.initializers.set(zpName, codesTensor(zpName, dataType, [...qp.shape], qp.zeroPoint));
  const attributes: Record<string, OnnxAttribute> = perTensor ? {} : { axis: int(channelAxis) };
  const q = b.node('QuantizeLinear', [t.name, scale, zpName], `${layer}_quantized`, attributes);
  const dq = b.node('DequantizeLinear', [q, scale, zpName], `${layer}_dequantized`, attributes);
  ctx.encodings.push({
    tensor: t.name,
    kind: 'activation',
    layer,
    bits: scheme.bits,
    signed: scheme.signed,
    symmetric: scheme.symmetric,
    granularity: perTensor ? 'per-tensor' : 'per-channel',
    ...(perTensor ? {} : { axis: channelAxis }),
    scales: Array.from(qp.scale),
    zeroPoints: Array.from(qp.zeroPoint),
    range,
  });
  return { ...t, name: dq, ...(perTensor ? { inputScale: qp.scale[0]!, grid: { scale, zeroPoint: zpName, dequantized: dq } } : {}) };
}

function schemeOptions(scheme: QuantScheme): SchemeOptions {
  const { qmin: _a, qmax: _b, qparamsRule: _c, ...options } = scheme;
  return options;
}
