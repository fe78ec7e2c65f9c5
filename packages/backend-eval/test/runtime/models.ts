import { centeredUniform } from '@quant-trim/test-utils';
/**
 * Test fixtures for the runtime layer: a float Conv → Relu → Flatten → Gemm classifier, its QDQ
 * twin (uint8 activations, zero point 0 after Relu; int8 per-channel weights; int32 bias at
 * s_x·s_w) and a typed-array reference of the QDQ numerics.
 */
import { readOnnx, writeOnnx } from '@quant-trim/onnx-export';
import { buildModel, DataType, type TestModel, type TestTensor } from '@quant-trim/test-utils/onnx';

/** Seeded uniform values in [-0.5, 0.5) (mulberry32). */
export const rng = centeredUniform;

/** `n` seeded values in [-amp, amp), rounded to float32. */
export function values(n: number, seed: number, amp = 1): Float32Array {
  const r = rng(seed);
  return Float32Array.from({ length: n }, () => r() * 2 * amp);
}

export const SAMPLE = [1, 6, 6] as const;
export const SAMPLE_SIZE = 36;
export const CHANNELS = 4;
/** Conv 3×3 without padding: 6×6 → 4×4. */
export const FEATURES = CHANNELS * 16;
export const CLASSES = 5;

/** Float weights of the classifier. */
export const W1 = values(CHANNELS * 9, 1, 0.6);
export const B1 = values(CHANNELS, 2, 0.2);
export const W2 = values(CLASSES * FEATURES, 3, 0.3);
export const B2 = values(CLASSES, 4, 0.2);

/** `pow2`: every scale a power of two, so every float op of the reference is exact. */
export type ScaleKind = 'pow2' | 'real';

export interface QdqParams {
  readonly sx: number;
  readonly zx: number;
  readonly sw1: Float32Array;
  readonly w1q: Int8Array;
  readonly b1q: Int32Array;
  readonly sr: number;
  readonly sw2: Float32Array;
  readonly w2q: Int8Array;
  readonly b2q: Int32Array;
}

const f32 = Math.fround;

/** Round half to even, as ONNX QuantizeLinear. */
function roundHalfEven(v: number): number {
  const r = Math.round(v);
  return Math.abs(v % 1) === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

const clamp = (v: number, lo: number, hi: number) => Math.min(hi, Math.max(lo, v));

function scaleFor(maxAbs: number, qmax: number, kind: ScaleKind): number {
  const s = maxAbs / qmax;
  return f32(kind === 'pow2' ? 2 ** Math.ceil(Math.log2(s)) : s);
}

/** Symmetric int8 per-output-channel quantization of a [rows, cols] weight. */
function quantizeRows(w: Float32Array, rows: number, kind: ScaleKind): { q: Int8Array; s: Float32Array } {
  const cols = w.length / rows;
  const s = new Float32Array(rows);
  const q = new Int8Array(w.length);
  for (let o = 0; o < rows; o++) {
    const row = w.subarray(o * cols, (o + 1) * cols);
    s[o] = scaleFor(Math.max(...row.map(Math.abs)), 127, kind);
    for (let i = 0; i < cols; i++) q[o * cols + i] = clamp(roundHalfEven(f32(row[i]! / s[o]!)), -127, 127);
  }
  return { q, s };
}

function quantizeBias(b: Float32Array, sIn: number, sW: Float32Array): Int32Array {
  return Int32Array.from(b, (v, o) => roundHalfEven(v / f32(sIn * sW[o]!)));
}

/** The QDQ parameters of the classifier for a scale kind. */
export function qdqParams(kind: ScaleKind): QdqParams {
  const sx = kind === 'pow2' ? 2 ** -6 : f32(4 / 255);
  const zx = 128;
  const sr = kind === 'pow2' ? 2 ** -5 : f32(3.1 / 255);
  const l1 = quantizeRows(W1, CHANNELS, kind);
  const l2 = quantizeRows(W2, CLASSES, kind);
  return { sx, zx, sw1: l1.s, w1q: l1.q, b1q: quantizeBias(B1, sx, l1.s), sr, sw2: l2.s, w2q: l2.q, b2q: quantizeBias(B2, sr, l2.s) };
}

const io = (batch: number) => ({
  inputs: [{ name: 'x', dataType: DataType.FLOAT, dims: [batch, ...SAMPLE] }],
  outputs: [{ name: 'y', dataType: DataType.FLOAT, dims: [batch, CLASSES] }],
});

/** Rewrites the batch axis of input and output as the symbolic `N`. */
function symbolicBatch(bytes: Uint8Array): Uint8Array {
  const m = readOnnx(bytes);
  m.graph.inputs[0]!.shape![0] = 'N';
  m.graph.outputs[0]!.shape![0] = 'N';
  return writeOnnx(m);
}

/** Builds with batch `fixedBatch`, or a symbolic batch when it is absent. */
function finish(model: TestModel, fixedBatch: number | undefined): Uint8Array {
  const bytes = buildModel(model);
  return fixedBatch === undefined ? symbolicBatch(bytes) : bytes;
}

/** x[N,1,6,6] → Conv(4, 3×3) → Relu → Flatten → Gemm(transB) → y[N,5], float32. */
export function floatModel(fixedBatch?: number): Uint8Array {
  return finish(
    {
      opset: 13,
      ...io(fixedBatch ?? 1),
      initializers: [
        { name: 'w1', dataType: DataType.FLOAT, dims: [CHANNELS, 1, 3, 3], values: W1 },
        { name: 'b1', dataType: DataType.FLOAT, dims: [CHANNELS], values: B1 },
        { name: 'w2', dataType: DataType.FLOAT, dims: [CLASSES, FEATURES], values: W2 },
        { name: 'b2', dataType: DataType.FLOAT, dims: [CLASSES], values: B2 },
      ],
      nodes: [
        { opType: 'Conv', inputs: ['x', 'w1', 'b1'], outputs: ['c'] },
        { opType: 'Relu', inputs: ['c'], outputs: ['r'] },
        { opType: 'Flatten', inputs: ['r'], outputs: ['f'] },
        { opType: 'Gemm', inputs: ['f', 'w2', 'b2'], outputs: ['y'], attributes: { transB: 1 } },
      ],
    },
    fixedBatch,
  );
}

function qdqInitializers(p: QdqParams): TestTensor[] {
  const scalar = (name: string, dataType: number, v: number): TestTensor => ({ name, dataType, dims: [], values: [v] });
  return [
    scalar('sx', DataType.FLOAT, p.sx),
    scalar('zx', DataType.UINT8, p.zx),
    scalar('sr', DataType.FLOAT, p.sr),
    scalar('zr', DataType.UINT8, 0),
    { name: 'w1q', dataType: DataType.INT8, dims: [CHANNELS, 1, 3, 3], values: p.w1q },
    { name: 'sw1', dataType: DataType.FLOAT, dims: [CHANNELS], values: p.sw1 },
    { name: 'zw1', dataType: DataType.INT8, dims: [CHANNELS], values: new Int8Array(CHANNELS) },
    { name: 'b1q', dataType: DataType.INT32, dims: [CHANNELS], values: p.b1q },
    { name: 'sb1', dataType: DataType.FLOAT, dims: [CHANNELS], values: p.sw1.map((s) => f32(s * p.sx)) },
    { name: 'zb1', dataType: DataType.INT32, dims: [CHANNELS], values: new Int32Array(CHANNELS) },
    { name: 'w2q', dataType: DataType.INT8, dims: [CLASSES, FEATURES], values: p.w2q },
    { name: 'sw2', dataType: DataType.FLOAT, dims: [CLASSES], values: p.sw2 },
    { name: 'zw2', dataType: DataType.INT8, dims: [CLASSES], values: new Int8Array(CLASSES) },
    { name: 'b2q', dataType: DataType.INT32, dims: [CLASSES], values: p.b2q },
    { name: 'sb2', dataType: DataType.FLOAT, dims: [CLASSES], values: p.sw2.map((s) => f32(s * p.sr)) },
    { name: 'zb2', dataType: DataType.INT32, dims: [CLASSES], values: new Int32Array(CLASSES) },
  ];
}

export interface QdqModelOptions {
  /** Declared batch size; symbolic `N` when absent. */
  readonly fixedBatch?: number;
  /** Keep the Conv bias in float32 (no DequantizeLinear), as compileForBackend does today. */
  readonly floatBias?: boolean;
}

/** The QDQ twin of `floatModel`: Q/DQ on the input and after Relu, DQ on weights and biases. */
export function qdqModel(kind: ScaleKind, options: QdqModelOptions = {}): Uint8Array {
  const p = qdqParams(kind);
  const dq = (x: string, s: string, z: string, out: string, axis?: number) => ({
    opType: 'DequantizeLinear',
    inputs: [x, s, z],
    outputs: [out],
    ...(axis === undefined ? {} : { attributes: { axis } }),
  });
  const initializers = qdqInitializers(p).filter((t) => !options.floatBias || !['b1q', 'sb1', 'zb1'].includes(t.name));
  if (options.floatBias) initializers.push({ name: 'b1d', dataType: DataType.FLOAT, dims: [CHANNELS], values: B1 });
  return finish(
    {
      opset: 13,
      ...io(options.fixedBatch ?? 1),
      initializers,
      nodes: [
        { opType: 'QuantizeLinear', inputs: ['x', 'sx', 'zx'], outputs: ['xq'] },
        dq('xq', 'sx', 'zx', 'xd'),
        dq('w1q', 'sw1', 'zw1', 'w1d', 0),
        ...(options.floatBias ? [] : [dq('b1q', 'sb1', 'zb1', 'b1d', 0)]),
        { opType: 'Conv', inputs: ['xd', 'w1d', 'b1d'], outputs: ['c'] },
        { opType: 'Relu', inputs: ['c'], outputs: ['r'] },
        { opType: 'QuantizeLinear', inputs: ['r', 'sr', 'zr'], outputs: ['rq'] },
        dq('rq', 'sr', 'zr', 'rd'),
        { opType: 'Flatten', inputs: ['rd'], outputs: ['f'] },
        dq('w2q', 'sw2', 'zw2', 'w2d', 0),
        dq('b2q', 'sb2', 'zb2', 'b2d', 0),
        { opType: 'Gemm', inputs: ['f', 'w2d', 'b2d'], outputs: ['y'], attributes: { transB: 1 } },
      ],
    },
    options.fixedBatch,
  );
}

/** QuantizeLinear then DequantizeLinear in float32: round half to even, saturate, rescale. */
function fakeQuant(v: number, s: number, zp: number, lo: number, hi: number): number {
  const q = clamp(roundHalfEven(f32(v / s)) + zp, lo, hi);
  return f32((q - zp) * s);
}

/** Conv 3×3 (1 → CHANNELS, no padding) + bias + Relu on one dequantized sample; float64 sums rounded to float32. */
function convRelu(x: Float64Array, w: Float64Array, b: Float64Array): Float64Array {
  const out = new Float64Array(FEATURES);
  for (let o = 0; o < CHANNELS; o++) {
    for (let i = 0; i < 4; i++) {
      for (let j = 0; j < 4; j++) {
        let acc = 0;
        for (let ki = 0; ki < 3; ki++) for (let kj = 0; kj < 3; kj++) acc += x[(i + ki) * 6 + j + kj]! * w[o * 9 + ki * 3 + kj]!;
        out[o * 16 + i * 4 + j] = Math.max(0, f32(acc + b[o]!));
      }
    }
  }
  return out;
}

/**
 * The QDQ model's numerics in typed arrays: every Q/DQ in float32 as ONNX defines it; Conv and
 * Gemm accumulate in float64 and round once (exact for `pow2` scales, within float32 rounding of
 * ORT's float kernels otherwise).
 */
export function qdqReference(kind: ScaleKind, x: Float32Array, options: Pick<QdqModelOptions, 'floatBias'> = {}): Float32Array {
  const p = qdqParams(kind);
  const w1 = Float64Array.from(p.w1q, (q, i) => f32(q * p.sw1[Math.floor(i / 9)]!));
  const b1 = options.floatBias ? Float64Array.from(B1) : Float64Array.from(p.b1q, (q, o) => f32(q * f32(p.sw1[o]! * p.sx)));
  const w2 = Float64Array.from(p.w2q, (q, i) => f32(q * p.sw2[Math.floor(i / FEATURES)]!));
  const b2 = Float64Array.from(p.b2q, (q, o) => f32(q * f32(p.sw2[o]! * p.sr)));
  const n = x.length / SAMPLE_SIZE;
  const y = new Float32Array(n * CLASSES);
  for (let s = 0; s < n; s++) {
    const xd = Float64Array.from(x.subarray(s * SAMPLE_SIZE, (s + 1) * SAMPLE_SIZE), (v) => fakeQuant(v, p.sx, p.zx, 0, 255));
    const r = convRelu(xd, w1, b1).map((v) => fakeQuant(v, p.sr, 0, 0, 255));
    for (let o = 0; o < CLASSES; o++) {
      let acc = 0;
      for (let i = 0; i < FEATURES; i++) acc += r[i]! * w2[o * FEATURES + i]!;
      y[s * CLASSES + o] = acc + b2[o]!;
    }
  }
  return y;
}
