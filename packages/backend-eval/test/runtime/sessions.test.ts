import { isQuantTrimError } from '@quant-trim/errors';
import { exactIntegerKernels } from '@quant-trim/test-utils/onnx';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ExecutionMode, RuntimeName } from '../../src/evaluate/reportTypes.js';
import { createRuntimeSession, type RuntimeSession } from '../../src/runtime/sessions.js';
import { CLASSES, qdqModel, qdqReference, SAMPLE, SAMPLE_SIZE, values, type ScaleKind } from './models.js';

const N = 48;
/**
 * Inputs in [-2.2, 2.2): some saturate the input quantizer (range [-2, 2) for pow2 scales). The
 * first two samples are exact ties of the pow2 input scale 2^-6, so rounding half to even counts.
 */
const X = values(N * SAMPLE_SIZE, 7, 2.2).map((v, i) => (i < 2 * SAMPLE_SIZE ? ((i % 9) - 4 + 0.5) / 64 : v));
const RUNTIMES: RuntimeName[] = ['onnxruntime-node', 'onnxruntime-web'];
const MODES: ExecutionMode[] = ['emulate', 'native'];

const maxAbsDiff = (a: Float32Array, b: Float32Array) => a.reduce((m, v, i) => Math.max(m, Math.abs(v - b[i]!)), 0);

/** Logits of every runtime × mode for one model. */
async function allLogits(bytes: Uint8Array): Promise<Map<string, Float32Array>> {
  const out = new Map<string, Float32Array>();
  for (const runtime of RUNTIMES) {
    for (const mode of MODES) {
      const s = await createRuntimeSession(runtime, bytes, { mode });
      out.set(`${runtime}/${mode}`, await s.run(X, [N, ...SAMPLE]));
      await s.release();
    }
  }
  return out;
}

describe('createRuntimeSession', () => {
  let session: RuntimeSession;
  beforeAll(async () => {
    session = await createRuntimeSession('onnxruntime-node', qdqModel('real'), { mode: 'native' });
  });
  afterAll(() => session.release());

  it('describes the session', () => {
    expect(session).toMatchObject({ runtime: 'onnxruntime-node', version: '1.30.0', mode: 'native', threads: 1, inputName: 'x', outputName: 'y' });
    expect(session.inputShape).toEqual(['N', 1, 6, 6]);
  });

  it('runs web with its own version and one wasm thread', async () => {
    const web = await createRuntimeSession('onnxruntime-web', qdqModel('real'), { mode: 'emulate' });
    expect(web).toMatchObject({ runtime: 'onnxruntime-web', version: '1.30.0', mode: 'emulate', threads: 1 });
    // The wasm fixed numThreads when it loaded: a later request for 2 reports the 1 in effect.
    const second = await createRuntimeSession('onnxruntime-web', qdqModel('real'), { mode: 'emulate', threads: 2 });
    expect(second.threads).toBe(1);
    await web.release();
    await second.release();
  });

  it('checks the feed against its dims', async () => {
    await expect(session.run(new Float32Array(10), [1, ...SAMPLE])).rejects.toSatisfy((e) => isQuantTrimError(e, 'QT_SHAPE_MISMATCH'));
  });

  it('rejects bad options with coded errors', async () => {
    await expect(createRuntimeSession('onnxruntime-node', qdqModel('real'), { mode: 'fast' as ExecutionMode })).rejects.toSatisfy((e) =>
      isQuantTrimError(e, 'QT_INVALID_ARGUMENT'),
    );
    await expect(createRuntimeSession('onnxruntime-node', qdqModel('real'), { mode: 'native', threads: 0 })).rejects.toSatisfy((e) =>
      isQuantTrimError(e, 'QT_INVALID_ARGUMENT'),
    );
  });

  it('names the package and the install command when the runtime cannot be imported', async () => {
    const importRuntime = () => Promise.reject(new Error("Cannot find package 'onnxruntime-web'"));
    const error: unknown = await createRuntimeSession('onnxruntime-web', qdqModel('real'), { mode: 'native', importRuntime }).catch((e: unknown) => e);
    expect(isQuantTrimError(error, 'QT_BACKEND_UNAVAILABLE')).toBe(true);
    expect((error as Error).message).toContain('`npm install onnxruntime-web`');
  });
});

describe.each<ScaleKind>(['pow2', 'real'])('QDQ model with %s scales on node and web', (kind) => {
  const ref = qdqReference(kind, X);
  let logits: Map<string, Float32Array>;
  beforeAll(async () => {
    logits = await allLogits(qdqModel(kind));
  });

  it('gives identical logits on node and web in each mode (float rounding with real scales)', () => {
    // Observed: 0 with pow2 scales (every float op exact); 4.8e-7 with real scales (the float
    // Gemm's accumulation order differs), in both modes.
    const kernels = exactIntegerKernels();
    for (const mode of MODES) {
      // Native node runs MLAS's integer kernels, which saturate on x86 without VNNI (web's wasm ones do not).
      if (mode === 'native' && !kernels.exact) {
        console.info(`skipping node = web in native mode: ${kernels.reason}`);
        continue;
      }
      const d = maxAbsDiff(logits.get(`onnxruntime-node/${mode}`)!, logits.get(`onnxruntime-web/${mode}`)!);
      if (kind === 'pow2') expect(d).toBe(0);
      else expect(d).toBeLessThan(2e-6);
    }
  });

  it('emulates the Q/DQ numerics of a typed-array reference', () => {
    for (const runtime of RUNTIMES) {
      const y = logits.get(`${runtime}/emulate`)!;
      expect(y).toHaveLength(N * CLASSES);
      // pow2: bit-exact. real: float32 rounding of Conv/Gemm sums only (no quantization step flips).
      if (kind === 'pow2') expect(y).toEqual(ref);
      else expect(maxAbsDiff(y, ref)).toBeLessThan(2e-6);
    }
  });

  it('stays on the same quantization grid when ORT fuses to integer kernels (native)', () => {
    const kernels = exactIntegerKernels();
    for (const runtime of RUNTIMES) {
      if (runtime === 'onnxruntime-node' && !kernels.exact) {
        console.info(`skipping onnxruntime-node native on the grid: ${kernels.reason}`);
        continue;
      }
      expect(maxAbsDiff(logits.get(`${runtime}/native`)!, ref)).toBeLessThan(kind === 'pow2' ? 1e-9 : 2e-6);
    }
  });
});

describe('QDQ model with a float32 Conv bias beside DQ weights', () => {
  it('emulate runs the float bias as written (optimization disabled), on node and web', async () => {
    const bytes = qdqModel('pow2', { floatBias: true });
    const ref = qdqReference('pow2', X, { floatBias: true });
    for (const runtime of RUNTIMES) {
      const s = await createRuntimeSession(runtime, bytes, { mode: 'emulate' });
      expect(await s.run(X, [N, ...SAMPLE])).toEqual(ref);
      await s.release();
    }
  });

  it('native differs beyond float rounding: ORT quantizes the float bias to int32 for QLinearConv', async () => {
    const bytes = qdqModel('pow2', { floatBias: true });
    const ref = qdqReference('pow2', X, { floatBias: true });
    const s = await createRuntimeSession('onnxruntime-node', bytes, { mode: 'native' });
    // Observed 9.2e-3 with this model.
    expect(maxAbsDiff(await s.run(X, [N, ...SAMPLE]), ref)).toBeGreaterThan(1e-4);
    await s.release();
  });
});
