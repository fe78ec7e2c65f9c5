import { centeredUniform } from '@quant-trim/test-utils';
/**
 * "Each calibrator gives the same qparams as an independent straightforward implementation on
 * captured activations": every built-in static profile is compiled on the same calibration
 * batches; the activations its calibrators saw are captured again from the float model in ORT
 * (addOutputs, same `calibration.samples` cut, same batch splitting) and fed to the plain-loop
 * references of docs/backends.md#calibration in referenceCalibrators.ts. Scales (float32) and zero points must be
 * bit-identical — no tolerance was needed, including mean-minmax, where quant-grid keeps a running
 * mean and the reference sums then divides (float64 difference, if any, vanishes in the float32 scale).
 * The data makes each search clip (checked via `clipped`), grows the histograms past 2048 bins, puts
 * the asymmetric zero point on an exact tie and hides an outlier past the 100-sample limit.
 */
import { addOutputs, readOnnx, writeOnnx } from '@quant-trim/onnx-export';
import { createScheme, qparamsForRange } from '@quant-trim/quant-grid';
import { buildModel, DataType, ort } from '@quant-trim/test-utils/onnx';
import { afterAll, describe, expect, it } from 'vitest';
import { compileForBackend, type ActivationQParams } from '../../src/compile/compileForBackend.js';
import { builtinProfiles } from '../../src/profiles/builtinProfiles.js';
import type { BackendProfile, TensorGrid } from '../../src/profiles/types.js';
import {
  absoluteMinMax,
  entropyThreshold,
  gridOf,
  histogramOf,
  meanMinMax,
  mseThreshold,
  pow2Scale,
  rangeToQParams,
  roundHalfAway,
  roundHalfEven,
  roundHalfUp,
  sqnrAsym,
  type Grid,
  type RefQParams,
} from './referenceCalibrators.js';

const rng = centeredUniform;
const uniform = (n: number, seed: number, amp: number) => {
  const r = rng(seed);
  return Array.from({ length: n }, () => r() * 2 * amp);
};
/** Laplace values of scale `amp`: sparse near the maximum, so the clipping searches clip. */
const laplace = (n: number, seed: number, amp: number) => {
  const r = rng(seed);
  return Float32Array.from({ length: n }, () => {
    const u = r();
    return -amp * Math.sign(u) * Math.log(1 - 2 * Math.abs(u));
  });
};

const SAMPLE = [1, 32, 32];
const SAMPLE_SIZE = 1024;
/** x[N,1,32,32] → Conv(8, 3×3) → c[N,8,30,30] → Relu → r → Flatten → f[N,7200] → Gemm(transB) → y[N,8]. */
function modelBytes(batch: number | 'N'): Uint8Array {
  const bytes = buildModel({
    opset: 13,
    inputs: [{ name: 'x', dataType: DataType.FLOAT, dims: [batch === 'N' ? 1 : batch, ...SAMPLE] }],
    outputs: [{ name: 'y', dataType: DataType.FLOAT, dims: [batch === 'N' ? 1 : batch, 8] }],
    initializers: [
      { name: 'w1', dataType: DataType.FLOAT, dims: [8, 1, 3, 3], values: uniform(72, 1, 0.5) },
      { name: 'b1', dataType: DataType.FLOAT, dims: [8], values: uniform(8, 2, 0.1) },
      { name: 'w2', dataType: DataType.FLOAT, dims: [8, 7200], values: uniform(8 * 7200, 3, 0.02) },
      { name: 'b2', dataType: DataType.FLOAT, dims: [8], values: uniform(8, 4, 0.1) },
    ],
    nodes: [
      { opType: 'Conv', inputs: ['x', 'w1', 'b1'], outputs: ['c'] },
      { opType: 'Relu', inputs: ['c'], outputs: ['r'] },
      { opType: 'Flatten', inputs: ['r'], outputs: ['f'] },
      { opType: 'Gemm', inputs: ['f', 'w2', 'b2'], outputs: ['y'], attributes: { transB: 1 } },
    ],
  });
  if (batch !== 'N') return bytes;
  const m = readOnnx(bytes);
  m.graph.inputs[0]!.shape![0] = 'N';
  m.graph.outputs[0]!.shape![0] = 'N';
  return writeOnnx(m);
}
const fpBytes = modelBytes('N');

/**
 * Calibration batches of uneven sizes (24 + 40 + 16 + 32 = 112 samples) with varying amplitude,
 * so histograms append bins and every profile's `calibration.samples` limit cuts somewhere
 * different: hailo 64 (after batch 2), rknn 50 (inside batch 2), 100 (inside batch 4), nncf 300
 * (all). Batch 0 also holds ±OUTLIER: the input range is exactly symmetric (an asymmetric zero
 * point at an exact tie, 127.5 on uint8) and OUTLIER/127 lies just above 2^−4 (pow2 candidates).
 */
const SIZES = [24, 40, 16, 32];
const AMPS = [0.4, 0.6, 0.3, 0.5];
const OUTLIER = Math.fround((127 / 16) * 1.03);
const BATCHES = SIZES.map((n, b) => laplace(n * SAMPLE_SIZE, 100 + b, AMPS[b]!));
BATCHES[0]![5] = OUTLIER;
BATCHES[0]![SAMPLE_SIZE + 77] = -OUTLIER;
/** Past every 100-sample limit (sample 25 of the last batch): only openvino-nncf-perf (300) may see it. */
BATCHES[3]![25 * SAMPLE_SIZE + 300] = 3 * OUTLIER;

const sessions: ort.InferenceSession[] = [];
afterAll(async () => {
  for (const s of sessions) await s.release();
});

/**
 * The activations compileForBackend's calibrator sees, captured independently: the float model
 * with the tensors as extra outputs, run on the same batches cut at `calibration.samples`, one
 * entry per calibrator batch (a model with a fixed batch size runs in chunks of it).
 */
async function capture(
  bytes: Uint8Array,
  tensors: readonly string[],
  batches: readonly Float32Array[],
  limit: number,
  fixedBatch?: number,
): Promise<Map<string, Float32Array[]>> {
  const session = await ort.InferenceSession.create(
    writeOnnx(
      addOutputs(
        readOnnx(bytes),
        tensors.filter((t) => t !== 'x'),
      ),
    ),
  );
  sessions.push(session);
  const out = new Map<string, Float32Array[]>(tensors.map((t) => [t, []]));
  let seen = 0;
  for (const batch of batches) {
    let n = Math.min(batch.length / SAMPLE_SIZE, limit - seen);
    if (fixedBatch !== undefined) n -= n % fixedBatch;
    if (n <= 0) break;
    const chunk = fixedBatch ?? n;
    for (let start = 0; start < n; start += chunk) {
      const x = batch.slice(start * SAMPLE_SIZE, (start + chunk) * SAMPLE_SIZE);
      const res = await session.run({ x: new ort.Tensor('float32', x, [chunk, ...SAMPLE]) });
      for (const t of tensors) out.get(t)!.push(t === 'x' ? x : Float32Array.from(res[t]!.data as Float32Array));
    }
    seen += n;
    if (seen >= limit) break;
  }
  return out;
}

const ROUND = { 'half-even': roundHalfEven, 'half-away': roundHalfAway, 'half-up': roundHalfUp } as const;

/** The grid (docs/backends.md#range-to-scale-and-zero-point) of a per-tensor activation grid; `unsignedIfNonNeg` decided by the observed minimum. */
function gridFor(a: TensorGrid, observedMin: number): Grid {
  const unsignedSym = a.symmetric === 'unsignedIfNonNeg';
  const signed = unsignedSym ? !(observedMin >= 0) : a.signed;
  expect(a.range).toBe('full');
  return gridOf(a.bits, signed, a.symmetric !== false);
}

/** The reference (s, zp) of one tensor under `profile`, from its captured calibrator batches. */
function reference(profile: BackendProfile, units: readonly Float32Array[], rows: readonly number[]): RefQParams & { grid: Grid } {
  const a = profile.activations as TensorGrid;
  const observedMin = absoluteMinMax(units).lo;
  const grid = gridFor(a, observedMin);
  if (!(a.rounding in ROUND)) throw new Error(`no reference rounding ${a.rounding}`);
  const round = ROUND[a.rounding as keyof typeof ROUND];
  const { method, options } = profile.calibration;
  switch (method) {
    case 'minmax': {
      expect(options ?? {}).toEqual({});
      const { lo, hi } = absoluteMinMax(units);
      return { ...rangeToQParams(lo, hi, grid), grid };
    }
    case 'mean-minmax': {
      // NNCF: min / max of each sample, averaged over samples (independent of how data is batched)
      expect(options).toEqual({ perSample: true });
      const samples = units.flatMap((u, i) =>
        Array.from({ length: rows[i]! }, (_, r) => u.subarray((r * u.length) / rows[i]!, ((r + 1) * u.length) / rows[i]!)),
      );
      const { lo, hi } = meanMinMax(samples);
      return { ...rangeToQParams(lo, hi, grid), grid };
    }
    case 'entropy': {
      expect(options).toEqual({ bins: 2048, start: 128, stride: 1, thresholdAt: 'edge' });
      const h = histogramOf(units, 2048);
      const { amax } = entropyThreshold(h, { start: 128, stride: 1, levels: grid.signed ? 128 : 256 });
      return { ...rangeToQParams(-amax, amax, grid), grid };
    }
    case 'mse': {
      expect(options).toEqual({ bins: 2048, start: 128, stride: 1 });
      const { lo, hi } = mseThreshold(histogramOf(units, 2048), grid, round, { start: 128, stride: 1 });
      return { ...rangeToQParams(lo, hi, grid), grid };
    }
    case 'sqnr': {
      expect(options).toEqual({ bins: 2048, gamma: 3 });
      expect(grid.symmetric).toBe(false);
      expect(grid.signed).toBe(false);
      return { ...sqnrAsym(histogramOf(units, 2048), grid.bits, 3), grid };
    }
    case 'pow2': {
      expect(options).toEqual({ mode: 'min-mse', candidates: [-2, -1, 0] });
      expect(grid.symmetric).toBe(true);
      return { scale: pow2Scale(histogramOf(units, 2048), grid, round, [-2, -1, 0]), zeroPoint: 0, grid };
    }
    default:
      throw new Error(`no reference for calibration method ${method}`);
  }
}

const ELEM = (g: Grid) => `${g.signed ? '' : 'u'}int${g.bits}`;

interface Case {
  readonly id: keyof typeof builtinProfiles;
  readonly method: string;
  /** Quantized activation tensors: fused Conv+Relu profiles skip c. */
  readonly tensors: readonly string[];
  /** Samples that reach the calibrators from BATCHES. */
  readonly samples: number;
  /** Tensors whose range the method clips by more than one step (the search is exercised). */
  readonly clipped: readonly string[];
}

const CASES: readonly Case[] = [
  { id: 'tflite-int8', method: 'minmax', tensors: ['x', 'r', 'f', 'y'], samples: 100, clipped: [] },
  { id: 'tflite-16x8', method: 'minmax', tensors: ['x', 'r', 'f', 'y'], samples: 100, clipped: [] },
  { id: 'edgetpu-strict', method: 'minmax', tensors: ['x', 'r', 'f', 'y'], samples: 100, clipped: [] },
  { id: 'hailo8-w4a8', method: 'minmax', tensors: ['x', 'c', 'r', 'f', 'y'], samples: 64, clipped: [] },
  { id: 'openvino-nncf-perf', method: 'mean-minmax', tensors: ['x', 'c', 'r', 'f', 'y'], samples: 112, clipped: ['x', 'c', 'r', 'f', 'y'] },
  { id: 'trt-int8-entropy', method: 'entropy', tensors: ['x', 'r', 'f', 'y'], samples: 100, clipped: ['x', 'r', 'f', 'y'] },
  { id: 'qnn-htp-w8a8-tfe', method: 'sqnr', tensors: ['x', 'r', 'f', 'y'], samples: 100, clipped: ['x', 'r', 'f'] },
  { id: 'qnn-htp-w8a16', method: 'sqnr', tensors: ['x', 'r', 'f', 'y'], samples: 100, clipped: [] },
  { id: 'rknn-mmse', method: 'mse', tensors: ['x', 'r', 'f', 'y'], samples: 50, clipped: ['x', 'r', 'f'] },
  { id: 'vitis-dpu-pow2', method: 'pow2', tensors: ['x', 'r', 'f', 'y'], samples: 100, clipped: ['x', 'r', 'f'] },
];

interface Checked {
  readonly activations: readonly ActivationQParams[];
  /** Tensors whose grid range leaves out more than one step of the observed range. */
  readonly clipped: readonly string[];
}

/** Compiles with `profile`, recomputes every activation's (s, zp) with the reference, compares exactly. */
async function check(
  profile: BackendProfile,
  bytes: Uint8Array,
  batches: readonly Float32Array[],
  tensors: readonly string[],
  samples: number,
  fixedBatch?: number,
): Promise<Checked> {
  const compiled = await compileForBackend(bytes, profile, batches);
  expect(compiled.calibration.samples).toBe(samples);
  expect(compiled.activations.map((a) => a.tensor)).toEqual(tensors);
  const captured = await capture(bytes, tensors, batches, profile.calibration.samples, fixedBatch);
  const got: Record<string, unknown>[] = [];
  const want: Record<string, unknown>[] = [];
  const clipped: string[] = [];
  // Samples per captured batch, from the model input x[N, 1, 32, 32].
  const rows = captured.get('x')!.map((u) => u.length / (32 * 32));
  for (const a of compiled.activations) {
    const units = captured.get(a.tensor)!;
    const ref = reference(profile, units, rows);
    got.push({ tensor: a.tensor, scale: a.scale, zeroPoint: a.zeroPoint, elemType: a.elemType, source: a.source });
    want.push({ tensor: a.tensor, scale: Math.fround(ref.scale), zeroPoint: ref.zeroPoint, elemType: ELEM(ref.grid), source: 'calibrated' });
    const { lo, hi } = absoluteMinMax(units);
    if (hi > (ref.grid.qmax - a.zeroPoint + 1) * a.scale || lo < (ref.grid.qmin - a.zeroPoint - 1) * a.scale) clipped.push(a.tensor);
  }
  expect(got).toEqual(want);
  return { activations: compiled.activations, clipped };
}

describe('activation calibrators vs independent references (docs/backends.md#calibration)', () => {
  it('range to scale and zero point: the hand-written range → (s, zp) matches quant-grid qparamsForRange', () => {
    const r = rng(7);
    const grids: [Grid, Parameters<typeof createScheme>[0]][] = [
      [gridOf(8, true, false), { bits: 8, signed: true, symmetric: false }],
      [gridOf(8, false, false), { bits: 8, signed: false, symmetric: false }],
      [gridOf(16, false, false), { bits: 16, signed: false, symmetric: false }],
      [gridOf(8, true, true), { bits: 8, signed: true, symmetric: true }],
      [gridOf(8, false, true), { bits: 8, signed: false, symmetric: true }],
    ];
    for (const [g, opts] of grids) {
      const scheme = createScheme(opts);
      for (let i = 0; i < 2000; i++) {
        // Ranges over several magnitudes, some all-negative / all-positive / touching 0.
        const mag = () => 10 ** (4 * r());
        const a = Math.fround(r() * mag());
        const b = Math.fround(a + Math.abs(r()) * mag());
        // Every 7th range is exactly symmetric: qmin − lo/s is then a tie (127.5 on uint8).
        const [l, h] = i % 7 === 6 ? [-Math.abs(a), Math.abs(a)] : i % 5 === 0 ? [0, Math.abs(b)] : i % 5 === 1 ? [-Math.abs(a), 0] : [a, b];
        const mine = rangeToQParams(l, h, g);
        const theirs = qparamsForRange(l, h, scheme);
        expect([Math.fround(theirs.scale), theirs.zeroPoint], `${JSON.stringify(opts)} [${l}, ${h}]`).toEqual([Math.fround(mine.scale), mine.zeroPoint]);
      }
    }
  });

  it('covers every built-in static profile that calibrates', () => {
    const calibrating = Object.values(builtinProfiles).filter((p) => p.activationMode === 'static' && p.calibration.method !== 'none');
    expect(CASES.map((c) => c.id).sort()).toEqual(calibrating.map((p) => p.id).sort());
    expect(new Set(CASES.map((c) => c.method))).toEqual(new Set(['minmax', 'mean-minmax', 'entropy', 'sqnr', 'mse', 'pow2']));
  });

  for (const c of CASES) {
    it(`${c.id} (${c.method}): scale and zero point of every activation equal the reference`, async () => {
      const profile = builtinProfiles[c.id];
      expect(profile.calibration.method).toBe(c.method);
      const { activations, clipped } = await check(profile, fpBytes, BATCHES, c.tensors, c.samples);
      expect(clipped).toEqual(c.clipped);
      // Signed input vs non-negative post-ReLU tensors: only unsignedIfNonNeg switches storage.
      const types = Object.fromEntries(activations.map((a) => [a.tensor, a.elemType]));
      const a = profile.activations as TensorGrid;
      const storage = `${a.signed ? '' : 'u'}int${a.bits}`;
      if (a.symmetric === 'unsignedIfNonNeg') expect(types).toEqual({ x: 'int8', c: 'int8', r: 'uint8', f: 'uint8', y: 'int8' });
      else expect(new Set(Object.values(types))).toEqual(new Set([storage]));
    });
  }

  it('openvino-nncf-perf: 300-sample limit cuts a batch; a fixed-batch model averages per chunk', async () => {
    const profile = builtinProfiles['openvino-nncf-perf'];
    const big = [128, 128, 64].map((n, b) => laplace(n * SAMPLE_SIZE, 300 + b, 1 + b));
    await check(profile, fpBytes, big, ['x', 'c', 'r', 'f', 'y'], 300);
    // Fixed batch 8: each 24-sample batch runs as three chunks, each one calibrator batch.
    const fixed = modelBytes(8);
    const chunks = [24, 24, 16].map((n, b) => laplace(n * SAMPLE_SIZE, 400 + b, 1 + b / 2));
    await check(profile, fixed, chunks, ['x', 'c', 'r', 'f', 'y'], 64, 8);
  });
});
