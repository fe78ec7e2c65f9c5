import { isQuantTrimError } from '@quant-trim/errors';
import { cloneModel, takenNames, type OnnxModel, type OnnxNode } from '@quant-trim/onnx-export';
import {
  computeQParams,
  computeRanges,
  createScheme,
  defaultRegistry,
  fakeQuantize,
  qparamsForRange,
  type Calibrator,
  type Granularity,
} from '@quant-trim/quant-grid';
import { describe, expect, it } from 'vitest';
import { compileForBackend } from '../../src/compile/compileForBackend.js';
import { toFloat16Precision } from '../../src/compile/dynamicAndFloat16.js';
import { upgradeOpset } from '../../src/compile/opsetUpgrade.js';
import { builtinProfiles } from '../../src/profiles/builtinProfiles.js';
import { CORE_ONNX_OPS } from '../../src/profiles/builtin/common.js';
import { TFLITE_WEIGHTS } from '../../src/profiles/builtin/tfliteInt8.js';
import { defineBackend } from '../../src/profiles/defineBackend.js';
import { B, SAMPLE, W, batches, makeModel, net, quantizedBias, runModel, values } from './fixtures.js';

const tflite = builtinProfiles['tflite-int8'];
const calibration = () => batches(4, 16, 36, 11);
const x4 = values(4 * 36, 909, 2);

const producerOf = (m: OnnxModel, t: string): OnnxNode | undefined => m.graph.nodes.find((n) => n.outputs.includes(t));
const readersOf = (m: OnnxModel, t: string): OnnxNode[] => m.graph.nodes.filter((n) => n.inputs.includes(t));
const nodeNamed = (m: OnnxModel, name: string): OnnxNode => m.graph.nodes.find((n) => n.name === name)!;
/** The integer initializer behind the DequantizeLinear that produces `t`. */
const codesOf = (m: OnnxModel, t: string) => {
  const dq = producerOf(m, t)!;
  expect(dq.opType).toBe('DequantizeLinear');
  return m.graph.initializers.get(dq.inputs[0]!)!;
};
const fp16Exact = (v: Float32Array) => Array.from(toFloat16Precision(v)).every((h, i) => Object.is(h, v[i]) || h === v[i]);
const errorOf = (p: Promise<unknown>) =>
  p.then(
    () => undefined,
    (e: unknown) => e,
  );

describe('fixedOutput and sharedScale (tflite-int8)', () => {
  it('Softmax output: scale 1/256, zero point −128, source fixed, carried by its QuantizeLinear', async () => {
    const model = makeModel({
      input: { name: 'x', sample: [8] },
      output: 'y',
      inits: { wa: { dims: [5, 8], data: values(40, 41, 0.5) }, ba: { dims: [5], data: values(5, 42, 0.1) } },
      nodes: [
        { name: 'fc', op: 'Gemm', inputs: ['x', 'wa', 'ba'], outputs: ['z'], attrs: { transB: 1 } },
        { name: 'softmax', op: 'Softmax', inputs: ['z'], outputs: ['y'], attrs: { axis: 1 } },
      ],
    });
    const compiled = await compileForBackend(model, tflite, batches(2, 16, 8, 3));
    expect(compiled.activations.map((a) => [a.tensor, a.source])).toEqual([
      ['x', 'calibrated'],
      ['z', 'calibrated'],
      ['y', 'fixed'],
    ]);
    const y = compiled.activations.find((a) => a.tensor === 'y')!;
    expect({ scale: y.scale, zeroPoint: y.zeroPoint, elemType: y.elemType }).toEqual({ scale: 1 / 256, zeroPoint: -128, elemType: 'int8' });
    const q = compiled.model.graph.nodes.find((n) => n.opType === 'QuantizeLinear' && n.inputs[0] === 'y_float')!;
    expect(compiled.model.graph.initializers.get(q.inputs[1]!)!.data[0]).toBe(1 / 256);
    expect(compiled.model.graph.initializers.get(q.inputs[2]!)!.data[0]).toBe(-128);
    // probabilities land on the k/256 grid
    const out = (await runModel(compiled.model, 'x', values(32, 43, 2), [4, 8]))['y']!;
    for (const v of out) expect(Number.isInteger(v * 256)).toBe(true);
  });

  it('MaxPool and Concat inputs + output share one (s, zp): a single minmax calibrator over the union of the members', async () => {
    const model = makeModel({
      input: { name: 'x', sample: SAMPLE },
      output: 'y',
      inits: {
        wa: { dims: [2, 1, 3, 3], data: values(18, 51, 0.5) },
        wb: { dims: [2, 1, 3, 3], data: values(18, 52, 1.5) },
        wf: { dims: [3, 36], data: values(108, 53, 0.3) },
      },
      nodes: [
        { name: 'convA', op: 'Conv', inputs: ['x', 'wa'], outputs: ['a'], attrs: { pads: [1, 1, 1, 1] } },
        { name: 'pool', op: 'MaxPool', inputs: ['a'], outputs: ['pa'], attrs: { kernel_shape: [2, 2], strides: [2, 2] } },
        { name: 'convB', op: 'Conv', inputs: ['x', 'wb'], outputs: ['bb'], attrs: { pads: [1, 1, 1, 1], strides: [2, 2] } },
        { name: 'concat', op: 'Concat', inputs: ['pa', 'bb'], outputs: ['cat'], attrs: { axis: 1 } },
        { name: 'flatten', op: 'Flatten', inputs: ['cat'], outputs: ['fl'] },
        { name: 'fc', op: 'Gemm', inputs: ['fl', 'wf'], outputs: ['y'], attrs: { transB: 1 } },
      ],
    });
    const compiled = await compileForBackend(model, tflite, calibration());
    const members = ['a', 'pa', 'bb', 'cat'];
    const byTensor = new Map(compiled.activations.map((a) => [a.tensor, a]));
    expect([...byTensor.keys()].sort()).toEqual(['a', 'bb', 'cat', 'fl', 'pa', 'x', 'y']);
    const sources = members.map((t) => byTensor.get(t)!.source);
    expect(sources.filter((s) => s === 'calibrated')).toHaveLength(1);
    expect(sources.filter((s) => s === 'shared')).toHaveLength(3);

    const cal = (defaultRegistry.calibrator as (n: string) => Calibrator)('minmax');
    const separate = new Map(members.map((t) => [t, (defaultRegistry.calibrator as (n: string) => Calibrator)('minmax')]));
    for (const b of calibration()) {
      const out = await runModel(model, 'x', b, [16, ...SAMPLE], members);
      for (const t of members) {
        cal.observe(out[t]!, [out[t]!.length]);
        separate.get(t)!.observe(out[t]!, [out[t]!.length]);
      }
    }
    const scheme = createScheme({ bits: 8, signed: true, symmetric: false, rounding: 'half-away' });
    const qp = cal.compute(scheme);
    for (const t of members)
      expect({ t, scale: byTensor.get(t)!.scale, zeroPoint: byTensor.get(t)!.zeroPoint }).toEqual({ t, scale: qp.scale[0], zeroPoint: qp.zeroPoint[0] });
    // not trivially so: calibrated alone, the members would differ (bb has the wider range)
    expect(new Set(members.map((t) => separate.get(t)!.compute(scheme).scale[0])).size).toBeGreaterThan(1);
    // every member's QuantizeLinear carries the shared parameters
    for (const t of members) {
      const q = compiled.model.graph.nodes.find((n) => n.opType === 'QuantizeLinear' && (n.inputs[0] === t || n.inputs[0] === `${t}_float`))!;
      expect(compiled.model.graph.initializers.get(q.inputs[1]!)!.data[0]).toBe(qp.scale[0]);
    }
    expect((await runModel(compiled.model, 'x', x4, [4, ...SAMPLE]))['y']).toHaveLength(12);
  });
});

describe('fused activations', () => {
  it('qnn-htp-w8a8-tfe fuses Conv+Relu (no Q/DQ between them); openvino-nncf-perf (no fusedActivations) quantizes the Conv output', async () => {
    const qnn = await compileForBackend(net, builtinProfiles['qnn-htp-w8a8-tfe'], calibration());
    expect(readersOf(qnn.model, nodeNamed(qnn.model, 'conv').outputs[0]!).map((n) => n.opType)).toEqual(['Relu']);
    expect(qnn.activations.map((a) => a.tensor)).not.toContain('c');
    const ov = await compileForBackend(net, builtinProfiles['openvino-nncf-perf'], calibration());
    const convOut = nodeNamed(ov.model, 'conv').outputs[0]!;
    expect(readersOf(ov.model, convOut).map((n) => n.opType)).toEqual(['QuantizeLinear']);
    expect(producerOf(ov.model, nodeNamed(ov.model, 'relu').inputs[0]!)!.opType).toBe('DequantizeLinear');
    expect(ov.activations.map((a) => a.tensor)).toContain('c');
  });
});

/** tflite-int8's weight scale per output channel, from quant-grid (s8 sym narrow per-channel half-away). */
function tfliteWeightScale(name: keyof typeof W, axis: number): Float32Array {
  const { data, dims } = W[name];
  const scheme = createScheme({ bits: 8, signed: true, symmetric: true, narrowRange: true, rounding: 'half-away', granularity: { kind: 'per-channel', axis } });
  return computeQParams(computeRanges(data, dims, scheme.granularity), scheme).scale;
}
const BIAS_OF = [
  { node: 'conv', bias: 'b1', input: 'x', weight: 'w1', axis: 0 },
  { node: 'fc1', bias: 'b2', input: 'f', weight: 'w2', axis: 0 },
  { node: 'fc2', bias: 'b4', input: 'm', weight: 'w4', axis: 1 },
] as const;

describe('biases (docs/backends.md#biases)', () => {
  it('tflite-int8: int32 codes = R_away(b / (sIn·sW[c])) behind a DequantizeLinear with scale sIn·sW[c]', async () => {
    const compiled = await compileForBackend(net, tflite, calibration());
    expect(compiled.biases.map((b) => [b.tensor, b.bits, b.stored, b.clamped])).toEqual([
      ['b1', 32, 'int32', 0],
      ['b2', 32, 'int32', 0],
      ['b4', 32, 'int32', 0],
    ]);
    for (const { node, bias, input, weight, axis } of BIAS_OF) {
      const sIn = compiled.activations.find((a) => a.tensor === input)!.scale;
      const expected = quantizedBias(B[bias].data, sIn, tfliteWeightScale(weight, axis), { bits: 32, scale: 'product', rounding: 'half-away' });
      const codes = codesOf(compiled.model, nodeNamed(compiled.model, node).inputs[2]!);
      expect(codes.dataType).toBe(6);
      expect(Array.from(codes.data as Int32Array)).toEqual(Array.from(expected.codes));
      expect(Array.from(compiled.biases.find((b) => b.tensor === bias)!.scale)).toEqual(Array.from(expected.scale));
    }
  });

  it('an 8-bit bias clamps and `clamped` counts it; vitis-dpu-pow2 8-bit pow2 biases take their own no-overflow scale', async () => {
    const bias8 = defineBackend({ ...tflite, id: 'test-bias8', bias: { bits: 8, scale: 'product', rounding: 'half-away' } });
    const compiled = await compileForBackend(net, bias8, calibration());
    let total = 0;
    for (const { node, bias, input, weight, axis } of BIAS_OF) {
      const sIn = compiled.activations.find((a) => a.tensor === input)!.scale;
      const expected = quantizedBias(B[bias].data, sIn, tfliteWeightScale(weight, axis), bias8.bias!);
      const codes = Array.from(codesOf(compiled.model, nodeNamed(compiled.model, node).inputs[2]!).data as Int32Array);
      expect(codes).toEqual(Array.from(expected.codes));
      expect(codes.every((q) => q >= -128 && q <= 127)).toBe(true);
      expect(compiled.biases.find((b) => b.tensor === bias)!.clamped).toBe(expected.clamped);
      total += expected.clamped;
    }
    expect(total).toBeGreaterThan(0);
    expect(compiled.approximations.join('\n')).toContain(`${total} bias value(s) clamped to the 8-bit bias range`);

    // Vitis: the bias is its own 8-bit power-of-two fixed-point tensor (BiasSpec 'pow2'): nothing clamps.
    const vitis = await compileForBackend(net, builtinProfiles['vitis-dpu-pow2'], calibration());
    for (const { node, bias } of BIAS_OF) {
      const amax = B[bias].data.reduce((a, v) => Math.max(a, Math.abs(v)), 0);
      const entry = vitis.biases.find((b) => b.tensor === bias)!;
      expect(entry.clamped).toBe(0);
      expect(Array.from(entry.scale).every((s) => s === 2 ** Math.ceil(Math.log2(amax / 127)))).toBe(true);
      const codes = Array.from(codesOf(vitis.model, nodeNamed(vitis.model, node).inputs[2]!).data as Int32Array);
      expect(Math.max(...codes.map(Math.abs))).toBeLessThanOrEqual(127);
      expect(Math.max(...codes.map(Math.abs))).toBeGreaterThan(63); // the scale is the tightest power of two
    }
    expect(vitis.approximations.join('\n')).not.toMatch(/clamped/);
  });

  it('tflite-16x8: 64-bit biases are baked as float32 q·s, with an approximation note', async () => {
    const compiled = await compileForBackend(net, builtinProfiles['tflite-16x8'], calibration());
    expect(compiled.biases.map((b) => [b.tensor, b.bits, b.stored])).toEqual([
      ['b1', 64, 'float32'],
      ['b2', 64, 'float32'],
      ['b4', 64, 'float32'],
    ]);
    for (const { node, bias, input, weight, axis } of BIAS_OF) {
      const sIn = compiled.activations.find((a) => a.tensor === input)!.scale;
      const expected = quantizedBias(B[bias].data, sIn, tfliteWeightScale(weight, axis), { bits: 64, scale: 'product', rounding: 'half-away' });
      const baked = compiled.model.graph.initializers.get(nodeNamed(compiled.model, node).inputs[2]!)!;
      expect(baked.dataType).toBe(1);
      expect(Array.from(baked.data as Float32Array)).toEqual(Array.from(expected.b));
    }
    expect(compiled.approximations.join('\n')).toMatch(/64-bit biases baked as float32/);
  });
});

describe('ranges and grids', () => {
  it('minRange: a large minRange widens every activation range to it (source min-range)', async () => {
    const base = await compileForBackend(net, tflite, calibration());
    const wide = await compileForBackend(net, defineBackend({ ...tflite, id: 'test-min-range', minRange: 100 }), calibration());
    const scheme = createScheme({ bits: 8, signed: true, symmetric: false, rounding: 'half-away' });
    expect(wide.activations.map((a) => a.tensor)).toEqual(base.activations.map((a) => a.tensor));
    for (const [i, a] of wide.activations.entries()) {
      const b = base.activations[i]!;
      expect(a.source).toBe('min-range');
      const lo = (-128 - b.zeroPoint) * b.scale;
      expect({ scale: a.scale, zeroPoint: a.zeroPoint }).toEqual(qparamsForRange(lo, lo + 100, scheme));
      expect((127 - a.zeroPoint) * a.scale - (-128 - a.zeroPoint) * a.scale).toBeGreaterThanOrEqual(100 * (1 - 1e-6));
      expect((127 - b.zeroPoint) * b.scale - (-128 - b.zeroPoint) * b.scale).toBeLessThan(100);
    }
  });

  it('explicit weight range [-100, 100]: codes stay within it and scale = max|w[c]| / 100', async () => {
    const ranged = defineBackend({ ...tflite, id: 'test-range', weights: { ...TFLITE_WEIGHTS, range: [-100, 100] } });
    const compiled = await compileForBackend(net, ranged, calibration());
    expect(compiled.weights.map((w) => w.tensor)).toEqual(['w1', 'w2', 'w3', 'w4']);
    for (const w of compiled.weights) {
      const { data, dims } = W[w.tensor as keyof typeof W];
      const ranges = computeRanges(data, dims, { kind: 'per-channel', axis: w.axis! });
      expect(Array.from(w.scale)).toEqual(Array.from(ranges.min, (lo, c) => Math.fround(Math.max(-lo, ranges.max[c]!) / 100)));
      const codes = Array.from(codesOf(compiled.model, w.dequantized).data as Int8Array);
      expect(Math.min(...codes)).toBeGreaterThanOrEqual(-100);
      expect(Math.max(...codes)).toBeLessThanOrEqual(100);
      expect(Math.max(...codes.map(Math.abs))).toBe(100);
    }
  });

  it('per-group weights (4-bit, blocks of 4 along the input axis): DequantizeLinear block_size, equal to quant-grid per-group fakeQuantize, runs in ORT', async () => {
    const grouped = defineBackend({ ...tflite, id: 'test-per-group', weights: { ...TFLITE_WEIGHTS, bits: 4, granularity: { kind: 'per-group', size: 4 } } });
    const compiled = await compileForBackend(net, grouped, calibration());
    expect(compiled.opset).toBe(21);
    const inputAxis = { w1: 1, w2: 1, w3: 0, w4: 0 } as const;
    expect(compiled.weights.map((w) => [w.tensor, w.axis, w.blockSize, w.elemType])).toEqual([
      ['w1', 1, 4, 'int4'],
      ['w2', 1, 4, 'int4'],
      ['w3', 0, 4, 'int4'],
      ['w4', 0, 4, 'int4'],
    ]);
    expect(compiled.biases).toEqual([]); // per-group weights have no per-channel accumulator scale: biases stay float
    const out = await runModel(
      compiled.model,
      'x',
      x4,
      [4, ...SAMPLE],
      compiled.weights.map((w) => w.dequantized),
    );
    for (const w of compiled.weights) {
      const dq = producerOf(compiled.model, w.dequantized)!;
      expect(dq.attributes['block_size']).toEqual({ type: 'int', value: 4 });
      expect(dq.attributes['axis']).toEqual({ type: 'int', value: inputAxis[w.tensor as keyof typeof W] });
      const { data, dims } = W[w.tensor as keyof typeof W];
      const granularity: Granularity = { kind: 'per-group', axis: inputAxis[w.tensor as keyof typeof W], groupSize: 4 };
      const scheme = createScheme({ bits: 4, signed: true, symmetric: true, narrowRange: true, rounding: 'half-away', granularity });
      const expected = fakeQuantize(data, dims, computeQParams(computeRanges(data, dims, granularity), scheme), scheme);
      expect(Array.from(out[w.dequantized]!)).toEqual(Array.from(expected));
    }
    expect(out['y']).toHaveLength(12);
  });
});

describe('weight-only and fp16 fallback', () => {
  it('coreml-weight-only: int8 per-channel DQ for a ≥ 2048-element weight, every tensor float16-exact, small weights stay float', async () => {
    const model = makeModel({
      input: { name: 'x', sample: [64] },
      output: 'y',
      inits: {
        wb: { dims: [48, 64], data: values(3072, 61, 0.3) },
        bb: { dims: [48], data: values(48, 62, 0.1) },
        wc: { dims: [48, 4], data: values(192, 63, 0.3) },
        bc: { dims: [4], data: values(4, 64, 0.1) },
      },
      nodes: [
        { name: 'fc1', op: 'Gemm', inputs: ['x', 'wb', 'bb'], outputs: ['h'], attrs: { transB: 1 } },
        { name: 'act', op: 'Relu', inputs: ['h'], outputs: ['hr'] },
        { name: 'fc2', op: 'Gemm', inputs: ['hr', 'wc', 'bc'], outputs: ['y'] },
      ],
    });
    const compiled = await compileForBackend(model, builtinProfiles['coreml-weight-only'], []);
    expect(compiled.coverage.map((c) => [c.node, c.numerics])).toEqual([
      ['fc1', 'weight-only'],
      ['act', 'float16'],
      ['fc2', 'float16'],
    ]);
    expect(compiled.coverage[2]!.reason).toMatch(/fewer than 2048 elements/);
    expect(compiled.weights.map((w) => [w.tensor, w.bits, w.axis, w.elemType])).toEqual([['wb', 8, 0, 'int8']]);
    expect(compiled.activations).toEqual([]);
    const dq = producerOf(compiled.model, compiled.weights[0]!.dequantized)!;
    expect(dq.attributes['axis']).toEqual({ type: 'int', value: 0 });
    expect(compiled.model.graph.initializers.get(dq.inputs[0]!)!.dataType).toBe(3);
    expect(compiled.model.graph.initializers.has('wc')).toBe(false); // rounded to float16 offline, not quantized
    expect(compiled.model.graph.nodes.filter((n) => n.opType === 'DequantizeLinear')).toHaveLength(1);

    // Every float tensor a compute node reads, and every original tensor, is exactly a float16 value.
    const compute = compiled.model.graph.nodes.filter((n) => n.opType === 'Gemm' || n.opType === 'Relu');
    const fetched = [...new Set([...compute.flatMap((n) => n.inputs).filter((t) => !compiled.model.graph.initializers.has(t)), 'h', 'hr', 'y'])];
    const out = await runModel(
      compiled.model,
      'x',
      values(4 * 64, 65, 3),
      [4, 64],
      fetched.filter((t) => t !== 'x'),
    );
    // fc1 reads rounded copies of x and of the dequantized weight; Relu and fc2 read fp16 outputs directly
    expect(fetched.sort()).toEqual(['h', 'hr', 'wb_dequantized_float16_rounded', 'x_float16_rounded', 'y']);
    for (const t of fetched.filter((t) => t !== 'x')) expect(fp16Exact(out[t]!), t).toBe(true);
    for (const t of compute.flatMap((n) => n.inputs).filter((t) => compiled.model.graph.initializers.has(t))) {
      expect(fp16Exact(compiled.model.graph.initializers.get(t)!.data as Float32Array), t).toBe(true);
    }
    expect(compiled.approximations.join('\n')).toMatch(/float16 activations/);
  });

  it('trt-int8-entropy with an op outside the profile: that node runs in fp16 (its output float16-exact)', async () => {
    const noMatMul = defineBackend({
      ...builtinProfiles['trt-int8-entropy'],
      id: 'test-trt-no-matmul',
      ops: { supported: CORE_ONNX_OPS.filter((op) => op !== 'MatMul') },
    });
    const compiled = await compileForBackend(net, noMatMul, calibration());
    const mm = compiled.coverage.find((c) => c.node === 'mm')!;
    expect([mm.numerics, mm.onAccelerator, mm.reason]).toEqual(['float16', false, 'not supported by test-trt-no-matmul → float16']);
    expect(compiled.coverage.filter((c) => c.node !== 'mm').every((c) => c.numerics === 'integer')).toBe(true);
    expect(compiled.weights.map((w) => w.tensor)).toEqual(['w1', 'w2', 'w4']);
    const node = compiled.model.graph.nodes.find((n) => n.opType === 'MatMul')!;
    const out = await runModel(compiled.model, 'x', x4, [4, ...SAMPLE], ['m', node.inputs[0]!, node.outputs[0]!]);
    expect(fp16Exact(out['m']!)).toBe(true);
    expect(fp16Exact(out[node.inputs[0]!]!)).toBe(true);
    expect(fp16Exact(compiled.model.graph.initializers.get(node.inputs[1]!)!.data as Float32Array)).toBe(true);
    // the raw float32 MatMul result is not (so the rounding is really there)
    expect(fp16Exact(out[node.outputs[0]!]!)).toBe(false);
    expect(compiled.approximations.join('\n')).toMatch(/fp16 fallback/);
  });
});

describe('mixed precision, graph preparation and placement', () => {
  it('hailo8-w4a8 with weightBits { fc1: 4 }: opset 21, int4 weight codes in [−8, 7], runs in ORT; a disallowed width errors', async () => {
    const hailo = builtinProfiles['hailo8-w4a8'];
    const compiled = await compileForBackend(net, hailo, calibration(), { weightBits: { fc1: 4 } });
    expect(compiled.opset).toBe(21);
    expect(compiled.model.opsetImports.find((o) => o.domain === '')!.version).toBe(21);
    expect(compiled.coverage.find((c) => c.node === 'fc1')!.weightBits).toBe(4);
    expect(compiled.weights.map((w) => [w.tensor, w.bits, w.elemType])).toEqual([
      ['w1', 8, 'int8'],
      ['w2', 4, 'int4'],
      ['w3', 8, 'int8'],
      ['w4', 8, 'int8'],
    ]);
    const w2 = compiled.weights[1]!;
    const codes = codesOf(compiled.model, w2.dequantized);
    expect(codes.dataType).toBe(22);
    const c = Array.from(codes.data as Int8Array);
    expect(Math.min(...c)).toBeGreaterThanOrEqual(-8);
    expect(Math.max(...c)).toBeLessThanOrEqual(7);
    expect(Math.max(...c.map(Math.abs))).toBe(7);
    const scheme = createScheme({ bits: 4, signed: true, symmetric: true, rounding: 'half-even' });
    const expected = fakeQuantize(W.w2.data, W.w2.dims, computeQParams(computeRanges(W.w2.data, W.w2.dims), scheme), scheme);
    const out = await runModel(compiled.model, 'x', x4, [4, ...SAMPLE], [w2.dequantized]);
    expect(Array.from(out[w2.dequantized]!)).toEqual(Array.from(expected));
    expect(out['y']!.every(Number.isFinite)).toBe(true);
    expect(compiled.approximations.join('\n')).toMatch(/mixed precision/);

    const bad = await errorOf(compileForBackend(net, hailo, calibration(), { weightBits: { fc1: 2 } }));
    expect(isQuantTrimError(bad, 'QT_INVALID_ARGUMENT')).toBe(true);
    expect((bad as Error).message).toMatch(/weightBits\.fc1: 2-bit weights are not allowed by hailo8-w4a8 \(allowed: 4, 8, 16\)/);
  });

  it('trainedWeightBits: each node deployed at its trained width where the profile allows it, forced widths named', async () => {
    const trained = { trainedWeightBits: { fc1: 4, w3node: 8 } };
    const hailo = await compileForBackend(net, builtinProfiles['hailo8-w4a8'], calibration(), { trainedWeightBits: { fc1: 4 } });
    expect(hailo.coverage.find((c) => c.node === 'fc1')!.weightBits).toBe(4);
    expect(hailo.approximations.join('\n')).not.toMatch(/trained at/);
    // TFLite's int8 kernels take 8-bit weights only: fc1 deployed at 8, and the report says so.
    const tflite = await compileForBackend(net, builtinProfiles['tflite-int8'], calibration(), { trainedWeightBits: { fc1: 4 } });
    expect(tflite.coverage.find((c) => c.node === 'fc1')!.weightBits).toBe(8);
    expect(tflite.approximations).toContain('1 node(s) trained at 4-bit weights deployed at 8-bit: tflite-int8 allows 8-bit weights only (fc1)');
    // explicit weightBits win; an unknown node is an error naming the option
    const explicit = await compileForBackend(net, builtinProfiles['hailo8-w4a8'], calibration(), { weightBits: { fc1: 8 }, trainedWeightBits: { fc1: 4 } });
    expect(explicit.coverage.find((c) => c.node === 'fc1')!.weightBits).toBe(8);
    const bad = await errorOf(compileForBackend(net, builtinProfiles['hailo8-w4a8'], calibration(), trained));
    expect(isQuantTrimError(bad, 'QT_INVALID_ARGUMENT')).toBe(true);
    expect((bad as Error).message).toMatch(/trainedWeightBits\.w3node: no node of that name/);
  });

  it('BatchNormalization folds into the Conv: float path equal to the original within 1e-5; foldBatchNorm: false keeps it', async () => {
    const model = makeModel({
      input: { name: 'x', sample: SAMPLE },
      output: 'y',
      inits: {
        wk: { dims: [3, 1, 3, 3], data: values(27, 71, 0.5) },
        bk: { dims: [3], data: values(3, 72, 0.1) },
        gamma: { dims: [3], data: Float32Array.from([1.5, 0.7, -0.9]) },
        beta: { dims: [3], data: Float32Array.from([0.1, -0.2, 0.05]) },
        mean: { dims: [3], data: Float32Array.from([0.3, -0.1, 0.2]) },
        var: { dims: [3], data: Float32Array.from([0.5, 2.0, 0.8]) },
      },
      nodes: [
        { name: 'conv', op: 'Conv', inputs: ['x', 'wk', 'bk'], outputs: ['c'] },
        { name: 'bn', op: 'BatchNormalization', inputs: ['c', 'gamma', 'beta', 'mean', 'var'], outputs: ['n'], attrs: { epsilon: { f: 1e-3 } } },
        { name: 'relu', op: 'Relu', inputs: ['n'], outputs: ['y'] },
      ],
    });
    const floatAll = await compileForBackend(model, tflite, calibration(), { floatNodes: ['conv', 'bn', 'relu'] });
    expect(floatAll.foldedBatchNorms).toEqual(['bn']);
    expect(floatAll.model.graph.nodes.map((n) => n.opType)).toEqual(['Conv', 'Relu']);
    expect(floatAll.coverage.map((c) => c.node)).toEqual(['conv', 'relu']);
    const ref = (await runModel(model, 'x', x4, [4, ...SAMPLE]))['y']!;
    const got = (await runModel(floatAll.model, 'x', x4, [4, ...SAMPLE]))['y']!;
    for (let i = 0; i < ref.length; i++) expect(Math.abs(got[i]! - ref[i]!)).toBeLessThanOrEqual(1e-5 * Math.max(1, Math.abs(ref[i]!)));
    expect(got.some((v, i) => v !== 0 && v === ref[i])).toBe(true);

    // quantized: BN gone, Conv+Relu fused (only x and y quantized)
    const quantized = await compileForBackend(model, tflite, calibration());
    expect(quantized.foldedBatchNorms).toEqual(['bn']);
    expect(quantized.activations.map((a) => a.tensor)).toEqual(['x', 'y']);

    const kept = await compileForBackend(model, tflite, calibration(), { foldBatchNorm: false });
    expect(kept.foldedBatchNorms).toEqual([]);
    expect(kept.model.graph.nodes.some((n) => n.opType === 'BatchNormalization' && n.name === 'bn')).toBe(true);
    expect(kept.coverage.map((c) => c.opType)).toEqual(['Conv', 'BatchNormalization', 'Relu']);
  });

  it('tflite-16x8 raises an opset-13 model to opset 21 that runs; ReduceMean is rewritten, GroupNormalization-18 blocks the upgrade', async () => {
    const compiled = await compileForBackend(net, builtinProfiles['tflite-16x8'], calibration());
    expect(net.opsetImports[0]!.version).toBe(13);
    expect(compiled.opset).toBe(21);
    expect(compiled.model.irVersion).toBeGreaterThanOrEqual(10);
    expect(compiled.activations.every((a) => a.elemType === 'int16')).toBe(true);
    const out = await runModel(compiled.model, 'x', x4, [4, ...SAMPLE]);
    expect(out['y']).toHaveLength(12);

    // ReduceMean-13's `axes` attribute is an input from opset 18 on: the node is rewritten, same function.
    const withMean = makeModel({
      input: { name: 'x', sample: SAMPLE },
      output: 'y',
      inits: { w1: W.w1, wr: { dims: [3, 4], data: values(12, 81, 0.5) } },
      nodes: [
        { name: 'conv', op: 'Conv', inputs: ['x', 'w1'], outputs: ['c'] },
        { name: 'mean', op: 'ReduceMean', inputs: ['c'], outputs: ['r'], attrs: { axes: [2, 3], keepdims: 0 } },
        { name: 'fc', op: 'Gemm', inputs: ['r', 'wr'], outputs: ['y'], attrs: { transB: 1 } },
      ],
    });
    const floatOut = (await runModel(withMean, 'x', x4, [4, ...SAMPLE]))['y']!;
    const upgraded = cloneModel(withMean);
    upgradeOpset(upgraded, 21, '16-bit activations', takenNames(upgraded));
    expect(upgraded.opsetImports[0]!.version).toBe(21);
    const mean = upgraded.graph.nodes.find((n) => n.name === 'mean')!;
    expect(mean.attributes['axes']).toBeUndefined();
    expect(Array.from(upgraded.graph.initializers.get(mean.inputs[1]!)!.data as BigInt64Array)).toEqual([2n, 3n]);
    expect((await runModel(upgraded, 'x', x4, [4, ...SAMPLE]))['y']).toEqual(floatOut);
    const compiledMean = await compileForBackend(withMean, builtinProfiles['tflite-16x8'], calibration());
    expect(compiledMean.opset).toBe(21);
    expect((await runModel(compiledMean.model, 'x', x4, [4, ...SAMPLE]))['y']).toHaveLength(12);

    // GroupNormalization-18 takes per-group scale and bias, -21 per-channel ones: no in-place upgrade.
    const withGroupNorm = makeModel({
      opset: 18,
      input: { name: 'x', sample: SAMPLE },
      output: 'y',
      inits: {
        w1: W.w1,
        gs: { dims: [2], data: Float32Array.of(1, 0.5) },
        gb: { dims: [2], data: Float32Array.of(0, 0.1) },
        wr: { dims: [3, 64], data: values(192, 81, 0.5) },
      },
      nodes: [
        { name: 'conv', op: 'Conv', inputs: ['x', 'w1'], outputs: ['c'] },
        { name: 'gn', op: 'GroupNormalization', inputs: ['c', 'gs', 'gb'], outputs: ['g'], attrs: { num_groups: 2 } },
        { name: 'flat', op: 'Flatten', inputs: ['g'], outputs: ['f'] },
        { name: 'fc', op: 'Gemm', inputs: ['f', 'wr'], outputs: ['y'], attrs: { transB: 1 } },
      ],
    });
    const err = await errorOf(compileForBackend(withGroupNorm, builtinProfiles['tflite-16x8'], calibration()));
    expect(isQuantTrimError(err, 'QT_INVALID_ARGUMENT')).toBe(true);
    expect((err as Error).message).toMatch(/GroupNormalization \('gn'\).*changed at opset 21/);
    expect((err as Error).message).toMatch(/re-export the model at opset 21/i);
  });

  it('hailo8-w4a8 graph-cut: a Transpose is cut out to the host in float32, with the reason and an approximation note', async () => {
    const model = makeModel({
      input: { name: 'x', sample: SAMPLE },
      output: 'y',
      inits: { w1: W.w1, b1: B.b1, wf: { dims: [3, 64], data: values(192, 91, 0.3) } },
      nodes: [
        { name: 'conv', op: 'Conv', inputs: ['x', 'w1', 'b1'], outputs: ['c'] },
        { name: 'transpose', op: 'Transpose', inputs: ['c'], outputs: ['t'], attrs: { perm: [0, 1, 3, 2] } },
        { name: 'flatten', op: 'Flatten', inputs: ['t'], outputs: ['fl'] },
        { name: 'fc', op: 'Gemm', inputs: ['fl', 'wf'], outputs: ['y'], attrs: { transB: 1 } },
      ],
    });
    const compiled = await compileForBackend(model, builtinProfiles['hailo8-w4a8'], calibration());
    const t = compiled.coverage.find((c) => c.node === 'transpose')!;
    expect([t.integer, t.onAccelerator, t.numerics]).toEqual([false, false, 'float32']);
    expect(t.reason).toMatch(/graph-cut/);
    expect(compiled.coverage.filter((c) => c.node !== 'transpose').every((c) => c.onAccelerator && c.integer)).toBe(true);
    // the Transpose keeps its float output (no quantizer of its own); t is quantized only where the accelerator reads it again
    expect(nodeNamed(compiled.model, 'transpose').outputs).toEqual(['t']);
    expect(readersOf(compiled.model, 't').map((n) => n.opType)).toEqual(['QuantizeLinear']);
    expect(compiled.approximations.join('\n')).toMatch(/graph-cut: 1 node\(s\) cut out to the host in float32/);
    expect((await runModel(compiled.model, 'x', x4, [4, ...SAMPLE]))['y']).toHaveLength(12);
  });

  it('floatNodes keeps a supported node in float32 with its float weight', async () => {
    const compiled = await compileForBackend(net, tflite, calibration(), { floatNodes: ['mm'] });
    const mm = compiled.coverage.find((c) => c.node === 'mm')!;
    expect([mm.integer, mm.onAccelerator, mm.numerics, mm.reason]).toEqual([false, false, 'float32', 'kept in float by the floatNodes option → float32']);
    expect(compiled.weights.map((w) => w.tensor)).toEqual(['w1', 'w2', 'w4']);
    const node = nodeNamed(compiled.model, 'mm');
    expect(node.inputs[1]).toBe('w3');
    expect(compiled.model.graph.initializers.get('w3')!.data).toEqual(W.w3.data);
    expect(node.outputs).toEqual(['m']); // not a quantized producer
    expect((await runModel(compiled.model, 'x', x4, [4, ...SAMPLE]))['y']).toHaveLength(12);
  });
});
