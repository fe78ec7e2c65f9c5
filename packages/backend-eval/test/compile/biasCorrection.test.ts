/**
 * `postQuant: ['biasCorrection']` (NNCF fast bias correction, docs/backends.md#bias-correction): the corrected
 * bias against plain-loop references (per sample, per output position), the mean-patch Conv math
 * against brute force, the end-to-end effect on openvino-nncf-perf, and the calibration-source
 * rules of the second pass.
 */
import { isQuantTrimError } from '@quant-trim/errors';
import type { OnnxModel } from '@quant-trim/onnx-export';
import { roundHalfEven } from '@quant-trim/quant-grid';
import { describe, expect, it } from 'vitest';
import { convChannelMeans, convGeometry, convPatchSums } from '../../src/compile/biasCorrection.js';
import { compileForBackend, type CompiledModel } from '../../src/compile/compileForBackend.js';
import { builtinProfiles } from '../../src/profiles/builtinProfiles.js';
import { defineBackend } from '../../src/profiles/defineBackend.js';
import { STORAGE_RANGE, fq, fround, makeModel, quantizedBias, rng, runModel, values } from './fixtures.js';

const ov = builtinProfiles['openvino-nncf-perf'];
const { postQuant: _unused, ...ovRest } = ov;
/** The same profile without the transform, for comparisons. */
const ovPlain = defineBackend({ ...ovRest, id: 'openvino-nncf-perf-no-bc' });

/** `n` float32 values uniform in [lo, hi). */
function uniform(n: number, seed: number, lo: number, hi: number): Float32Array {
  const r = rng(seed);
  return Float32Array.from({ length: n }, () => lo + (r() + 0.5) * (hi - lo));
}

/** Non-negative calibration batches (`count` × `size` samples). */
function nonNegBatches(count: number, size: number, sampleSize: number, seed: number, hi = 1): Float32Array[] {
  return Array.from({ length: count }, (_, b) => uniform(size * sampleSize, seed + 31 * b, 0, hi));
}

const concat = (parts: readonly Float32Array[]): Float32Array => {
  const out = new Float32Array(parts.reduce((a, p) => a + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
};

/** Activation params of tensor `t` as compiled, with the storage range of its element type. */
function actParams(compiled: CompiledModel, t: string): { s: number; zp: number; qmin: number; qmax: number } {
  const a = compiled.activations.find((p) => p.tensor === t)!;
  const [qmin, qmax] = STORAGE_RANGE[a.elemType]!;
  return { s: a.scale, zp: a.zeroPoint, qmin, qmax };
}

/** Narrow symmetric int8 per-channel weight (openvino-nncf-perf) with the compiled scales: `fround(clamp(R_even(fround(w/s)), ±127)·s)`. */
function dequantWeight(w: Float32Array, dims: number[], outAxis: number, scale: Float32Array): Float32Array {
  const inner = dims.slice(outAxis + 1).reduce((a, b) => a * b, 1);
  return w.map((v, i) => {
    const s = scale[Math.floor(i / inner) % dims[outAxis]!]!;
    return fround(Math.min(127, Math.max(-127, roundHalfEven(fround(v / s)))) * s);
  });
}

/** The float32 bias the compiled node adds: its DequantizeLinear codes × scale. */
function compiledBias(m: OnnxModel, node: string): Float32Array {
  const n = m.graph.nodes.find((x) => x.name === node)!;
  const dq = m.graph.nodes.find((x) => x.outputs.includes(n.inputs[2]!))!;
  expect(dq.opType).toBe('DequantizeLinear');
  const codes = m.graph.initializers.get(dq.inputs[0]!)!.data;
  const scale = m.graph.initializers.get(dq.inputs[1]!)!.data;
  return Float32Array.from(codes as Int32Array, (q, c) => fround(q * Number(scale[c])));
}

/** Brute-force per-channel mean of a 2-D Conv output, position by position (float64), groups / pads / strides / dilations. */
function convMeansBrute(
  x: Float32Array,
  [n, c, h, w]: number[],
  wt: Float32Array,
  [m, cg, kh, kw]: number[],
  bias: ArrayLike<number>,
  { strides = [1, 1], pads = [0, 0, 0, 0], dilations = [1, 1], group = 1 }: { strides?: number[]; pads?: number[]; dilations?: number[]; group?: number },
): Float64Array {
  const [sy, sx] = strides as [number, number];
  const [dy, dx] = dilations as [number, number];
  const oh = Math.floor((h! + pads[0]! + pads[2]! - (dy * (kh! - 1) + 1)) / sy) + 1;
  const ow = Math.floor((w! + pads[1]! + pads[3]! - (dx * (kw! - 1) + 1)) / sx) + 1;
  const mean = new Float64Array(m!);
  for (let oc = 0; oc < m!; oc++) {
    const g = Math.floor(oc / (m! / group));
    let total = 0;
    for (let b = 0; b < n!; b++)
      for (let i = 0; i < oh; i++)
        for (let j = 0; j < ow; j++) {
          let acc = bias[oc]!;
          for (let ic = 0; ic < cg!; ic++)
            for (let u = 0; u < kh!; u++)
              for (let v = 0; v < kw!; v++) {
                const yy = i * sy - pads[0]! + u * dy;
                const xx = j * sx - pads[1]! + v * dx;
                if (yy < 0 || yy >= h! || xx < 0 || xx >= w!) continue;
                acc += x[((b * c! + g * cg! + ic) * h! + yy) * w! + xx]! * wt[((oc * cg! + ic) * kh! + u) * kw! + v]!;
              }
          total += acc;
        }
    mean[oc] = total / (n! * oh * ow);
  }
  return mean;
}

const errorOf = (p: Promise<unknown>) =>
  p.then(
    () => undefined,
    (e: unknown) => e,
  );

describe('biasCorrection: corrected bias = float-vs-quant mean difference', () => {
  // x ≥ 0 → fc1 (Gemm, bias) → Relu → fc2 (Gemm transB, no bias) → y
  // fc1's weight [K=4, N=4]: column 0 is a grid trap (s = 1/127, 0.3 sits at 38.1 codes, so every 0.3
  // rounds down to 38/127) and columns 0 and 3 are all positive; with x ≥ 0 and the mean-min/max input
  // range clipping the largest inputs, their quantized outputs are systematically low.
  const w1 = Float32Array.from([1, 0.2, -0.45, 0.5, 0.3, 0.1, 0.3, 0.33, 0.3, 0.3, 0.123, 0.6, 0.3, 0.9, 0.41, 0.17]);
  const b1 = Float32Array.from([0.05, -0.1, 0.2, 0]); // a zero bias value: still corrected
  const w2 = values(3 * 4, 71, 0.8); // [3, 4], transB
  const model = makeModel({
    input: { name: 'x', sample: [4] },
    output: 'y',
    inits: { w1: { dims: [4, 4], data: w1 }, b1: { dims: [4], data: b1 }, w2: { dims: [3, 4], data: w2 } },
    nodes: [
      { name: 'fc1', op: 'Gemm', inputs: ['x', 'w1', 'b1'], outputs: ['g'] },
      { name: 'relu', op: 'Relu', inputs: ['g'], outputs: ['r'] },
      { name: 'fc2', op: 'Gemm', inputs: ['r', 'w2'], outputs: ['y'], attrs: { transB: 1 } },
    ],
  });
  const data = nonNegBatches(3, 50, 4, 901);

  it('Gemm with a bias and a bias-less Gemm (zero bias added): shift = mean over samples of (x·W + b) − (x̂·Ŵ + b̂), plain loops', async () => {
    const compiled = await compileForBackend(model, ov, data);
    expect(compiled.biasCorrections.map((c) => [c.node, c.tensor, c.added, c.channels])).toEqual([
      ['fc1', 'b1', false, 4],
      ['fc2', 'fc2_bias', true, 3],
    ]);
    const x = concat(data);
    const rows = x.length / 4;
    const r = (await runModel(model, 'x', x, [rows, 4], ['r']))['r']!;
    const wq = (t: string) => compiled.weights.find((w) => w.tensor === t)!;
    const cases = [
      { node: 'fc1', input: x, inputName: 'x', w: w1, dims: [4, 4], transB: false, b: b1, n: 4 },
      { node: 'fc2', input: r, inputName: 'r', w: w2, dims: [3, 4], transB: true, b: new Float32Array(3), n: 3 },
    ];
    for (const c of cases) {
      const p = actParams(compiled, c.inputName);
      const entry = wq(c.node === 'fc1' ? 'w1' : 'w2');
      const what = dequantWeight(c.w, c.dims, c.transB ? 0 : 1, entry.scale);
      const bhat = quantizedBias(c.b, p.s, entry.scale, ov.bias!).b;
      const xhat = fq(c.input, p.s, p.zp, p.qmin, p.qmax, 'half-even');
      const at = (w: Float32Array, k: number, j: number) => w[c.transB ? j * 4 + k : k * c.n + j]!;
      const expected = new Float64Array(c.n);
      for (let j = 0; j < c.n; j++) {
        let sf = 0;
        let sq = 0;
        for (let i = 0; i < rows; i++) {
          let yf = c.b[j]!;
          let yq = bhat[j]!;
          for (let k = 0; k < 4; k++) {
            yf += c.input[i * 4 + k]! * at(c.w, k, j);
            yq += xhat[i * 4 + k]! * at(what, k, j);
          }
          sf += yf;
          sq += yq;
        }
        expected[j] = (sf - sq) / rows;
      }
      const got = compiled.biasCorrections.find((b) => b.node === c.node)!;
      for (let j = 0; j < c.n; j++) expect(got.shift[j]).toBeCloseTo(expected[j]!, 7);
      expect(got.maxAbsShift).toBe(Math.max(...Array.from(got.shift, Math.abs)));
      // the compiled model adds the corrected bias b + shift, quantized at sIn·sW[c] (within half a bias LSB)
      const added = compiledBias(compiled.model, c.node);
      for (let j = 0; j < c.n; j++)
        expect(Math.abs(added[j]! - (c.b[j]! + got.shift[j]!))).toBeLessThanOrEqual(0.5001 * fround(p.s * entry.scale[entry.scale.length === 1 ? 0 : j]!));
    }
    // the systematic error is caught: channels 0 and 3 (all-positive weights, x ≥ 0) are corrected upwards
    const fc1 = compiled.biasCorrections[0]!;
    expect(fc1.shift[0]).toBeGreaterThan(0);
    expect(fc1.shift[3]).toBeGreaterThan(0);
    // and the compiled layer's mean output over the calibration data now matches the float one on every channel
    const preQuant = (m: OnnxModel, t: string) =>
      m.graph.nodes.find((n) => n.opType === 'QuantizeLinear' && m.graph.nodes.some((d) => d.outputs.includes(t) && d.inputs[0] === n.outputs[0]))!.inputs[0]!;
    const meanOf = (v: Float32Array, n: number) =>
      Array.from({ length: n }, (_, j) => v.filter((_, i) => i % n === j).reduce((a, b) => a + b, 0) / (v.length / n));
    const gFloat = meanOf((await runModel(model, 'x', x, [rows, 4], ['g']))['g']!, 4);
    const plain = await compileForBackend(model, ovPlain, data);
    const gCorrected = meanOf((await runModel(compiled.model, 'x', x, [rows, 4], [preQuant(compiled.model, 'g')]))[preQuant(compiled.model, 'g')]!, 4);
    const gPlain = meanOf((await runModel(plain.model, 'x', x, [rows, 4], [preQuant(plain.model, 'g')]))[preQuant(plain.model, 'g')]!, 4);
    for (let j = 0; j < 4; j++)
      expect(Math.abs(gCorrected[j]! - gFloat[j]!)).toBeLessThan(1e-5 + 0.05 * Math.abs(gPlain[j]! - gFloat[j]!) + 0.5 * compiled.biases[0]!.scale[j]!);
    for (const j of [0, 3]) expect(Math.abs(gPlain[j]! - gFloat[j]!)).toBeGreaterThan(10 * Math.abs(gCorrected[j]! - gFloat[j]!));
  });
});

describe('biasCorrection: Conv mean-patch math', () => {
  const geometryCases = [
    { name: 'pads 1, stride 2', sample: [3, 7, 6], w: [4, 3, 3, 3], attrs: { pads: [1, 1, 1, 1], strides: [2, 2] }, group: 1 },
    {
      name: 'asymmetric pads, stride 2, dilation 2',
      sample: [2, 9, 8],
      w: [3, 2, 3, 2],
      attrs: { pads: [2, 0, 1, 1], strides: [2, 3], dilations: [2, 1] },
      group: 1,
    },
    { name: 'depthwise 3x3, pads 1, stride 2', sample: [4, 6, 6], w: [4, 1, 3, 3], attrs: { pads: [1, 1, 1, 1], strides: [2, 2], group: 4 }, group: 4 },
    { name: 'grouped (2 groups, 2 outputs per group), no pads', sample: [4, 5, 5], w: [4, 2, 2, 2], attrs: { group: 2 }, group: 2 },
  ];
  for (const g of geometryCases) {
    it(`${g.name}: W·(mean patch) + b equals the brute-force per-position mean`, () => {
      const n = 3;
      const size = g.sample.reduce((a, b) => a * b, 1);
      const x = values(n * size, 17, 1.5);
      const wt = values(
        g.w.reduce((a, b) => a * b, 1),
        19,
        0.6,
      );
      const bias = values(g.w[0]!, 23, 0.2);
      const node = {
        name: 'conv',
        opType: 'Conv',
        domain: '',
        inputs: ['x', 'w', 'b'],
        outputs: ['y'],
        attributes: Object.fromEntries(
          Object.entries(g.attrs).map(([k, v]) => [k, typeof v === 'number' ? { type: 'int' as const, value: v } : { type: 'ints' as const, value: v }]),
        ),
      };
      const sums = new Float64Array(size);
      for (let b = 0; b < n; b++) for (let i = 0; i < size; i++) sums[i]! += x[b * size + i]!;
      const geometry = convGeometry(node, g.w, g.sample);
      const means = convChannelMeans(convPatchSums(sums, g.sample, geometry), n * geometry.positions, wt, g.w, g.group, bias);
      const brute = convMeansBrute(x, [n, ...g.sample], wt, g.w, bias, { ...g.attrs, group: g.group });
      for (let c = 0; c < g.w[0]!; c++) expect(means[c]).toBeCloseTo(brute[c]!, 10);
    });
  }

  it('SAME_UPPER / SAME_LOWER / VALID match explicit pads', () => {
    const sample = [2, 7, 8];
    const w = [2, 2, 4, 3];
    const x = values(2 * 112, 29, 1);
    const wt = values(48, 31, 0.5);
    const bias = [0.1, -0.2];
    const sums = new Float64Array(112);
    for (let i = 0; i < 224; i++) sums[i % 112]! += x[i]!;
    const mk = (attributes: Record<string, { type: 'ints'; value: number[] } | { type: 'string'; value: string }>) => ({
      name: 'c',
      opType: 'Conv',
      domain: '',
      inputs: [],
      outputs: [],
      attributes,
    });
    const strides = { type: 'ints' as const, value: [2, 2] };
    const viaNode = (attributes: Parameters<typeof mk>[0]) => {
      const geometry = convGeometry(mk({ strides, ...attributes }), w, sample);
      return convChannelMeans(convPatchSums(sums, sample, geometry), 2 * geometry.positions, wt, w, 1, bias);
    };
    // H 7, k 4, s 2: out 4, total pad 3 → upper [1, 2], lower [2, 1]; W 8, k 3, s 2: out 4, total pad 1 → upper [0, 1], lower [1, 0]
    const cases: [Parameters<typeof mk>[0], number[]][] = [
      [{ auto_pad: { type: 'string', value: 'SAME_UPPER' } }, [1, 0, 2, 1]],
      [{ auto_pad: { type: 'string', value: 'SAME_LOWER' } }, [2, 1, 1, 0]],
      [{ auto_pad: { type: 'string', value: 'VALID' } }, [0, 0, 0, 0]],
    ];
    for (const [attributes, pads] of cases) {
      const got = viaNode(attributes);
      const brute = convMeansBrute(x, [2, ...sample], wt, w, bias, { strides: [2, 2], pads });
      for (let c = 0; c < 2; c++) expect(got[c]).toBeCloseTo(brute[c]!, 10);
    }
  });

  it('end to end: a padded stride-2 Conv and a depthwise Conv get shift = brute-force mean(conv(x, W) + b) − mean(conv(x̂, Ŵ) + b̂)', async () => {
    const sample = [3, 8, 8];
    const w1 = values(6 * 3 * 9, 41, 0.5);
    const b1 = values(6, 42, 0.1);
    const w2 = values(6 * 9, 43, 0.7);
    const b2 = values(6, 44, 0.1);
    const model = makeModel({
      input: { name: 'x', sample },
      output: 'y',
      inits: { w1: { dims: [6, 3, 3, 3], data: w1 }, b1: { dims: [6], data: b1 }, w2: { dims: [6, 1, 3, 3], data: w2 }, b2: { dims: [6], data: b2 } },
      nodes: [
        { name: 'conv', op: 'Conv', inputs: ['x', 'w1', 'b1'], outputs: ['c'], attrs: { pads: [1, 1, 1, 1], strides: [2, 2] } },
        { name: 'relu', op: 'Relu', inputs: ['c'], outputs: ['r'] },
        { name: 'dw', op: 'Conv', inputs: ['r', 'w2', 'b2'], outputs: ['y'], attrs: { pads: [1, 1, 1, 1], group: 6 } },
      ],
    });
    const data = nonNegBatches(2, 20, 192, 303, 2);
    const compiled = await compileForBackend(model, ov, data);
    expect(compiled.biasCorrections.map((c) => c.node)).toEqual(['conv', 'dw']);
    const x = concat(data);
    const n = 40;
    const r = (await runModel(model, 'x', x, [n, ...sample], ['r']))['r']!;
    const cases = [
      {
        node: 'conv',
        input: x,
        inputName: 'x',
        dims: [n, 3, 8, 8],
        w: w1,
        wDims: [6, 3, 3, 3],
        b: b1,
        opts: { pads: [1, 1, 1, 1], strides: [2, 2] },
        wName: 'w1',
      },
      { node: 'dw', input: r, inputName: 'r', dims: [n, 6, 4, 4], w: w2, wDims: [6, 1, 3, 3], b: b2, opts: { pads: [1, 1, 1, 1], group: 6 }, wName: 'w2' },
    ];
    for (const c of cases) {
      const p = actParams(compiled, c.inputName);
      const entry = compiled.weights.find((w) => w.tensor === c.wName)!;
      const xhat = fq(c.input, p.s, p.zp, p.qmin, p.qmax, 'half-even');
      const what = dequantWeight(c.w, c.wDims, 0, entry.scale);
      const bhat = quantizedBias(c.b, p.s, entry.scale, ov.bias!).b;
      const mf = convMeansBrute(c.input, c.dims, c.w, c.wDims, c.b, c.opts);
      const mq = convMeansBrute(xhat, c.dims, what, c.wDims, bhat, c.opts);
      const got = compiled.biasCorrections.find((b) => b.node === c.node)!;
      for (let j = 0; j < 6; j++) expect(got.shift[j]).toBeCloseTo(mf[j]! - mq[j]!, 6);
      expect(got.maxAbsShift).toBeGreaterThan(0);
    }
  });
});

describe('biasCorrection end to end (openvino-nncf-perf)', () => {
  // x[N,3,8,8] ≥ 0 → conv1 (3→8, pads 1) → Relu → dw (depthwise, stride 2) → Relu → pw (1x1, no bias) → Relu → GAP → Flatten → fc → y[N,5]
  const sample = [3, 8, 8];
  const model = makeModel({
    input: { name: 'x', sample },
    output: 'y',
    inits: {
      w1: { dims: [8, 3, 3, 3], data: values(216, 61, 0.4) },
      b1: { dims: [8], data: values(8, 62, 0.2) },
      w2: { dims: [8, 1, 3, 3], data: values(72, 63, 0.6) },
      b2: { dims: [8], data: values(8, 64, 0.2) },
      w3: { dims: [8, 8, 1, 1], data: values(64, 65, 0.7) },
      w4: { dims: [5, 8], data: values(40, 66, 0.8) },
      b4: { dims: [5], data: values(5, 67, 0.1) },
    },
    nodes: [
      { name: 'conv1', op: 'Conv', inputs: ['x', 'w1', 'b1'], outputs: ['c1'], attrs: { pads: [1, 1, 1, 1] } },
      { name: 'relu1', op: 'Relu', inputs: ['c1'], outputs: ['r1'] },
      { name: 'dw', op: 'Conv', inputs: ['r1', 'w2', 'b2'], outputs: ['c2'], attrs: { pads: [1, 1, 1, 1], strides: [2, 2], group: 8 } },
      { name: 'relu2', op: 'Relu', inputs: ['c2'], outputs: ['r2'] },
      { name: 'pw', op: 'Conv', inputs: ['r2', 'w3'], outputs: ['c3'] },
      { name: 'relu3', op: 'Relu', inputs: ['c3'], outputs: ['r3'] },
      { name: 'gap', op: 'GlobalAveragePool', inputs: ['r3'], outputs: ['p'] },
      { name: 'flatten', op: 'Flatten', inputs: ['p'], outputs: ['f'] },
      { name: 'fc', op: 'Gemm', inputs: ['f', 'w4', 'b4'], outputs: ['y'], attrs: { transB: 1 } },
    ],
  });
  const data = nonNegBatches(4, 32, 192, 505, 1.5);
  const x = concat(data);
  const n = 128;
  const layers = [
    { tensor: 'c1', channels: 8 },
    { tensor: 'c2', channels: 8 },
    { tensor: 'c3', channels: 8 },
    { tensor: 'y', channels: 5 },
  ];

  /** Per-channel means over samples and positions of the layer outputs before their output quantizer. */
  async function layerMeans(m: OnnxModel): Promise<Map<string, number[]>> {
    const raw = (t: string) => {
      const dq = m.graph.nodes.find((d) => d.outputs.includes(t) && d.opType === 'DequantizeLinear');
      if (dq === undefined) return t;
      return m.graph.nodes.find((q) => q.opType === 'QuantizeLinear' && q.outputs[0] === dq.inputs[0])!.inputs[0]!;
    };
    const names = layers.map((l) => raw(l.tensor));
    const out = await runModel(
      m,
      'x',
      x,
      [n, ...sample],
      names.filter((t) => t !== 'y'),
    );
    return new Map(
      layers.map((l, i) => {
        const v = out[names[i]!]!;
        const per = v.length / n / l.channels;
        const means = Array.from({ length: l.channels }, (_, c) => {
          let s = 0;
          for (let b = 0; b < n; b++) for (let k = 0; k < per; k++) s += v[(b * l.channels + c) * per + k]!;
          return s / (n * per);
        });
        return [l.tensor, means];
      }),
    );
  }

  it('layer output means match the float model far better than without correction; output drift does not grow', async () => {
    const corrected = await compileForBackend(model, ov, data);
    const plain = await compileForBackend(model, ovPlain, data);
    expect(corrected.biasCorrections.map((c) => [c.node, c.added])).toEqual([
      ['conv1', false],
      ['dw', false],
      ['pw', true],
      ['fc', false],
    ]);
    expect(plain.biasCorrections).toEqual([]);
    expect(corrected.approximations.some((a) => a.startsWith('transforms not applied'))).toBe(false);
    expect(corrected.approximations.some((a) => a.startsWith('biasCorrection: 4 Conv/Gemm bias(es) corrected (1 zero bias(es) added)'))).toBe(true);
    expect(plain.approximations.some((a) => a.includes('biasCorrection'))).toBe(false);

    const fl = await layerMeans(model);
    const [mc, mp] = [await layerMeans(corrected.model), await layerMeans(plain.model)];
    let errCorrected = 0;
    let errPlain = 0;
    for (const l of layers) {
      const ec = fl.get(l.tensor)!.reduce((a, v, c) => a + Math.abs(mc.get(l.tensor)![c]! - v), 0) / l.channels;
      const ep = fl.get(l.tensor)!.reduce((a, v, c) => a + Math.abs(mp.get(l.tensor)![c]! - v), 0) / l.channels;
      console.info(`${l.tensor}: mean |Δ channel mean| corrected ${ec.toExponential(3)}, uncorrected ${ep.toExponential(3)}`);
      expect(ec, l.tensor).toBeLessThan(ep);
      errCorrected += ec;
      errPlain += ep;
    }
    expect(errCorrected).toBeLessThan(0.25 * errPlain);

    // output drift vs the float model on held-out inputs: MSE and top-1 agreement no worse
    const held = uniform(n * 192, 9090, 0, 1.5);
    const yf = (await runModel(model, 'x', held, [n, ...sample]))['y']!;
    const yc = (await runModel(corrected.model, 'x', held, [n, ...sample]))['y']!;
    const yp = (await runModel(plain.model, 'x', held, [n, ...sample]))['y']!;
    const mse = (a: Float32Array) => a.reduce((s, v, i) => s + (v - yf[i]!) ** 2, 0) / a.length;
    const argmax = (a: Float32Array, b: number) => {
      let best = 0;
      for (let j = 1; j < 5; j++) if (a[b * 5 + j]! > a[b * 5 + best]!) best = j;
      return best;
    };
    const agree = (a: Float32Array) => Array.from({ length: n }, (_, b) => argmax(a, b) === argmax(yf, b)).filter(Boolean).length;
    console.info(
      `output MSE vs float: corrected ${mse(yc).toExponential(3)}, uncorrected ${mse(yp).toExponential(3)}; top-1 agreement ${agree(yc)} vs ${agree(yp)} of ${n}`,
    );
    expect(mse(yc)).toBeLessThanOrEqual(mse(yp));
    expect(agree(yc)).toBeGreaterThanOrEqual(agree(yp));
  });

  it('no biasCorrections for profiles without the transform; a dynamic profile listing it keeps it under "transforms not applied"', async () => {
    const tflite = await compileForBackend(model, builtinProfiles['tflite-int8'], data);
    expect(tflite.biasCorrections).toEqual([]);
    // a dynamic profile listing biasCorrection keeps it under "transforms not applied"
    const dyn = defineBackend({ ...builtinProfiles['ort-dynamic-u8s8'], id: 'dynamic-with-bc', postQuant: ['biasCorrection'] });
    const d = await compileForBackend(model, dyn, []);
    expect(d.biasCorrections).toEqual([]);
    expect(d.approximations).toContain('transforms not applied: biasCorrection');
  });
});

describe('biasCorrection: calibration sources of the second pass', () => {
  const model = makeModel({
    input: { name: 'x', sample: [6] },
    output: 'y',
    inits: { w: { dims: [6, 4], data: values(24, 81, 0.5) }, b: { dims: [4], data: values(4, 82, 0.1) } },
    nodes: [{ name: 'fc', op: 'Gemm', inputs: ['x', 'w', 'b'], outputs: ['y'] }],
  });
  // 5 batches of 80 = 400 samples: the 300-sample limit cuts the fourth batch
  const arrays = nonNegBatches(5, 80, 6, 1234);
  function* oneShot(): Generator<Float32Array> {
    for (const b of arrays) yield b.slice(); // fresh buffers each time, as a reader would
  }
  async function* asyncOneShot(): AsyncGenerator<Float32Array> {
    for (const b of arrays) yield b.slice();
  }

  it('a one-shot generator (sync or async) is buffered (model inputs only, ≤ calibration.samples): same result as an Array read twice', async () => {
    const fromArray = await compileForBackend(model, ov, arrays);
    const fromGen = await compileForBackend(model, ov, oneShot());
    const fromAsync = await compileForBackend(model, ov, asyncOneShot());
    expect(fromArray.calibration.samples).toBe(300);
    expect(fromArray.biasCorrections).toHaveLength(1);
    for (const other of [fromGen, fromAsync]) {
      expect(other.calibration).toMatchObject({ samples: 300, batches: 4 });
      expect(Array.from(other.biasCorrections[0]!.shift)).toEqual(Array.from(fromArray.biasCorrections[0]!.shift));
      expect(other.bytes()).toEqual(fromArray.bytes());
    }
    // the correction really uses exactly the first 300 samples
    const first300 = await compileForBackend(model, ov, [concat(arrays).subarray(0, 300 * 6)]);
    expect(Array.from(first300.biasCorrections[0]!.shift)).toEqual(Array.from(fromArray.biasCorrections[0]!.shift));
  });

  it('options.calibrationAgain is used for the second pass (called once); fewer samples there is a coded error', async () => {
    let calls = 0;
    const again = () => {
      calls++;
      return oneShot();
    };
    const withAgain = await compileForBackend(model, ov, oneShot(), { calibrationAgain: again });
    expect(calls).toBe(1);
    const fromArray = await compileForBackend(model, ov, arrays);
    expect(withAgain.bytes()).toEqual(fromArray.bytes());

    const short = await errorOf(compileForBackend(model, ov, oneShot(), { calibrationAgain: () => arrays.slice(0, 2) }));
    expect(isQuantTrimError(short) && short.code).toBe('QT_INVALID_ARGUMENT');
    expect((short as Error).message).toMatch(
      /biasCorrection: the second pass .* saw 160 samples, the calibration pass 300; options.calibrationAgain must yield the same batches again/,
    );
    // profiles without the transform never call it
    let plainCalls = 0;
    await compileForBackend(model, ovPlain, oneShot(), { calibrationAgain: () => (plainCalls++, arrays) });
    expect(plainCalls).toBe(0);
  });
});
