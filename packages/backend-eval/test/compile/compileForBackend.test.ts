import { centeredUniform } from '@quant-trim/test-utils';
import { isQuantTrimError } from '@quant-trim/errors';
import { addOutputs, readOnnx, writeOnnx, type OnnxModel } from '@quant-trim/onnx-export';
import { computeQParams, computeRanges, createScheme, defaultRegistry, fakeQuantize, type Calibrator } from '@quant-trim/quant-grid';
import { buildModel, DataType, exactIntegerKernels, ort, runOrt } from '@quant-trim/test-utils/onnx';
import { describe, expect, it, vi } from 'vitest';
import { rowsPerCall } from '../../src/compile/calibrate.js';
import { compileForBackend, compileWithStats, coverageFor } from '../../src/compile/compileForBackend.js';
import { builtinProfiles } from '../../src/profiles/builtinProfiles.js';
import { defineBackend } from '../../src/profiles/defineBackend.js';
import type { BackendProfile, TensorGrid } from '../../src/profiles/types.js';

const rng = centeredUniform;
const values = (n: number, seed: number, amp = 1) => {
  const r = rng(seed);
  return Array.from({ length: n }, () => r() * 2 * amp);
};

const SAMPLE = [1, 6, 6];
/** X[N,1,6,6] → Conv → Relu → Flatten → Gemm(transB) → MatMul → Gemm → y[N,3]. */
const fixedBytes = buildModel({
  opset: 13,
  inputs: [{ name: 'x', dataType: DataType.FLOAT, dims: [1, ...SAMPLE] }],
  outputs: [{ name: 'y', dataType: DataType.FLOAT, dims: [1, 3] }],
  initializers: [
    { name: 'w1', dataType: DataType.FLOAT, dims: [4, 1, 3, 3], values: values(36, 1, 0.5) },
    { name: 'b1', dataType: DataType.FLOAT, dims: [4], values: values(4, 2, 0.1) },
    { name: 'w2', dataType: DataType.FLOAT, dims: [8, 64], values: values(512, 3, 0.2) },
    { name: 'b2', dataType: DataType.FLOAT, dims: [8], values: values(8, 4, 0.1) },
    { name: 'w3', dataType: DataType.FLOAT, dims: [8, 8], values: values(64, 5, 0.4) },
    { name: 'w4', dataType: DataType.FLOAT, dims: [8, 3], values: values(24, 6, 0.4) },
    { name: 'b4', dataType: DataType.FLOAT, dims: [3], values: values(3, 7, 0.1) },
  ],
  nodes: [
    { opType: 'Conv', inputs: ['x', 'w1', 'b1'], outputs: ['c'] },
    { opType: 'Relu', inputs: ['c'], outputs: ['r'] },
    { opType: 'Flatten', inputs: ['r'], outputs: ['f'] },
    { opType: 'Gemm', inputs: ['f', 'w2', 'b2'], outputs: ['g'], attributes: { transB: 1 } },
    { opType: 'MatMul', inputs: ['g', 'w3'], outputs: ['m'] },
    { opType: 'Gemm', inputs: ['m', 'w4', 'b4'], outputs: ['y'] },
  ],
});
/** The same model with a symbolic batch axis, so calibration runs whole batches. */
const fp = readOnnx(fixedBytes);
fp.graph.inputs[0]!.shape![0] = 'N';
fp.graph.outputs[0]!.shape![0] = 'N';
const fpBytes = writeOnnx(fp);

const BATCH = 16;
function* batches(count: number, seed = 11): Generator<Float32Array> {
  for (let b = 0; b < count; b++) yield Float32Array.from(values(BATCH * 36, seed + b, 2));
}

async function run(model: OnnxModel | Uint8Array, x: Float32Array, n: number, outputs?: string[]): Promise<Record<string, ort.Tensor>> {
  const m = model instanceof Uint8Array ? readOnnx(model) : model;
  const bytes = writeOnnx(outputs ? addOutputs(m, outputs) : m);
  return runOrt(bytes, { x: new ort.Tensor('float32', x, [n, ...SAMPLE]) });
}

const tflite = builtinProfiles['tflite-int8'];
const trt = builtinProfiles['trt-int8-entropy'];

describe('compileForBackend (emulate, static activations)', () => {
  it('compiles tflite-int8 into a QDQ model that runs in ORT (optimized and not) and stays close to float', async () => {
    const compiled = await compileForBackend(fpBytes, tflite, batches(8));
    expect(compiled.coverage.filter((c) => c.integer).map((c) => c.opType)).toEqual(['Conv', 'Relu', 'Flatten', 'Gemm', 'MatMul', 'Gemm']);
    expect(compiled.coverage.every((c) => c.onAccelerator && c.numerics === 'integer')).toBe(true);
    const x = Float32Array.from(values(4 * 36, 99, 2));
    const q = (await run(compiled.bytes(), x, 4))['y']!.data as Float32Array;
    const f = (await run(fpBytes, x, 4))['y']!.data as Float32Array;
    const optimized = await ort.InferenceSession.create(compiled.bytes());
    const qo = (await optimized.run({ x: new ort.Tensor('float32', x, [4, ...SAMPLE]) }))['y']!.data as Float32Array;
    await optimized.release();
    const amp = Math.max(...f.map(Math.abs));
    const kernels = exactIntegerKernels();
    if (!kernels.exact) console.info(`skipping the optimised-run check (the emulated one still runs): ${kernels.reason}`);
    for (let i = 0; i < f.length; i++) {
      expect(Math.abs(q[i]! - f[i]!)).toBeLessThan(0.1 * amp);
      if (kernels.exact) expect(Math.abs(qo[i]! - q[i]!)).toBeLessThan(0.05 * amp);
    }
    const ops = compiled.model.graph.nodes.map((n) => n.opType);
    // 4 weights + 3 int32 biases + 6 activations (x, r, f, g, m, y; Conv+Relu fused, so not c)
    expect(ops.filter((o) => o === 'DequantizeLinear')).toHaveLength(4 + 3 + 6);
    expect(compiled.approximations.join('\n')).toMatch(/half-away/);
  });

  for (const profile of [tflite, trt]) {
    it(`${profile.id}: effective weights equal quant-grid fakeQuantize with the profile's weight scheme`, async () => {
      const compiled = await compileForBackend(fp, profile, batches(2));
      const x = Float32Array.from(values(36, 5));
      const out = await run(
        compiled.model,
        x,
        1,
        compiled.weights.map((w) => w.dequantized),
      );
      const axes: Record<string, number> = { w1: 0, w2: 0, w3: 1, w4: 1 };
      expect(compiled.weights.map((w) => w.tensor)).toEqual(['w1', 'w2', 'w3', 'w4']);
      for (const w of compiled.weights) {
        const init = fp.graph.initializers.get(w.tensor)!;
        const scheme = createScheme({
          bits: 8,
          signed: true,
          symmetric: true,
          narrowRange: true,
          rounding: profile.weights!.rounding,
          granularity: { kind: 'per-channel', axis: axes[w.tensor]! },
        });
        const data = init.data as Float32Array;
        const qp = computeQParams(computeRanges(data, init.dims, scheme.granularity), scheme);
        const expected = fakeQuantize(data, init.dims, qp, scheme);
        expect(w.axis).toBe(axes[w.tensor]);
        expect(Array.from(out[w.dequantized]!.data as Float32Array)).toEqual(Array.from(expected));
        // the float weight is gone from the emulated graph
        expect(compiled.model.graph.initializers.has(w.tensor)).toBe(false);
      }
    });

    it(`${profile.id}: activation parameters equal an independent ORT + calibrator computation`, async () => {
      const compiled = await compileForBackend(fpBytes, profile, batches(3));
      // Conv+Relu is fused in both profiles: the Relu output r is quantized, c is not.
      const tensors = ['x', 'r', 'f', 'g', 'm', 'y'];
      expect(compiled.activations.map((a) => a.tensor)).toEqual(tensors);
      const cals = new Map<string, Calibrator>(
        tensors.map((t) => [
          t,
          (defaultRegistry.calibrator as (n: string, o?: unknown) => Calibrator)(profile.calibration.method, profile.calibration.options),
        ]),
      );
      for (const b of batches(3)) {
        const out = await run(
          fpBytes,
          b,
          BATCH,
          tensors.filter((t) => t !== 'x' && t !== 'y'),
        );
        for (const t of tensors) cals.get(t)!.observe(t === 'x' ? b : (out[t]!.data as Float32Array), t === 'x' ? [BATCH, ...SAMPLE] : out[t]!.dims);
      }
      const act = profile.activations as { signed: boolean; symmetric: boolean; rounding: 'half-even' | 'half-away' };
      const scheme = createScheme({ bits: 8, signed: act.signed, symmetric: act.symmetric, rounding: act.rounding });
      for (const a of compiled.activations) {
        const qp = cals.get(a.tensor)!.compute(scheme);
        expect({ scale: a.scale, zeroPoint: a.zeroPoint, elemType: a.elemType }).toEqual({ scale: qp.scale[0], zeroPoint: qp.zeroPoint[0], elemType: 'int8' });
        // and the emitted QuantizeLinear carries them
        const qNode = compiled.model.graph.nodes.find((n) => n.opType === 'QuantizeLinear' && n.name === `${a.tensor}_QuantizeLinear`)!;
        expect(compiled.model.graph.initializers.get(qNode.inputs[1]!)!.data[0]).toBe(a.scale);
        expect(Number(compiled.model.graph.initializers.get(qNode.inputs[2]!)!.data[0])).toBe(a.zeroPoint);
      }
      if (profile.id === 'trt-int8-entropy') expect(compiled.activations.every((a) => a.zeroPoint === 0)).toBe(true);
    });
  }

  it('per-op fallback: an op outside the profile stays float, with the reason and no Q/DQ around it', async () => {
    const convOnly: BackendProfile = defineBackend({ ...tflite, id: 'test-conv-only', ops: { supported: ['Conv', 'Relu', 'Flatten'] } });
    const compiled = await compileForBackend(fpBytes, convOnly, batches(2));
    expect(compiled.coverage.map((c) => [c.opType, c.integer, c.onAccelerator, c.reason])).toEqual([
      ['Conv', true, true, undefined],
      ['Relu', true, true, undefined],
      ['Flatten', true, true, undefined],
      ['Gemm', false, false, 'not supported by test-conv-only → float32'],
      ['MatMul', false, false, 'not supported by test-conv-only → float32'],
      ['Gemm', false, false, 'not supported by test-conv-only → float32'],
    ]);
    const { nodes } = compiled.model.graph;
    for (const node of nodes.filter((n) => n.opType === 'Gemm' || n.opType === 'MatMul')) {
      for (const input of node.inputs.slice(1)) expect(nodes.find((n) => n.outputs.includes(input))?.opType).not.toBe('DequantizeLinear');
    }
    // the float Gemm reads the accelerator's quantized output f (dequantized), nothing after it is quantized
    expect(compiled.model.graph.nodes.filter((n) => n.opType === 'QuantizeLinear').map((n) => n.inputs[0])).toEqual(['x', 'r_float', 'f_float']);
    expect(compiled.weights.map((w) => w.tensor)).toEqual(['w1']);
    const x = Float32Array.from(values(36, 8));
    expect((await run(compiled.bytes(), x, 1))['y']!.dims).toEqual([1, 3]);
  });

  it('single-cut: the first unsupported op and everything after it leave the accelerator', async () => {
    // Edge TPU: the cut-off ops run on the CPU in int8, so their numerics stay quantized.
    const edgetpu = await compileForBackend(fpBytes, builtinProfiles['edgetpu-strict'], batches(2));
    expect(edgetpu.coverage.map((c) => [c.node, c.integer, c.onAccelerator, c.reason])).toEqual([
      ['n0', true, true, undefined],
      ['n1', true, true, undefined],
      ['n2', true, true, undefined],
      ['n3', true, true, undefined],
      ['n4', true, false, 'not supported by edgetpu-strict → cpu-int8 (quantized numerics kept)'],
      ['n5', true, false, "after the single cut at 'n4' → cpu-int8 (quantized numerics kept)"],
    ]);
    expect(edgetpu.activations.map((a) => a.tensor)).toEqual(['x', 'r', 'f', 'g', 'm', 'y']);
    expect(edgetpu.approximations.join('\n')).toMatch(/cpu-int8 fallback/);
    // The same policy with a float32 target: everything from the cut on runs in float.
    const floatCut = defineBackend({
      ...builtinProfiles['edgetpu-strict'],
      id: 'test-single-cut-float',
      fallback: { policy: 'single-cut', target: 'float32' },
    });
    const compiled = await compileForBackend(fpBytes, floatCut, batches(2));
    expect(compiled.coverage.map((c) => [c.node, c.integer, c.onAccelerator])).toEqual([
      ['n0', true, true],
      ['n1', true, true],
      ['n2', true, true],
      ['n3', true, true],
      ['n4', false, false],
      ['n5', false, false],
    ]);
    expect(compiled.weights.map((w) => w.tensor)).toEqual(['w1', 'w2']);
    expect(compiled.activations.map((a) => a.tensor)).toEqual(['x', 'r', 'f', 'g']);
    const x = Float32Array.from(values(36, 9));
    expect((await run(compiled.bytes(), x, 1))['y']!.dims).toEqual([1, 3]);
  });

  it('streams calibration lazily and stops at profile.calibration.samples', async () => {
    let yielded = 0;
    async function* lazy(): AsyncGenerator<Float32Array> {
      for (const b of batches(1000)) {
        yielded++;
        yield b;
      }
    }
    const compiled = await compileForBackend(fpBytes, tflite, lazy()); // samples: 100, batches of 16
    expect(yielded).toBe(7);
    expect(compiled.calibration).toEqual({ samples: 100, batches: 7, seconds: expect.any(Number) });

    // the truncated 7th batch counts only 4 samples: same params as feeding exactly those 100
    const exact = function* () {
      const all = [...batches(7)];
      yield* all.slice(0, 6);
      yield all[6]!.slice(0, 4 * 36);
    };
    const reference = await compileForBackend(fpBytes, tflite, exact());
    expect(reference.activations).toEqual(compiled.activations);
  });

  it('runs a model with a fixed batch size of 1 one sample at a time', async () => {
    const compiled = await compileForBackend(fixedBytes, tflite, batches(2));
    expect(compiled.calibration).toEqual({ samples: 32, batches: 2, seconds: expect.any(Number) });
    const reference = await compileForBackend(
      fpBytes,
      tflite,
      (function* () {
        for (const b of batches(2)) for (let i = 0; i < BATCH; i++) yield b.slice(i * 36, (i + 1) * 36);
      })(),
    );
    expect(reference.activations).toEqual(compiled.activations);
  });

  it('rejects what it cannot emulate, with QT_INVALID_ARGUMENT naming the profile', async () => {
    const bad = await compileForBackend(fpBytes, tflite, [new Float32Array(35)]).catch((e: unknown) => e);
    expect(isQuantTrimError(bad, 'QT_INVALID_ARGUMENT')).toBe(true);
    expect((bad as Error).message).toContain('tflite-int8');
    const s8dynamic = defineBackend({
      ...builtinProfiles['ort-dynamic-u8s8'],
      id: 'test-dynamic-s8',
      activations: { ...(builtinProfiles['ort-dynamic-u8s8'].activations as TensorGrid), signed: true },
    });
    const dyn = await compileForBackend(fpBytes, s8dynamic, []).catch((e: unknown) => e);
    expect(isQuantTrimError(dyn, 'QT_INVALID_ARGUMENT')).toBe(true);
    expect((dyn as Error).message).toMatch(/test-dynamic-s8.*uint8/);
    const bits = await compileForBackend(fpBytes, tflite, batches(1), { weightBits: { n0: 4 } }).catch((e: unknown) => e);
    expect((bits as Error).message).toMatch(/weightBits\.n0: 4-bit weights are not allowed by tflite-int8/);
  });
});

describe("compileWithStats: reusing a compile's calibration statistics (per-layer sensitivity)", () => {
  /** Calibration data that must never be read. */
  const unread: Iterable<Float32Array> = {
    [Symbol.iterator]() {
      throw new Error('the calibration data was read');
    },
  };

  it("quantizes one layer with the full compile's parameters without reading the data again", async () => {
    const full = await compileWithStats(fpBytes, trt, batches(8));
    const nodes = full.compiled.coverage.map((c) => c.node);
    expect(full.compiled.layerTensors.map((l) => [l.node, l.fused])).toEqual([
      ['n0', ['n1']],
      ['n3', []],
      ['n4', []],
      ['n5', []],
    ]);
    for (const layer of ['n0', 'n3']) {
      const quantized = [layer, ...full.compiled.layerTensors.find((l) => l.node === layer)!.fused];
      const floatNodes = nodes.filter((n) => !quantized.includes(n));
      const alone = (await compileWithStats(fpBytes, trt, unread, { floatNodes }, full.reuse)).compiled;
      expect(alone.activations.length).toBeGreaterThan(0);
      for (const a of alone.activations) expect(a).toEqual(full.compiled.activations.find((f) => f.tensor === a.tensor));
      expect(alone.calibration).toMatchObject({ samples: full.compiled.calibration.samples, batches: full.compiled.calibration.batches });
      // The same as calibrating the isolated compile on the same data.
      const fresh = await compileForBackend(fpBytes, trt, batches(8), { floatNodes });
      expect(alone.activations).toEqual(fresh.activations);
      expect(alone.bytes()).toEqual(fresh.bytes());
    }
  });

  it("applies the full compile's bias corrections to each isolated layer without a second pass, as a fresh compile computes them", async () => {
    const nncf = builtinProfiles['openvino-nncf-perf'];
    const full = await compileWithStats(fpBytes, nncf, batches(8));
    expect(full.reuse.biasCorrections.length).toBeGreaterThan(1);
    const nodes = full.compiled.coverage.map((c) => c.node);
    for (const layer of full.compiled.layerTensors) {
      const floatNodes = nodes.filter((n) => n !== layer.node && !layer.fused.includes(n));
      const alone = (await compileWithStats(fpBytes, nncf, unread, { floatNodes }, full.reuse)).compiled;
      const fresh = await compileForBackend(fpBytes, nncf, batches(8), { floatNodes });
      expect(alone.biasCorrections).toEqual(fresh.biasCorrections);
      expect(alone.biasCorrections.map((c) => c.node)).toEqual(full.reuse.biasCorrections.filter((c) => c.node === layer.node).map((c) => c.node));
      expect(alone.bytes()).toEqual(fresh.bytes());
    }
  });

  it('calibrates only the tensors the earlier compile did not, reading the data once', async () => {
    const nodes = coverageFor(fpBytes, tflite).map((c) => c.node);
    const conv = await compileWithStats(fpBytes, tflite, batches(8), { floatNodes: nodes.filter((n) => n !== 'n0') });
    let reads = 0;
    const counted = (function* () {
      reads++;
      yield* batches(8);
    })();
    const both = await compileWithStats(fpBytes, tflite, counted, { floatNodes: nodes.filter((n) => n !== 'n0' && n !== 'n3') }, conv.reuse);
    expect(reads).toBe(1);
    const fresh = await compileForBackend(fpBytes, tflite, batches(8), { floatNodes: nodes.filter((n) => n !== 'n0' && n !== 'n3') });
    expect(both.compiled.activations).toEqual(fresh.activations);
    expect(both.compiled.bytes()).toEqual(fresh.bytes());
  });
});

describe('calibration calls of bounded size', () => {
  it('splits a calibration batch of large samples into calls of at most 1,048,576 input values, with the same result', async () => {
    expect(rowsPerCall([{ sampleShape: [3, 224, 224] }])).toBe(6);
    expect(rowsPerCall([{ sampleShape: [1, 28, 28] }, { sampleShape: [1, 28, 28] }])).toBe(668);
    expect(rowsPerCall([{ sampleShape: [1, 4096, 2048] }])).toBe(1);
    // One 1×1 Conv → Relu on [N, 1, 1024, 4097]: 4,195,328 values per sample, so one sample per call.
    const big = readOnnx(
      buildModel({
        opset: 13,
        inputs: [{ name: 'x', dataType: DataType.FLOAT, dims: [1, 1, 1024, 4097] }],
        outputs: [{ name: 'y', dataType: DataType.FLOAT, dims: [1, 2, 1024, 4097] }],
        initializers: [{ name: 'w', dataType: DataType.FLOAT, dims: [2, 1, 1, 1], values: [0.5, -1] }],
        nodes: [
          { opType: 'Conv', inputs: ['x', 'w'], outputs: ['c'] },
          { opType: 'Relu', inputs: ['c'], outputs: ['y'] },
        ],
      }),
    );
    big.graph.inputs[0]!.shape![0] = 'N';
    big.graph.outputs[0]!.shape![0] = 'N';
    const size = 1024 * 4097;
    const x = Float32Array.from({ length: 3 * size }, (_, i) => Math.sin(i * 0.37) * (1 + (i % 7)));
    // Spied, not replaced: the real runs still happen.
    // (onnxruntime-node's typings declare a factory; at run time it is the session class.)
    const sessionClass = ort.InferenceSession as unknown as { prototype: ort.InferenceSession };
    const calls = vi.spyOn(sessionClass.prototype, 'run');
    const whole = await compileForBackend(big, tflite, [x]);
    expect(calls.mock.calls.map((c: unknown[]) => (c[0] as Record<string, ort.Tensor>)['x']!.dims[0])).toEqual([1, 1, 1]);
    calls.mockRestore();
    expect(whole.calibration).toMatchObject({ samples: 3, batches: 1 });
    const one = await compileForBackend(
      big,
      tflite,
      [0, 1, 2].map((r) => x.subarray(r * size, (r + 1) * size)),
    );
    expect(whole.activations).toEqual(one.activations);
  });
});

describe('coverageFor', () => {
  it('gives the coverage compileForBackend reports, without calibration data', async () => {
    for (const id of ['tflite-int8', 'edgetpu-strict', 'ort-dynamic-u8s8', 'vitis-dpu-pow2'] as const) {
      const compiled = await compileForBackend(fpBytes, builtinProfiles[id], batches(1));
      expect(coverageFor(fpBytes, builtinProfiles[id])).toEqual(compiled.coverage);
    }
    expect(coverageFor(fpBytes, tflite, { floatNodes: ['n3'] }).find((c) => c.node === 'n3')).toMatchObject({
      integer: false,
      reason: expect.stringMatching(/floatNodes/),
    });
  });
});
