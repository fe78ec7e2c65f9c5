/**
 * Reference: ONNX Runtime's QuantizeLinear / DequantizeLinear (onnxruntime-node, CPU EP, graph
 * optimisation disabled). Our typed-array `quantize` and `fakeQuantize` must agree bit for bit.
 */
import { mismatches, mulberry32 } from '@quant-trim/test-utils';
import { DataType, buildModel, ort, runOrt } from '@quant-trim/test-utils/onnx';
import { describe, expect, it } from 'vitest';
import { type QParams, type QuantScheme, configureKernels, createScheme, dequantize, fakeQuantize, quantize } from '../src/index.js';

const N = 120_000;

/**
 * Values that stress the rounding step: exact .5 ties (x = (k + ½)·s with s a power of two),
 * float32 near-ties, exact grid points, values far beyond the clipping range, zeros and tiny
 * values, in both signs, and NaN / ±Infinity (ORT maps NaN to qmin).
 */
function stressValues(
  n: number,
  scales: Float32Array,
  zeroPoints: Int32Array,
  channelOf: (i: number) => number,
  qmin: number,
  qmax: number,
  seed: number,
): Float32Array {
  const r = mulberry32(seed);
  const x = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    const c = channelOf(i);
    const s = scales[c]!;
    const z = zeroPoints[c]!;
    const k = Math.floor(qmin - z - 4 + r() * (qmax - qmin + 8)); // integer offset from z, a bit past both ends
    switch (i % 6) {
      case 0: // exact or near tie
        x[i] = (k + 0.5) * s;
        break;
      case 1: // exact grid point
        x[i] = k * s;
        break;
      case 2: // uniform inside and around the range
        x[i] = (qmin - z - 10 + r() * (qmax - qmin + 20)) * s;
        break;
      case 3: // far beyond the range, both signs
        x[i] = (r() < 0.5 ? -1 : 1) * (qmax - qmin) * s * (2 + 100 * r());
        break;
      case 4: // tiny values around zero, incl. ±0, and a few NaN / ±Infinity
        x[i] = i % 12 === 4 ? (r() < 0.5 ? -0 : 0) : i % 1200 === 10 ? [NaN, Infinity, -Infinity][i % 3]! : (r() - 0.5) * s * 1.01;
        break;
      default: // ties one float32 ulp away
        x[i] = Math.fround((k + 0.5) * s) * (1 + (r() < 0.5 ? -1 : 1) * 2 ** -23);
    }
  }
  return x;
}

interface Case {
  title: string;
  scheme: QuantScheme;
  shape: number[];
  axis?: number;
}

function paramsFor(c: Case, seed: number): QParams {
  const r = mulberry32(seed);
  const count = c.axis === undefined ? 1 : c.shape[c.axis]!;
  const scale = new Float32Array(count);
  const zeroPoint = new Int32Array(count);
  for (let i = 0; i < count; i++) {
    // Half of the scales are powers of two (exact ties), half arbitrary float32 values.
    scale[i] = i % 2 === 0 ? 2 ** -(2 + Math.floor(r() * 8)) : 0.001 + r() * 0.05;
    zeroPoint[i] = c.scheme.symmetric ? 0 : Math.floor(c.scheme.qmin + r() * (c.scheme.qmax - c.scheme.qmin + 1));
  }
  return { scale, zeroPoint, shape: c.axis === undefined ? [] : [count] };
}

const onnxType = (s: QuantScheme) => (s.bits === 8 ? (s.signed ? DataType.INT8 : DataType.UINT8) : s.signed ? DataType.INT16 : DataType.UINT16);

async function runQdq(c: Case, x: Float32Array, qp: QParams): Promise<{ q: ArrayLike<number>; xq: Float32Array }> {
  const type = onnxType(c.scheme);
  const opset = c.scheme.bits === 8 ? 13 : 21;
  const attributes: Record<string, number> = c.axis === undefined ? {} : { axis: c.axis };
  const model = buildModel({
    opset,
    nodes: [
      { opType: 'QuantizeLinear', inputs: ['x', 's', 'z'], outputs: ['q'], attributes },
      { opType: 'DequantizeLinear', inputs: ['q', 's', 'z'], outputs: ['xq'], attributes },
    ],
    inputs: [{ name: 'x', dataType: DataType.FLOAT, dims: c.shape }],
    outputs: [
      { name: 'q', dataType: type, dims: c.shape },
      { name: 'xq', dataType: DataType.FLOAT, dims: c.shape },
    ],
    initializers: [
      { name: 's', dataType: DataType.FLOAT, dims: [...qp.shape], values: qp.scale },
      { name: 'z', dataType: type, dims: [...qp.shape], values: qp.zeroPoint },
    ],
  });
  const out = await runOrt(model, { x: new ort.Tensor('float32', x, c.shape) });
  return { q: out.q!.data as ArrayLike<number>, xq: out.xq!.data as Float32Array };
}

const cases: Case[] = [
  { title: 'int8 symmetric per-tensor', scheme: createScheme({ bits: 8 }), shape: [N] },
  { title: 'int8 asymmetric per-tensor', scheme: createScheme({ bits: 8, symmetric: false }), shape: [N] },
  { title: 'uint8 asymmetric per-tensor', scheme: createScheme({ bits: 8, signed: false, symmetric: false }), shape: [N] },
  { title: 'int8 symmetric per-axis (axis 0)', scheme: createScheme({ bits: 8, granularity: { kind: 'per-channel', axis: 0 } }), shape: [16, N / 16], axis: 0 },
  {
    title: 'uint8 asymmetric per-axis (axis 1)',
    scheme: createScheme({ bits: 8, signed: false, symmetric: false, granularity: { kind: 'per-channel', axis: 1 } }),
    shape: [N / 24, 24],
    axis: 1,
  },
  {
    title: 'int8 asymmetric per-axis (axis 1 of 3)',
    scheme: createScheme({ bits: 8, symmetric: false, granularity: { kind: 'per-channel', axis: 1 } }),
    shape: [10, 12, N / 120],
    axis: 1,
  },
  { title: 'int16 symmetric per-tensor (opset 21)', scheme: createScheme({ bits: 16 }), shape: [N] },
  {
    title: 'uint16 asymmetric per-axis (opset 21)',
    scheme: createScheme({ bits: 16, signed: false, symmetric: false, granularity: { kind: 'per-channel', axis: 0 } }),
    shape: [8, N / 8],
    axis: 0,
  },
];

describe('bit-exact against ONNX Runtime QuantizeLinear/DequantizeLinear', () => {
  cases.forEach((c, index) => {
    it(`${c.title}: ${N} values`, async () => {
      const qp = paramsFor(c, 100 + index);
      const inner = c.axis === undefined ? 1 : c.shape.slice(c.axis + 1).reduce((a, b) => a * b, 1);
      const dim = c.axis === undefined ? 1 : c.shape[c.axis]!;
      const channelOf = (i: number) => (c.axis === undefined ? 0 : Math.floor(i / inner) % dim);
      const x = stressValues(N, qp.scale, qp.zeroPoint, channelOf, c.scheme.qmin, c.scheme.qmax, 7 + index);
      const ties = Array.from(x).filter((v, i) => {
        const t = Math.fround(v / qp.scale[channelOf(i)]!);
        return t - Math.floor(t) === 0.5;
      }).length;
      expect(ties, 'the data must contain exact .5 ties').toBeGreaterThan(N / 20);

      const reference = await runQdq(c, x, qp);
      const q = quantize(x, c.shape, qp, c.scheme);
      const dq = dequantize(q, c.shape, qp, c.scheme);
      const qDiff = mismatches(q, reference.q);
      expect(qDiff.count, `codes differ at ${qDiff.first.map((i) => `${i}: x=${x[i]} ours=${q[i]} ort=${reference.q[i]}`).join('; ')}`).toBe(0);
      expect(mismatches(dq, reference.xq).count).toBe(0);

      // fakeQuantize, through the SIMD kernels and through the scalar path.
      for (const simd of [true, false]) {
        configureKernels({ simd });
        const xq = fakeQuantize(x, c.shape, qp, c.scheme);
        configureKernels({ simd: true });
        const fqDiff = mismatches(xq, reference.xq);
        expect(
          fqDiff.count,
          `fake-quant (simd ${simd}) differs at ${fqDiff.first.map((i) => `${i}: x=${x[i]} ours=${xq[i]} ort=${reference.xq[i]}`).join('; ')}`,
        ).toBe(0);
      }
    });
  });
});
