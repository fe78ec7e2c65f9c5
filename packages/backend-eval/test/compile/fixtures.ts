import { centeredUniform } from '@quant-trim/test-utils';
/**
 * Shared helpers of the compile numerics / feature tests: deterministic data, an OnnxModel literal
 * builder (any attribute kind, symbolic batch axis), ORT runs with graph optimisation disabled, and
 * plain typed-array reference ops that follow the conventions of docs/backends.md#conventions (float32 after every op).
 */
import { addOutputs, writeOnnx, type OnnxAttribute, type OnnxModel, type OnnxNode } from '@quant-trim/onnx-export';
import { roundWith, type RoundingMode } from '@quant-trim/quant-grid';
import { ort, runOrt } from '@quant-trim/test-utils/onnx';
import type { BiasSpec } from '../../src/profiles/types.js';

export const fround = Math.fround;

/** Seeded uniform values in [-0.5, 0.5) (mulberry32). */
export const rng = centeredUniform;

/** `n` float32 values uniform in [−amp, amp). */
export function values(n: number, seed: number, amp = 1): Float32Array {
  const r = rng(seed);
  return Float32Array.from({ length: n }, () => r() * 2 * amp);
}

/** Attribute shorthand: integer → int, integer array → ints, `{ f }` → float. */
export type AttrSpec = number | number[] | { f: number };

export interface NodeSpec {
  name: string;
  op: string;
  inputs: string[];
  outputs: string[];
  attrs?: Record<string, AttrSpec>;
}

export interface ModelSpec {
  opset?: number;
  /** Sample shape of the single input (a symbolic batch axis `N` is prepended). */
  input: { name: string; sample: number[] };
  output: string;
  inits: Record<string, { dims: number[]; data: Float32Array }>;
  nodes: NodeSpec[];
}

function attribute(a: AttrSpec): OnnxAttribute {
  if (typeof a === 'number') return { type: 'int', value: a };
  if (Array.isArray(a)) return { type: 'ints', value: a };
  return { type: 'float', value: a.f };
}

/** A float32 OnnxModel literal with a symbolic batch axis. */
export function makeModel(spec: ModelSpec): OnnxModel {
  const opset = spec.opset ?? 13;
  const nodes: OnnxNode[] = spec.nodes.map((n) => ({
    name: n.name,
    opType: n.op,
    domain: '',
    inputs: [...n.inputs],
    outputs: [...n.outputs],
    attributes: Object.fromEntries(Object.entries(n.attrs ?? {}).map(([k, v]) => [k, attribute(v)])),
  }));
  return {
    irVersion: opset >= 21 ? 10 : 7,
    opsetImports: [{ domain: '', version: opset }],
    metadata: {},
    graph: {
      name: 'test',
      nodes,
      initializers: new Map(Object.entries(spec.inits).map(([name, t]) => [name, { name, dataType: 1, dims: t.dims, data: t.data }])),
      inputs: [{ name: spec.input.name, elemType: 1, shape: ['N', ...spec.input.sample] }],
      outputs: [{ name: spec.output, elemType: 1 }],
      valueInfo: [],
    },
  };
}

/** Runs `model` on `x` ([n, ...sample]) with graph optimisation disabled, with extra outputs. */
export async function runModel(
  model: OnnxModel,
  input: string,
  x: Float32Array,
  dims: number[],
  outputs: string[] = [],
): Promise<Record<string, Float32Array>> {
  const bytes = writeOnnx(outputs.length > 0 ? addOutputs(model, outputs) : model);
  const out = await runOrt(bytes, { [input]: new ort.Tensor('float32', x, dims) }, { graphOptimizationLevel: 'disabled' });
  return Object.fromEntries(Object.entries(out).map(([k, v]) => [k, v.data as Float32Array]));
}

/** Calibration batches of `size` samples of `sampleSize` values each. */
export function* batches(count: number, size: number, sampleSize: number, seed: number, amp = 2): Generator<Float32Array> {
  for (let b = 0; b < count; b++) yield values(size * sampleSize, seed + 101 * b, amp);
}

// ---------------------------------------------------------------------------------------------
// Typed-array reference ops (float32 after every op).

/** Per-tensor quantize → dequantize: `fround((clamp(R(fround(x/s)) + zp) − zp)·s)`. */
export function fq(x: Float32Array, s: number, zp: number, qmin: number, qmax: number, mode: RoundingMode): Float32Array {
  const out = new Float32Array(x.length);
  for (let i = 0; i < x.length; i++) {
    const q = Math.min(qmax, Math.max(qmin, roundWith(mode, fround(x[i]! / s)) + zp));
    out[i] = fround((q - zp) * s);
  }
  return out;
}

/** NCHW convolution, no dilation/groups; accumulation in float32, bias added last. */
export function conv2d(
  x: Float32Array,
  [n, c, h, w]: number[],
  wt: Float32Array,
  [o, , kh, kw]: number[],
  bias: Float32Array | undefined,
  stride = 1,
  pad = 0,
): { y: Float32Array; dims: number[] } {
  const oh = Math.floor((h! + 2 * pad - kh!) / stride) + 1;
  const ow = Math.floor((w! + 2 * pad - kw!) / stride) + 1;
  const y = new Float32Array(n! * o! * oh * ow);
  for (let b = 0; b < n!; b++)
    for (let oc = 0; oc < o!; oc++)
      for (let i = 0; i < oh; i++)
        for (let j = 0; j < ow; j++) {
          let acc = 0;
          for (let ic = 0; ic < c!; ic++)
            for (let u = 0; u < kh!; u++)
              for (let v = 0; v < kw!; v++) {
                const yy = i * stride - pad + u;
                const xx = j * stride - pad + v;
                if (yy < 0 || yy >= h! || xx < 0 || xx >= w!) continue;
                acc = fround(acc + fround(x[((b * c! + ic) * h! + yy) * w! + xx]! * wt[((oc * c! + ic) * kh! + u) * kw! + v]!));
              }
          y[((b * o! + oc) * oh + i) * ow + j] = bias === undefined ? acc : fround(acc + bias[oc]!);
        }
  return { y, dims: [n!, o!, oh, ow] };
}

export function relu(x: Float32Array): Float32Array {
  return x.map((v) => (v > 0 ? v : 0));
}

/** NCHW max pooling, square kernel, no padding. */
export function maxPool(x: Float32Array, [n, c, h, w]: number[], k: number, stride: number): { y: Float32Array; dims: number[] } {
  const oh = Math.floor((h! - k) / stride) + 1;
  const ow = Math.floor((w! - k) / stride) + 1;
  const y = new Float32Array(n! * c! * oh * ow);
  for (let b = 0; b < n! * c!; b++)
    for (let i = 0; i < oh; i++)
      for (let j = 0; j < ow; j++) {
        let m = -Infinity;
        for (let u = 0; u < k; u++) for (let v = 0; v < k; v++) m = Math.max(m, x[(b * h! + i * stride + u) * w! + j * stride + v]!);
        y[(b * oh + i) * ow + j] = m;
      }
  return { y, dims: [n!, c!, oh, ow] };
}

/** `y[r, j] = Σ_k x[r, k]·W(k, j) + bias[j]`, W stored [out, in] (transB) or [in, out]. */
export function gemm(x: Float32Array, rows: number, inner: number, wt: Float32Array, outDim: number, transB: boolean, bias?: Float32Array): Float32Array {
  const y = new Float32Array(rows * outDim);
  for (let r = 0; r < rows; r++)
    for (let j = 0; j < outDim; j++) {
      let acc = 0;
      for (let k = 0; k < inner; k++) acc = fround(acc + fround(x[r * inner + k]! * wt[transB ? j * inner + k : k * outDim + j]!));
      y[r * outDim + j] = bias === undefined ? acc : fround(acc + bias[j]!);
    }
  return y;
}

/** Integer storage range of an activation element type. */
export const STORAGE_RANGE: Record<string, [number, number]> = {
  int8: [-128, 127],
  uint8: [0, 255],
  int16: [-32768, 32767],
  uint16: [0, 65535],
};

/** Compares ORT output with a reference on an output grid of step `lsb`: max |Δ| in LSB, share exactly equal. */
export function lsbStats(actual: Float32Array, expected: Float32Array, lsb: number): { maxLsb: number; exact: number; total: number } {
  let maxLsb = 0;
  let exact = 0;
  for (let i = 0; i < actual.length; i++) {
    const d = Math.abs(actual[i]! - expected[i]!);
    if (d === 0) exact++;
    maxLsb = Math.max(maxLsb, d / lsb);
  }
  return { maxLsb, exact, total: actual.length };
}

/**
 * docs/backends.md#biases: q = R_bias(b / s) clamped to the bias width; the op adds q·s. `product`: s = sIn·sW[c];
 * `pow2` (Vitis DPU fixed point, BiasSpec docs): the bias's own scale 2^⌈log2(max|b| / (2^(bits−1) − 1))⌉.
 */
export function quantizedBias(
  b: Float32Array,
  sIn: number,
  sW: Float32Array,
  spec: BiasSpec,
): { b: Float32Array; clamped: number; scale: Float32Array; codes: Int32Array } {
  const out = new Float32Array(b.length);
  const scale = new Float32Array(b.length);
  const codes = new Int32Array(b.length);
  const limit = 2 ** (spec.bits - 1);
  const amax = b.reduce((a, v) => Math.max(a, Math.abs(v)), 0);
  let clamped = 0;
  for (let c = 0; c < b.length; c++) {
    const s = spec.scale === 'pow2' ? 2 ** Math.ceil(Math.log2(amax / (limit - 1))) : fround(sIn * sW[sW.length === 1 ? 0 : c]!);
    scale[c] = s;
    const r = roundWith(spec.rounding, fround(b[c]! / s));
    const q = Math.min(limit - 1, Math.max(-limit, r));
    if (q !== r) clamped++;
    codes[c] = q;
    out[c] = fround(q * s);
  }
  return { b: out, clamped, scale, codes };
}

// ---------------------------------------------------------------------------------------------
// The small network of the numerics and feature tests.

// x[N,1,6,6] → Conv(3x3, bias) → Relu → MaxPool(2, 2) → Flatten → Gemm(transB, bias) → MatMul → Gemm(bias) → y[N,3]
export const SAMPLE = [1, 6, 6];
export const W = {
  w1: { dims: [4, 1, 3, 3], data: values(36, 1, 0.5) },
  w2: { dims: [8, 16], data: values(128, 3, 0.3) },
  w3: { dims: [8, 8], data: values(64, 5, 0.4) },
  w4: { dims: [8, 3], data: values(24, 6, 0.4) },
};
export const B = {
  b1: { dims: [4], data: values(4, 2, 0.1) },
  b2: { dims: [8], data: values(8, 4, 0.1) },
  b4: { dims: [3], data: values(3, 7, 0.1) },
};
export const net = makeModel({
  input: { name: 'x', sample: SAMPLE },
  output: 'y',
  inits: { ...W, ...B },
  nodes: [
    { name: 'conv', op: 'Conv', inputs: ['x', 'w1', 'b1'], outputs: ['c'] },
    { name: 'relu', op: 'Relu', inputs: ['c'], outputs: ['r'] },
    { name: 'pool', op: 'MaxPool', inputs: ['r'], outputs: ['p'], attrs: { kernel_shape: [2, 2], strides: [2, 2] } },
    { name: 'flatten', op: 'Flatten', inputs: ['p'], outputs: ['f'] },
    { name: 'fc1', op: 'Gemm', inputs: ['f', 'w2', 'b2'], outputs: ['g'], attrs: { transB: 1 } },
    { name: 'mm', op: 'MatMul', inputs: ['g', 'w3'], outputs: ['m'] },
    { name: 'fc2', op: 'Gemm', inputs: ['m', 'w4', 'b4'], outputs: ['y'] },
  ],
});
