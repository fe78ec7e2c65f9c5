/**
 * `preQuant: ['equalization']` (cross-layer equalization, Nagel et al. 2019; docs/backends.md#hailo8-w4a8,
 * docs/backends.md#cross-layer-equalization): the equalized float model computes the same function, every equalized channel ends with
 * equal producer-output / consumer-input ranges, non-homogeneous activations, shared weights and
 * fan-outs are skipped with a reason, and a strongly unbalanced model quantizes better with it.
 */
import type { OnnxModel } from '@quant-trim/onnx-export';
import { describe, expect, it } from 'vitest';
import { compileForBackend, type CompiledModel } from '../../src/compile/compileForBackend.js';
import { equalize } from '../../src/compile/equalization.js';
import { builtinProfiles } from '../../src/profiles/builtinProfiles.js';
import { defineBackend } from '../../src/profiles/defineBackend.js';
import { batches, makeModel, net, runModel, values, type ModelSpec } from './fixtures.js';

const hailo = builtinProfiles['hailo8-w4a8'];
const { preQuant: _unused, ...hailoRest } = hailo;
/** The same profile without the transform, for comparisons. */
const hailoPlain = defineBackend({ ...hailoRest, id: 'hailo8-w4a8-no-eq' });

/** `values(n, seed, amp)` with slice `c` along `axis` of `dims` multiplied by `gain[c]`. */
function unbalanced(dims: number[], axis: number, gain: readonly number[], seed: number, amp = 0.5): Float32Array {
  const inner = dims.slice(axis + 1).reduce((a, b) => a * b, 1);
  const n = dims.reduce((a, b) => a * b, 1);
  return values(n, seed, amp).map((v, i) => v * gain[Math.floor(i / inner) % dims[axis]!]!);
}

/** `max |w[slice c along axis]|` per channel. */
function ranges(w: ArrayLike<number>, dims: readonly number[], axis: number): number[] {
  const inner = dims.slice(axis + 1).reduce((a, b) => a * b, 1);
  const out = new Array<number>(dims[axis]!).fill(0);
  for (let i = 0; i < w.length; i++) {
    const c = Math.floor(i / inner) % dims[axis]!;
    out[c] = Math.max(out[c]!, Math.abs(w[i]!));
  }
  return out;
}

const init = (m: OnnxModel, name: string) => m.graph.initializers.get(name)!;
const allFloat = (spec: ModelSpec) => ({ floatNodes: spec.nodes.map((n) => n.name) });
const sampleSize = (spec: ModelSpec) => spec.input.sample.reduce((a, b) => a * b, 1);
const calibration = (spec: ModelSpec) => batches(2, 16, sampleSize(spec), 11);

/** Max |a − b| relative to max |b|. */
function relError(a: Float32Array, b: Float32Array): number {
  let d = 0;
  let m = 0;
  for (let i = 0; i < b.length; i++) {
    d = Math.max(d, Math.abs(a[i]! - b[i]!));
    m = Math.max(m, Math.abs(b[i]!));
  }
  return d / m;
}

function sqnrDb(q: Float32Array, ref: Float32Array): number {
  let s = 0;
  let e = 0;
  for (let i = 0; i < ref.length; i++) {
    s += ref[i]! ** 2;
    e += (q[i]! - ref[i]!) ** 2;
  }
  return 10 * Math.log10(s / e);
}

/** The float model and the compiled all-float model agree within 1e-5 of the output range on 8 held-out samples. */
async function expectSameFunction(spec: ModelSpec, compiled: CompiledModel): Promise<void> {
  const x = values(8 * sampleSize(spec), 4242, 2);
  const dims = [8, ...spec.input.sample];
  const ref = (await runModel(makeModel(spec), spec.input.name, x, dims))[spec.output]!;
  const got = (await runModel(compiled.model, spec.input.name, x, dims))[spec.output]!;
  expect(relError(got, ref)).toBeLessThan(1e-5);
  expect(got.some((v, i) => v !== ref[i])).toBe(true); // the weights really changed
}

// conv1 output channels span 0.02 … 8 and conv2 input channels 0.1 … 5, the other way round
const convSpec: ModelSpec = {
  input: { name: 'x', sample: [2, 7, 7] },
  output: 'y',
  inits: {
    w1: { dims: [4, 2, 3, 3], data: unbalanced([4, 2, 3, 3], 0, [8, 0.02, 1, 0.3], 1) },
    b1: { dims: [4], data: Float32Array.from([0.5, 0.01, -0.1, 0.05]) },
    w2: { dims: [3, 4, 3, 3], data: unbalanced([3, 4, 3, 3], 1, [0.1, 5, 1, 2], 2) },
    b2: { dims: [3], data: values(3, 3, 0.1) },
  },
  nodes: [
    { name: 'conv1', op: 'Conv', inputs: ['x', 'w1', 'b1'], outputs: ['c1'], attrs: { pads: [1, 1, 1, 1] } },
    { name: 'relu', op: 'Relu', inputs: ['c1'], outputs: ['r'] },
    { name: 'conv2', op: 'Conv', inputs: ['r', 'w2', 'b2'], outputs: ['y'], attrs: { strides: [2, 2] } },
  ],
};

/** fc1 (transB1) → act → fc2 (transB2), 8 → 5 → 3, unbalanced on the 5 middle channels. */
function gemmSpec(transB1: boolean, transB2: boolean, act: string): ModelSpec {
  const d1 = transB1 ? [5, 8] : [8, 5];
  const d2 = transB2 ? [3, 5] : [5, 3];
  return {
    input: { name: 'x', sample: [8] },
    output: 'y',
    inits: {
      w1: { dims: d1, data: unbalanced(d1, transB1 ? 0 : 1, [6, 0.05, 1, 0.2, 3], 11) },
      b1: { dims: [5], data: Float32Array.from([0.3, 0.002, -0.05, 0.01, 0.2]) },
      w2: { dims: d2, data: unbalanced(d2, transB2 ? 1 : 0, [0.2, 4, 1, 0.5, 0.05], 12) },
      b2: { dims: [3], data: values(3, 13, 0.1) },
    },
    nodes: [
      { name: 'fc1', op: 'Gemm', inputs: ['x', 'w1', 'b1'], outputs: ['g'], attrs: transB1 ? { transB: 1 } : {} },
      { name: 'act', op: act, inputs: ['g'], outputs: ['a'], ...(act === 'LeakyRelu' ? { attrs: { alpha: { f: 0.1 } } } : {}) },
      { name: 'fc2', op: 'Gemm', inputs: ['a', 'w2', 'b2'], outputs: ['y'], attrs: transB2 ? { transB: 1 } : {} },
    ],
  };
}

/** Checks r1 = r2 per channel in the compiled model and the reported scales against √(r1/r2) of the original. */
function expectBalanced(spec: ModelSpec, compiled: CompiledModel, axes: { w1: number; w2: number }): void {
  const [w1, w2, b1] = [spec.inits['w1']!, spec.inits['w2']!, spec.inits['b1']!];
  const r1 = ranges(w1.data, w1.dims, axes.w1);
  const r2 = ranges(w2.data, w2.dims, axes.w2);
  const s = r1.map((r, i) => Math.sqrt(r / r2[i]!));
  const e1 = ranges(init(compiled.model, 'w1').data as Float32Array, w1.dims, axes.w1);
  const e2 = ranges(init(compiled.model, 'w2').data as Float32Array, w2.dims, axes.w2);
  for (let i = 0; i < r1.length; i++) {
    expect(Math.abs(e1[i]! - e2[i]!) / e2[i]!, `channel ${i}`).toBeLessThan(1e-6);
    expect(e1[i]! / Math.sqrt(r1[i]! * r2[i]!)).toBeCloseTo(1, 6);
    expect((init(compiled.model, 'b1').data[i] as number) * s[i]!).toBeCloseTo(b1.data[i]!, 6);
  }
  const eq = compiled.equalized[0]!;
  expect(eq.channels).toBe(r1.length);
  expect(eq.maxScale).toBeCloseTo(Math.max(...s), 6);
  expect(eq.minScale).toBeCloseTo(Math.min(...s), 6);
  expect(eq.maxScale / eq.minScale).toBeGreaterThan(10); // really unbalanced before
}

describe('equalization: same float function, balanced channel ranges', () => {
  it('Conv → Relu → Conv (hailo8-w4a8, all nodes float): r1[i] = r2[i], b1/s, outputs within 1e-5', async () => {
    const compiled = await compileForBackend(makeModel(convSpec), hailo, calibration(convSpec), allFloat(convSpec));
    expect(compiled.equalized).toHaveLength(1);
    expect(compiled.equalized[0]).toMatchObject({ producer: 'conv1', activation: 'relu', consumer: 'conv2', channels: 4 });
    expectBalanced(convSpec, compiled, { w1: 0, w2: 1 });
    await expectSameFunction(convSpec, compiled);
    const notes = compiled.approximations.join('\n');
    expect(notes).toMatch(/equalization: 1 layer pair\(s\) equalized in 1 pass\(es\)/);
    expect(notes).toMatch(/transforms not applied: finetune$/m); // equalization ran, finetune did not
    // the profile without preQuant leaves the weights alone
    const plain = await compileForBackend(makeModel(convSpec), hailoPlain, calibration(convSpec), allFloat(convSpec));
    expect(plain.equalized).toEqual([]);
    expect(Array.from(init(plain.model, 'w1').data as Float32Array)).toEqual(Array.from(convSpec.inits['w1']!.data));
    expect(plain.approximations.join('\n')).not.toMatch(/equalization/);
  });

  for (const [transB1, transB2, act] of [
    [true, false, 'Relu'],
    [false, true, 'Relu'],
    [true, true, 'LeakyRelu'],
    [false, false, 'PRelu'],
  ] as const) {
    it(`Gemm(transB ${Number(transB1)}) → ${act} → Gemm(transB ${Number(transB2)}): r1[i] = r2[i], outputs within 1e-5`, async () => {
      const spec = gemmSpec(transB1, transB2, act);
      if (act === 'PRelu') {
        spec.inits['slope'] = { dims: [5], data: Float32Array.from([0.1, 0.2, 0.05, 0.3, 0.25]) };
        spec.nodes[1]!.inputs.push('slope');
      }
      const compiled = await compileForBackend(makeModel(spec), hailo, calibration(spec), allFloat(spec));
      expect(compiled.equalized.map((e) => [e.producer, e.activation, e.consumer, e.channels])).toEqual([['fc1', 'act', 'fc2', 5]]);
      expectBalanced(spec, compiled, { w1: transB1 ? 0 : 1, w2: transB2 ? 1 : 0 });
      await expectSameFunction(spec, compiled);
    });
  }

  it('Conv → Relu → Conv → Relu → Conv chain: several passes, same function, ranges balanced to the pass tolerance', async () => {
    const spec: ModelSpec = {
      ...convSpec,
      inits: {
        ...convSpec.inits,
        w2: { dims: [4, 4, 3, 3], data: unbalanced([4, 4, 3, 3], 1, [0.1, 5, 1, 2], 2) },
        b2: { dims: [4], data: values(4, 3, 0.1) },
        w3: { dims: [2, 4, 1, 1], data: unbalanced([2, 4, 1, 1], 1, [3, 0.04, 1, 10], 4) },
      },
      nodes: [
        convSpec.nodes[0]!,
        convSpec.nodes[1]!,
        { name: 'conv2', op: 'Conv', inputs: ['r', 'w2', 'b2'], outputs: ['c2'], attrs: { pads: [1, 1, 1, 1] } },
        { name: 'relu2', op: 'Relu', inputs: ['c2'], outputs: ['r2'] },
        { name: 'conv3', op: 'Conv', inputs: ['r2', 'w3'], outputs: ['y'] },
      ],
    };
    const compiled = await compileForBackend(makeModel(spec), hailo, calibration(spec), allFloat(spec));
    expect(compiled.equalized.map((e) => [e.producer, e.consumer])).toEqual([
      ['conv1', 'conv2'],
      ['conv2', 'conv3'],
    ]);
    const passes = Number(/equalized in (\d+) pass/.exec(compiled.approximations.join('\n'))![1]);
    expect(passes).toBeGreaterThan(1);
    await expectSameFunction(spec, compiled);
    const w = (n: string) => init(compiled.model, n);
    const pairs = [
      [ranges(w('w1').data as Float32Array, [4, 2, 3, 3], 0), ranges(w('w2').data as Float32Array, [4, 4, 3, 3], 1)],
      [ranges(w('w2').data as Float32Array, [4, 4, 3, 3], 0), ranges(w('w3').data as Float32Array, [2, 4, 1, 1], 1)],
    ];
    // the last pass left every |ln √(r1/r2)| below 1e-3 (or stopped at the pass limit)
    for (const [r1, r2] of pairs) for (let i = 0; i < r1!.length; i++) expect(Math.abs(Math.log(r1![i]! / r2![i]!))).toBeLessThan(passes < 8 ? 2.1e-3 : 0.1);
  });
});

describe('equalization: skipped pairs', () => {
  for (const act of ['Clip', 'Sigmoid', 'HardSwish'] as const) {
    it(`a ${act} between the layers: nothing equalized, the skip listed, weights untouched`, async () => {
      const spec: ModelSpec = {
        ...convSpec,
        inits: {
          ...convSpec.inits,
          ...(act === 'Clip' ? { lo: { dims: [], data: Float32Array.from([0]) }, hi: { dims: [], data: Float32Array.from([6]) } } : {}),
        },
        nodes: [convSpec.nodes[0]!, { name: 'act', op: act, inputs: act === 'Clip' ? ['c1', 'lo', 'hi'] : ['c1'], outputs: ['r'] }, convSpec.nodes[2]!],
      };
      const compiled = await compileForBackend(makeModel(spec), hailo, calibration(spec), allFloat(spec));
      expect(compiled.equalized).toEqual([]);
      const notes = compiled.approximations.join('\n');
      expect(notes).toMatch(/equalization: applied to nothing/);
      expect(notes).toContain(`equalization skipped 1 pair(s): conv1 → conv2 (${act} 'act' between them is not positively homogeneous)`);
      expect(notes).not.toMatch(/transforms not applied: .*equalization/);
      expect(Array.from(init(compiled.model, 'w1').data as Float32Array)).toEqual(Array.from(spec.inits['w1']!.data));
      expect(Array.from(init(compiled.model, 'w2').data as Float32Array)).toEqual(Array.from(spec.inits['w2']!.data));
    });
  }

  it('a weight shared by two Convs: neither pair touching it is equalized', async () => {
    const spec: ModelSpec = {
      input: { name: 'x', sample: [4, 5, 5] },
      output: 'y',
      inits: {
        w1: { dims: [4, 4, 1, 1], data: unbalanced([4, 4, 1, 1], 0, [5, 0.1, 1, 0.2], 21) },
        ws: { dims: [4, 4, 1, 1], data: unbalanced([4, 4, 1, 1], 1, [0.2, 3, 1, 4], 22) },
      },
      nodes: [
        { name: 'conv1', op: 'Conv', inputs: ['x', 'w1'], outputs: ['c1'] },
        { name: 'relu1', op: 'Relu', inputs: ['c1'], outputs: ['r1'] },
        { name: 'conv2', op: 'Conv', inputs: ['r1', 'ws'], outputs: ['c2'] },
        { name: 'relu2', op: 'Relu', inputs: ['c2'], outputs: ['r2'] },
        { name: 'conv3', op: 'Conv', inputs: ['r2', 'ws'], outputs: ['y'] },
      ],
    };
    const compiled = await compileForBackend(makeModel(spec), hailo, calibration(spec), allFloat(spec));
    expect(compiled.equalized).toEqual([]);
    const notes = compiled.approximations.join('\n');
    expect(notes).toContain("conv1 → conv2 (conv2: the weight 'ws' is shared with another node)");
    expect(notes).toContain("conv2 → conv3 (conv2: the weight 'ws' is shared with another node)");
    for (const t of ['w1', 'ws']) expect(Array.from(init(compiled.model, t).data as Float32Array)).toEqual(Array.from(spec.inits[t]!.data));
  });

  it('an activation read by two Convs, and a producer output that is also a graph output: skipped', async () => {
    const spec: ModelSpec = {
      input: { name: 'x', sample: [4, 5, 5] },
      output: 'y',
      inits: {
        w1: { dims: [4, 4, 1, 1], data: unbalanced([4, 4, 1, 1], 0, [5, 0.1, 1, 0.2], 31) },
        w2: { dims: [4, 4, 1, 1], data: unbalanced([4, 4, 1, 1], 1, [0.2, 3, 1, 4], 32) },
        w3: { dims: [4, 4, 1, 1], data: values(16, 33, 0.5) },
      },
      nodes: [
        { name: 'conv1', op: 'Conv', inputs: ['x', 'w1'], outputs: ['c1'] },
        { name: 'relu1', op: 'Relu', inputs: ['c1'], outputs: ['r1'] },
        { name: 'conv2', op: 'Conv', inputs: ['r1', 'w2'], outputs: ['c2'] },
        { name: 'conv3', op: 'Conv', inputs: ['r1', 'w3'], outputs: ['c3'] },
        { name: 'add', op: 'Add', inputs: ['c2', 'c3'], outputs: ['y'] },
      ],
    };
    const compiled = await compileForBackend(makeModel(spec), hailo, calibration(spec), allFloat(spec));
    expect(compiled.equalized).toEqual([]);
    expect(compiled.approximations.join('\n')).toContain("conv1 (after relu1: 'r1' is read by 2 nodes (conv2, conv3))");

    const asOutput = makeModel({ ...convSpec, nodes: [...convSpec.nodes] });
    asOutput.graph.outputs.push({ name: 'c1', elemType: 1 });
    const out = equalize(asOutput);
    expect(out.equalized).toEqual([]);
    expect(out.skipped).toEqual([{ producer: 'conv1', reason: "'c1' is also a graph output" }]);
  });

  it('a depthwise consumer, Conv → Gemm, and MatMul pairs (equalized only with equalizeMatMul)', async () => {
    const dw = makeModel({
      ...convSpec,
      inits: { ...convSpec.inits, w2: { dims: [4, 1, 3, 3], data: values(36, 41, 0.5) } },
      nodes: [convSpec.nodes[0]!, convSpec.nodes[1]!, { name: 'conv2', op: 'Conv', inputs: ['r', 'w2'], outputs: ['y'], attrs: { group: 4 } }],
    });
    expect(equalize(dw).skipped).toEqual([{ producer: 'conv1', consumer: 'conv2', reason: 'conv2: grouped / depthwise Conv consumer (group 4)' }]);

    // a depthwise producer is fine (output channel i is W[i])
    const dwProducer = makeModel({
      input: { name: 'x', sample: [4, 5, 5] },
      output: 'y',
      inits: { w1: { dims: [4, 1, 3, 3], data: unbalanced([4, 1, 3, 3], 0, [5, 0.1, 1, 0.2], 42) }, w2: { dims: [3, 4, 1, 1], data: values(12, 43, 0.5) } },
      nodes: [
        { name: 'dw', op: 'Conv', inputs: ['x', 'w1'], outputs: ['c1'], attrs: { group: 4, pads: [1, 1, 1, 1] } },
        { name: 'relu', op: 'Relu', inputs: ['c1'], outputs: ['r'] },
        { name: 'pw', op: 'Conv', inputs: ['r', 'w2'], outputs: ['y'] },
      ],
    });
    expect(equalize(dwProducer).equalized.map((e) => [e.producer, e.consumer, e.channels])).toEqual([['dw', 'pw', 4]]);

    // net: fc1 (Gemm) → mm (MatMul) directly; skipped by default, equalized with equalizeMatMul (B [K, N]: rows scaled)
    const x = values(4 * 36, 909, 2);
    const byDefault = await compileForBackend(net, hailo, batches(2, 16, 36, 11), { floatNodes: net.graph.nodes.map((n) => n.name) });
    expect(byDefault.equalized).toEqual([]);
    expect(byDefault.approximations.join('\n')).toContain('fc1 → mm (MatMul pairs are equalized only when asked for (options.equalizeMatMul))');
    const withMatMul = await compileForBackend(net, hailo, batches(2, 16, 36, 11), { floatNodes: net.graph.nodes.map((n) => n.name), equalizeMatMul: true });
    expect(withMatMul.equalized.map((e) => [e.producer, e.activation, e.consumer, e.channels])).toEqual([
      ['fc1', undefined, 'mm', 8],
      ['mm', undefined, 'fc2', 8],
    ]);
    const ref = (await runModel(net, 'x', x, [4, 1, 6, 6]))['y']!;
    const got = (await runModel(withMatMul.model, 'x', x, [4, 1, 6, 6]))['y']!;
    expect(relError(got, ref)).toBeLessThan(1e-5);
    const r3 = ranges(init(withMatMul.model, 'w3').data as Float32Array, [8, 8], 1); // mm output channels (columns)
    const r4 = ranges(init(withMatMul.model, 'w4').data as Float32Array, [8, 3], 0); // fc2 input channels (rows)
    for (let i = 0; i < 8; i++) expect(Math.abs(Math.log(r3[i]! / r4[i]!))).toBeLessThan(2.1e-3);
  });
});

describe('equalization: quantized accuracy', () => {
  it('per-tensor 4-bit weights (hailo8-w4a8 weightBits 4): output SQNR vs float improves on a strongly unbalanced model', async () => {
    // conv1 output channels span 0.05 … 4 (80×), conv2 input channels compensate
    const spec: ModelSpec = {
      input: { name: 'x', sample: [3, 8, 8] },
      output: 'y',
      inits: {
        w1: { dims: [8, 3, 3, 3], data: unbalanced([8, 3, 3, 3], 0, [4, 0.05, 0.5, 0.1, 2, 0.2, 0.08, 1], 51) },
        b1: { dims: [8], data: Float32Array.from([0.4, 0.005, 0.05, 0.01, 0.2, 0.02, 0.008, 0.1]) },
        w2: { dims: [4, 8, 3, 3], data: unbalanced([4, 8, 3, 3], 1, [0.25, 8, 0.5, 4, 0.2, 2, 6, 0.5], 52) },
        b2: { dims: [4], data: values(4, 53, 0.1) },
      },
      nodes: [
        { name: 'conv1', op: 'Conv', inputs: ['x', 'w1', 'b1'], outputs: ['c1'], attrs: { pads: [1, 1, 1, 1] } },
        { name: 'relu', op: 'Relu', inputs: ['c1'], outputs: ['r'] },
        { name: 'conv2', op: 'Conv', inputs: ['r', 'w2', 'b2'], outputs: ['y'] },
      ],
    };
    const model = makeModel(spec);
    const data = [...batches(4, 16, sampleSize(spec), 61)];
    const options = { weightBits: { conv1: 4, conv2: 4 } };
    const eq = await compileForBackend(model, hailo, data, options);
    const plain = await compileForBackend(model, hailoPlain, data, options);
    expect(eq.equalized.map((e) => [e.producer, e.consumer])).toEqual([['conv1', 'conv2']]);
    expect(eq.weights.map((w) => w.bits)).toEqual([4, 4]);
    expect(eq.weights.every((w) => w.scale.length === 1)).toBe(true); // per-tensor

    const n = 16;
    const x = values(n * sampleSize(spec), 777, 2);
    const dims = [n, ...spec.input.sample];
    const ref = (await runModel(model, 'x', x, dims))['y']!;
    const qEq = (await runModel(eq.model, 'x', x, dims))['y']!;
    const qPlain = (await runModel(plain.model, 'x', x, dims))['y']!;
    const [dbEq, dbPlain] = [sqnrDb(qEq, ref), sqnrDb(qPlain, ref)];
    console.info(`4-bit per-tensor SQNR vs float: equalized ${dbEq.toFixed(2)} dB, plain ${dbPlain.toFixed(2)} dB`);
    expect(dbEq).toBeGreaterThan(dbPlain + 6);

    // also at the profile's default 8-bit weights (smaller gain, still no loss)
    const eq8 = await compileForBackend(model, hailo, data);
    const plain8 = await compileForBackend(model, hailoPlain, data);
    const db8 = [sqnrDb((await runModel(eq8.model, 'x', x, dims))['y']!, ref), sqnrDb((await runModel(plain8.model, 'x', x, dims))['y']!, ref)];
    console.info(`8-bit per-tensor SQNR vs float: equalized ${db8[0]!.toFixed(2)} dB, plain ${db8[1]!.toFixed(2)} dB`);
    expect(db8[0]!).toBeGreaterThan(db8[1]!);
  });
});
