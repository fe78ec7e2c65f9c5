import { writeOnnx, type OnnxModel } from '@quant-trim/onnx-export';
import {
  computeQParams,
  computeRanges,
  createScheme,
  fakeQuantize,
  roundHalfEven,
  roundWith,
  type Granularity,
  type QuantScheme,
  type RoundingMode,
} from '@quant-trim/quant-grid';
import { exactIntegerKernels, ort } from '@quant-trim/test-utils/onnx';
import { describe, expect, it } from 'vitest';
import { compileForBackend, type CompiledModel } from '../../src/compile/compileForBackend.js';
import { builtinProfiles } from '../../src/profiles/builtinProfiles.js';
import type { BackendProfile, TensorGrid } from '../../src/profiles/types.js';
import {
  B,
  SAMPLE,
  STORAGE_RANGE,
  W,
  batches,
  conv2d,
  fq,
  fround,
  gemm,
  lsbStats,
  makeModel,
  maxPool,
  net,
  quantizedBias,
  relu,
  runModel,
  values,
} from './fixtures.js';

const calibration = () => batches(4, 16, 36, 11);

/** Output-channel axis of each weight: Conv 0, Gemm transB 0, MatMul 1, Gemm 1. */
const OUT_AXIS = { w1: 0, w2: 0, w3: 1, w4: 1 } as const;

/** The profile's weight scheme for one weight, derived from the profile fields (docs/backends.md#profile-fields, docs/backends.md#range-to-scale-and-zero-point). */
function weightScheme(grid: TensorGrid, name: keyof typeof W): QuantScheme {
  const data = W[name].data;
  const granularity: Granularity = grid.granularity === 'per-tensor' ? { kind: 'per-tensor' } : { kind: 'per-channel', axis: OUT_AXIS[name] };
  const min = data.reduce((a, b) => Math.min(a, b), Infinity);
  return createScheme({
    bits: grid.bits,
    signed: grid.symmetric === 'unsignedIfNonNeg' ? !(min >= 0) : grid.signed,
    symmetric: grid.symmetric !== false,
    narrowRange: grid.range === 'narrow',
    granularity,
    rounding: grid.rounding,
    scaleConstraint: grid.scale === 'pow2' ? 'pow2' : 'float',
  });
}

function quantizedWeight(grid: TensorGrid, name: keyof typeof W): { w: Float32Array; scale: Float32Array } {
  const { data, dims } = W[name];
  const scheme = weightScheme(grid, name);
  const qp = computeQParams(computeRanges(data, dims, scheme.granularity), scheme);
  return { w: fakeQuantize(data, dims, qp, scheme), scale: qp.scale };
}

interface Reference {
  act: ReadonlyMap<string, { scale: number; zeroPoint: number; qmin: number; qmax: number }>;
  rounding: RoundingMode;
  w: Record<keyof typeof W, Float32Array>;
  b: Record<keyof typeof B, Float32Array>;
}

/** The network in typed arrays, with activation fake-quant exactly at the tensors in `act`. */
function referenceNet(x: Float32Array, n: number, ref: Reference): Record<string, Float32Array> {
  const t: Record<string, Float32Array> = {};
  const q = (name: string, v: Float32Array) => {
    const p = ref.act.get(name);
    t[name] = p === undefined ? v : fq(v, p.scale, p.zeroPoint, p.qmin, p.qmax, ref.rounding);
    return t[name];
  };
  const xq = q('x', x);
  const c = conv2d(xq, [n, ...SAMPLE], ref.w.w1, W.w1.dims, ref.b.b1);
  const r = q('r', relu(q('c', c.y)));
  const p = maxPool(r, c.dims, 2, 2);
  const f = q('f', q('p', p.y));
  const g = q('g', gemm(f, n, 16, ref.w.w2, 8, true, ref.b.b2));
  const m = q('m', gemm(g, n, 8, ref.w.w3, 8, false));
  q('y', gemm(m, n, 8, ref.w.w4, 3, false, ref.b.b4));
  return t;
}

/** What each profile quantizes on this net (docs/backends.md#order-of-steps): fused Conv+Relu → r, not c. */
const EXPECTED: Record<string, { elemType: string; weights: (keyof typeof W)[] }> = {
  'tflite-int8': { elemType: 'int8', weights: ['w1', 'w2', 'w3', 'w4'] },
  'qnn-htp-w8a8-tfe': { elemType: 'uint8', weights: ['w1', 'w2', 'w3', 'w4'] },
  // the DPU has no MatMul: it runs in float32 with its float weight; m is quantized for fc2
  'vitis-dpu-pow2': { elemType: 'int8', weights: ['w1', 'w2', 'w4'] },
  'tflite-16x8': { elemType: 'int16', weights: ['w1', 'w2', 'w3', 'w4'] },
};

function buildReference(profile: BackendProfile, compiled: CompiledModel): Reference {
  const grid = profile.weights!;
  const act = profile.activations as TensorGrid;
  const expected = EXPECTED[profile.id]!;
  const [qmin, qmax] = STORAGE_RANGE[expected.elemType]!;
  const actParams = new Map(compiled.activations.map((a) => [a.tensor, { scale: a.scale, zeroPoint: a.zeroPoint, qmin, qmax }]));
  const w = {} as Record<keyof typeof W, Float32Array>;
  const sW = {} as Record<keyof typeof W, Float32Array>;
  for (const name of Object.keys(W) as (keyof typeof W)[]) {
    if (expected.weights.includes(name)) ({ w: w[name], scale: sW[name] } = quantizedWeight(grid, name));
    else w[name] = W[name].data;
  }
  const bias = (b: keyof typeof B, input: string, weight: keyof typeof W) => quantizedBias(B[b].data, actParams.get(input)!.scale, sW[weight], profile.bias!).b;
  return { act: actParams, rounding: act.rounding, w, b: { b1: bias('b1', 'x', 'w1'), b2: bias('b2', 'f', 'w2'), b4: bias('b4', 'm', 'w4') } };
}

describe('compiled numerics vs a typed-array reference', () => {
  for (const id of ['tflite-int8', 'qnn-htp-w8a8-tfe', 'vitis-dpu-pow2', 'tflite-16x8'] as const) {
    it(`${id}: the emulated QDQ model matches a typed-array reference of the profile's numerics on a small network`, async () => {
      const profile = builtinProfiles[id];
      const compiled = await compileForBackend(net, profile, calibration(), { emulateRounding: true });
      const expected = EXPECTED[id]!;
      // Where the profile quantizes: every activation except the fused Conv output c.
      expect(compiled.activations.map((a) => a.tensor)).toEqual(['x', 'r', 'p', 'f', 'g', 'm', 'y']);
      expect(compiled.activations.every((a) => a.elemType === expected.elemType)).toBe(true);
      expect(compiled.weights.map((w) => w.tensor)).toEqual(expected.weights);
      // The compiled weight scales are the independently derived ones.
      for (const w of compiled.weights) expect(Array.from(w.scale)).toEqual(Array.from(quantizedWeight(profile.weights!, w.tensor as keyof typeof W).scale));

      const ref = buildReference(profile, compiled);
      const n = 64;
      const x = values(n * 36, 777, 2);
      const expectedT = referenceNet(x, n, ref);
      // Every quantized intermediate tensor too (a float-produced tensor is dequantized under `<t>_dequantized`).
      const produced = new Set(compiled.model.graph.nodes.flatMap((nd) => nd.outputs));
      const ortName = (t: string) => (produced.has(`${t}_dequantized`) ? `${t}_dequantized` : t);
      const inner = ['r', 'p', 'f', 'g', 'm'];
      const out = await runModel(compiled.model, 'x', x, [n, ...SAMPLE], inner.map(ortName));
      for (const t of inner) {
        const s = lsbStats(out[ortName(t)]!, expectedT[t]!, ref.act.get(t)!.scale);
        expect(s.maxLsb, t).toBeLessThanOrEqual(1.001);
        expect(s.exact / s.total, t).toBeGreaterThanOrEqual(0.95);
      }
      const lsb = ref.act.get('y')!.scale;
      const stats = lsbStats(out['y']!, expectedT['y']!, lsb);
      console.info(`${id}: output LSB ${lsb}; ${stats.exact}/${stats.total} outputs exactly equal the reference, max |Δ| = ${stats.maxLsb} LSB`);
      // one LSB up to the float32 rounding of the dequantized values (q − zp)·s
      expect(stats.maxLsb).toBeLessThanOrEqual(1.001);
      expect(stats.exact / stats.total).toBeGreaterThanOrEqual(0.95);
      // sanity: the reference is not trivially the float model (quantization changes the output)
      const float = await runModel(net, 'x', x, [n, ...SAMPLE]);
      expect(lsbStats(float['y']!, expectedT['y']!, lsb).exact).toBeLessThan(stats.total);
    });
  }

  it('vitis-dpu-pow2: every activation, weight and bias scale is an exact power of two', async () => {
    const compiled = await compileForBackend(net, builtinProfiles['vitis-dpu-pow2'], calibration());
    const scales = [
      ...compiled.activations.map((a) => a.scale),
      ...compiled.weights.flatMap((w) => Array.from(w.scale)),
      ...compiled.biases.flatMap((b) => Array.from(b.scale)),
    ];
    expect(compiled.biases.map((b) => b.tensor)).toEqual(['b1', 'b2', 'b4']);
    expect(scales).toHaveLength(7 + 3 + 4 + 8 + 3);
    for (const s of scales) {
      expect(s).toBeGreaterThan(0);
      expect(Number.isInteger(Math.log2(s))).toBe(true);
    }
    // and the scales the emitted graph carries (Q/DQ and DQ initializers) are powers of two too
    const { graph } = compiled.model;
    const dqScales = graph.nodes
      .filter((n) => n.opType === 'DequantizeLinear')
      .flatMap((n) => Array.from(graph.initializers.get(n.inputs[1]!)!.data as Float32Array));
    expect(dqScales.length).toBeGreaterThan(0);
    for (const s of dqScales) expect(Number.isInteger(Math.log2(s))).toBe(true);
  });
});

// ---------------------------------------------------------------------------------------------
// Dynamic (ort-dynamic-u8s8): x[N,16] → Gemm(transB, bias) → Relu → MatMul → Gemm(bias) → y[N,4]
const DW = {
  d1: { dims: [12, 16], data: values(192, 21, 0.4) },
  d2: { dims: [12, 10], data: values(120, 22, 0.4) },
  d3: { dims: [10, 4], data: values(40, 23, 0.4) },
};
const DB = { e1: { dims: [12], data: values(12, 24, 0.2) }, e3: { dims: [4], data: values(4, 25, 0.2) } };
const mlp = makeModel({
  input: { name: 'x', sample: [16] },
  output: 'y',
  inits: { ...DW, ...DB },
  nodes: [
    { name: 'fc1', op: 'Gemm', inputs: ['x', 'd1', 'e1'], outputs: ['h'], attrs: { transB: 1 } },
    { name: 'act', op: 'Relu', inputs: ['h'], outputs: ['hr'] },
    { name: 'mm', op: 'MatMul', inputs: ['hr', 'd2'], outputs: ['mo'] },
    { name: 'fc2', op: 'Gemm', inputs: ['mo', 'd3', 'e3'], outputs: ['y'] },
  ],
});

/** ONNX DynamicQuantizeLinear → DequantizeLinear over the whole tensor of one run (docs/backends.md#dynamic-activations), in float32. */
function dynamicFq(x: Float32Array): Float32Array {
  let lo = 0;
  let hi = 0;
  for (const v of x) {
    lo = Math.min(lo, v);
    hi = Math.max(hi, v);
  }
  const s = hi === lo ? 1 : fround(fround(hi - lo) / 255);
  const zp = roundHalfEven(Math.min(255, Math.max(0, fround(0 - fround(lo / s)))));
  return fq(x, s, zp, 0, 255, 'half-even');
}

function dynamicReference(x: Float32Array, n: number): Record<string, Float32Array> {
  const grid = builtinProfiles['ort-dynamic-u8s8'].weights!;
  const wq = (name: keyof typeof DW) => {
    const { data, dims } = DW[name];
    const scheme = createScheme({ bits: grid.bits, signed: grid.signed, symmetric: true, narrowRange: grid.range === 'narrow', rounding: grid.rounding });
    return fakeQuantize(data, dims, computeQParams(computeRanges(data, dims), scheme), scheme);
  };
  const h = gemm(dynamicFq(x), n, 16, wq('d1'), 12, true, DB.e1.data);
  const hr = relu(h);
  const mo = gemm(dynamicFq(hr), n, 12, wq('d2'), 10, false);
  const y = gemm(dynamicFq(mo), n, 10, wq('d3'), 4, false, DB.e3.data);
  return { h, hr, mo, y };
}

const maxAbs = (v: Float32Array) => v.reduce((a, b) => Math.max(a, Math.abs(b)), 0);
const maxDiff = (a: Float32Array, b: Float32Array) => a.reduce((m, v, i) => Math.max(m, Math.abs(v - b[i]!)), 0);

describe('dynamic activations (ort-dynamic-u8s8)', () => {
  it('MatMul/Gemm inputs use per-inference ranges: matches a DynamicQuantizeLinear reference, alone and batched; native matches emulated', async () => {
    const compiled = await compileForBackend(mlp, builtinProfiles['ort-dynamic-u8s8'], []);
    expect(compiled.calibration).toMatchObject({ samples: 0, batches: 0 });
    expect(compiled.coverage.map((c) => [c.node, c.numerics])).toEqual([
      ['fc1', 'integer'],
      ['act', 'float32'],
      ['mm', 'integer'],
      ['fc2', 'integer'],
    ]);
    const dq = ['x', 'hr', 'mo'].map((t) => `${t}_dynamic_dequantized`);
    for (const name of dq) expect(compiled.model.graph.nodes.some((n) => n.outputs.includes(name))).toBe(true);

    const a = values(16, 31, 1);
    const big = values(16, 32, 20);
    const batch = Float32Array.from([...a, ...big]);
    const results: Float32Array[] = [];
    for (const [x, n] of [
      [a, 1],
      [batch, 2],
    ] as const) {
      const out = await runModel(compiled.model, 'x', x, [n, 16], ['h', 'hr', 'mo', ...dq]);
      // Each DynamicQuantizeLinear → DequantizeLinear step, fed ORT's own float input, is bit-exact.
      expect(Array.from(out['x_dynamic_dequantized']!)).toEqual(Array.from(dynamicFq(x)));
      expect(Array.from(out['hr_dynamic_dequantized']!)).toEqual(Array.from(dynamicFq(out['hr']!)));
      expect(Array.from(out['mo_dynamic_dequantized']!)).toEqual(Array.from(dynamicFq(out['mo']!)));
      // End to end from x (float32 accumulation order may differ from MLAS in the last bit).
      const ref = dynamicReference(x, n);
      const amp = maxAbs(ref['y']!);
      console.info(`dynamic batch ${n}: max |ORT − reference| = ${maxDiff(out['y']!, ref['y']!) / amp} of max|y|`);
      expect(maxDiff(out['y']!, ref['y']!)).toBeLessThanOrEqual(1e-5 * amp);
      results.push(out['y']!.slice(0, 4));

      // The MatMulInteger form computes the same thing with an exact int32 accumulator (on CPUs whose
      // integer dot products do not saturate: see exactIntegerKernels).
      const native = await runModel(compiled.native, 'x', x, [n, 16]);
      expect(compiled.native.graph.nodes.filter((n) => n.opType === 'MatMulInteger')).toHaveLength(3);
      console.info(`dynamic batch ${n}: max |native − emulated| = ${maxDiff(native['y']!, out['y']!) / amp} of max|y|`);
      const kernels = exactIntegerKernels();
      if (!kernels.exact) console.info(`skipping native = emulated for batch ${n}: ${kernels.reason}`);
      if (kernels.exact) expect(maxDiff(native['y']!, out['y']!)).toBeLessThanOrEqual(1e-5 * amp);
      const session = await ort.InferenceSession.create(writeOnnx(compiled.native));
      const optimized = (await session.run({ x: new ort.Tensor('float32', x, [n, 16]) }))['y']!.data as Float32Array;
      await session.release();
      if (kernels.exact) expect(maxDiff(optimized, out['y']!)).toBeLessThanOrEqual(1e-5 * amp);
    }
    // The large sample widens the batch's ranges, so sample a's output changes.
    expect(maxDiff(results[0]!, results[1]!)).toBeGreaterThan(1e-3 * maxAbs(results[0]!));
  });
});

// ---------------------------------------------------------------------------------------------
// emulateRounding at exact ties of the input grid.

function dequantizedInputOf(model: OnnxModel): string {
  return model.graph.nodes.find((n) => n.name === 'conv')!.inputs[0]!;
}

/** Inputs x = (k + ½)·s with fround(x / s) exactly k + ½ (a tie), plus some non-tie values. */
function tieInputs(s: number, zp: number, qmin: number, qmax: number, n: number): { x: Float32Array; ties: Set<number> } {
  const x = new Float32Array(n * 36);
  const ties = new Set<number>();
  let i = 0;
  for (let k = qmin - zp; k + zp + 1 <= qmax && i < x.length - 40; k++) {
    const v = fround((k + 0.5) * s);
    if (fround(v / s) !== k + 0.5) continue;
    ties.add(i);
    x[i++] = v;
  }
  const rest = values(x.length - i, 55, 1);
  for (let j = 0; i < x.length; i++, j++) x[i] = fround(rest[j]! * s * 50 + 0.3 * s);
  return { x, ties };
}

describe('emulateRounding', () => {
  for (const id of ['tflite-int8', 'vitis-dpu-pow2'] as const) {
    it(`${id}: with emulateRounding the dequantized input follows the profile's tie rule, without it half-even — they differ exactly at ties`, async () => {
      const profile = builtinProfiles[id];
      const act = profile.activations as TensorGrid;
      const emulated = await compileForBackend(net, profile, calibration(), { emulateRounding: true });
      const plain = await compileForBackend(net, profile, calibration());
      expect(plain.approximations.join('\n')).toMatch(new RegExp(`activation rounding ${act.rounding} emulated by QuantizeLinear`));
      expect(emulated.approximations.join('\n')).not.toMatch(/emulated by QuantizeLinear/);
      const px = emulated.activations.find((a) => a.tensor === 'x')!;
      expect(plain.activations.find((a) => a.tensor === 'x')).toEqual(px);
      const [qmin, qmax] = STORAGE_RANGE[px.elemType]!;
      const n = 8;
      const { x, ties } = tieInputs(px.scale, px.zeroPoint, qmin, qmax, n);
      expect(ties.size).toBeGreaterThan(100);

      const fqWith = (rounding: RoundingMode) => {
        const scheme = createScheme({ bits: 8, signed: true, symmetric: act.symmetric !== false, rounding });
        return fakeQuantize(x, [x.length], { scale: Float32Array.of(px.scale), zeroPoint: Int32Array.of(px.zeroPoint), shape: [] }, scheme);
      };
      const xe = (await runModel(emulated.model, 'x', x, [n, ...SAMPLE], [dequantizedInputOf(emulated.model)]))[dequantizedInputOf(emulated.model)]!;
      const xp = (await runModel(plain.model, 'x', x, [n, ...SAMPLE], [dequantizedInputOf(plain.model)]))[dequantizedInputOf(plain.model)]!;
      expect(Array.from(xe)).toEqual(Array.from(fqWith(act.rounding)));
      expect(Array.from(xp)).toEqual(Array.from(fqWith('half-even')));
      const differ = new Set(Array.from(xe.keys()).filter((i) => xe[i] !== xp[i]));
      const expectedDiffer = new Set(
        [...ties].filter((i) => roundWith(act.rounding, fround(x[i]! / px.scale)) !== roundWith('half-even', fround(x[i]! / px.scale))),
      );
      expect(expectedDiffer.size).toBeGreaterThan(40);
      expect(differ).toEqual(expectedDiffer);
    });
  }
});
