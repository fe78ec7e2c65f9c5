/**
 * compileForBackend on a model with two data inputs and two outputs: every built-in profile
 * compiles it from calibration feeds by input name, ONNX Runtime accepts both the emulated and
 * the native model and runs them on both inputs, activations are planned on both input paths, and
 * the errors a caller can make name the input at fault.
 */
import { isQuantTrimError } from '@quant-trim/errors';
import { ort } from '@quant-trim/test-utils/onnx';
import { describe, expect, it } from 'vitest';
import { compileForBackend } from '../../src/compile/compileForBackend.js';
import { builtinProfiles } from '../../src/profiles/builtinProfiles.js';
import { values } from './fixtures.js';
import { feedBatches, multiInputModel } from './multiInputModel.js';

const PROFILES = Object.values(builtinProfiles);

async function errorOf(p: Promise<unknown>): Promise<{ code: string; message: string }> {
  try {
    await p;
  } catch (e) {
    if (isQuantTrimError(e)) return { code: e.code, message: e.message };
    throw e;
  }
  throw new Error('expected a QuantTrimError');
}

describe('compileForBackend: two data inputs, two outputs', () => {
  it.each(PROFILES.map((p) => [p.id, p] as const))('%s compiles it; ORT runs the emulated and the native model on both inputs', async (_id, profile) => {
    const compiled = await compileForBackend(multiInputModel(), profile, feedBatches(3, 8, 1));
    const feeds = { image: new ort.Tensor('float32', values(5 * 36, 91, 1.5), [5, 1, 6, 6]), meta: new ort.Tensor('float32', values(5 * 4, 92, 1), [5, 4]) };
    for (const [mode, level] of [
      ['emulate', 'disabled'],
      ['native', 'all'],
    ] as const) {
      const session = await ort.InferenceSession.create(compiled.bytes(mode), { graphOptimizationLevel: level, logSeverityLevel: 3 });
      expect([...session.inputNames].sort()).toEqual(['image', 'meta']);
      expect([...session.outputNames]).toEqual(['seg', 'logits']);
      const out = await session.run(feeds);
      expect(out['seg']!.dims).toEqual([5, 3, 6, 6]);
      expect(out['logits']!.dims).toEqual([5, 3]);
      expect([...(out['logits']!.data as Float32Array)].every(Number.isFinite)).toBe(true);
      await session.release();
    }
    const staticInteger = profile.activationMode === 'static' && 'bits' in profile.activations;
    if (staticInteger) {
      // Both input paths are calibrated: the Gemm reading `meta` and the Conv reading `image` get input quantizers.
      const tensors = compiled.activations.map((a) => a.tensor);
      if (compiled.coverage.find((c) => c.node === 'meta_fc')?.numerics === 'integer') expect(tensors).toContain('meta');
      if (compiled.coverage.find((c) => c.node === 'conv')?.numerics === 'integer') expect(tensors).toContain('image');
      expect(compiled.calibration.samples).toBe(Math.min(24, profile.calibration.samples));
    } else {
      expect(compiled.calibration.samples).toBe(0);
    }
  });

  it('tflite-int8 quantizes both inputs and both outputs (every path planned)', async () => {
    const compiled = await compileForBackend(multiInputModel(), builtinProfiles['tflite-int8'], feedBatches(2, 8, 1));
    const tensors = compiled.activations.map((a) => a.tensor);
    for (const t of ['image', 'meta', 'seg', 'logits', 'm', 'a']) expect(tensors).toContain(t);
  });

  it('re-batches feeds for a fixed batch in step across inputs, leaving out a partial last chunk', async () => {
    const compiled = await compileForBackend(multiInputModel({ batch: 2 }), builtinProfiles['tflite-int8'], feedBatches(3, 3, 5));
    // 9 samples in batches of 3 → 4 chunks of 2; the ninth sample waits for a chunk that never completes.
    expect(compiled.calibration).toMatchObject({ samples: 8, batches: 3 });
  });

  it('an async iterable of feeds works, and calibrationAgain re-reads feeds for biasCorrection', async () => {
    async function* feeds() {
      yield* feedBatches(2, 8, 3);
    }
    const nncf = builtinProfiles['openvino-nncf-perf'];
    const compiled = await compileForBackend(multiInputModel(), nncf, feeds(), { calibrationAgain: () => feedBatches(2, 8, 3) });
    expect(compiled.calibration.samples).toBe(Math.min(16, nncf.calibration.samples));
    if (nncf.postQuant?.includes('biasCorrection')) expect(compiled.biasCorrections.length).toBeGreaterThan(0);
  });

  it('refuses, naming the input: a Float32Array batch, a missing or unknown input name, a bad batch, inputShape, a non-float input', async () => {
    const tflite = builtinProfiles['tflite-int8'];
    const cases: [() => Promise<unknown>, RegExp][] = [
      [() => compileForBackend(multiInputModel(), tflite, [values(36, 1)]), /Float32Array feeds a single-input model.*'image', 'meta'/],
      [() => compileForBackend(multiInputModel(), tflite, [{ image: values(36, 1) }]), /no data for the input 'meta'/],
      [() => compileForBackend(multiInputModel(), tflite, [{ image: values(36, 1), meta: values(4, 1), extra: values(4, 1) }]), /'extra' is not a data input/],
      [() => compileForBackend(multiInputModel(), tflite, [{ image: values(36, 1), meta: values(5, 1) }]), /input 'meta'.*whole samples of 4 values/],
      [() => compileForBackend(multiInputModel(), tflite, [{ image: values(72, 1), meta: values(4, 1) }]), /input 'meta' has 1 samples, 'image' 2/],
      [
        () => compileForBackend(multiInputModel(), tflite, feedBatches(1, 2, 1), { inputShape: [1, 6, 6] }),
        /options\.inputShape is for single-input models.*inputShapes/,
      ],
      [
        () => compileForBackend(multiInputModel(), tflite, feedBatches(1, 2, 1), { inputShapes: { nope: [4] } }),
        /inputShapes\['nope'\]: the model has no data input/,
      ],
      [() => compileForBackend(multiInputModel({ metaType: 7 }), tflite, feedBatches(1, 2, 1)), /input 'meta' is not float32/],
    ];
    for (const [p, message] of cases) {
      const e = await errorOf(p());
      expect(e.code).toBe('QT_INVALID_ARGUMENT');
      expect(e.message).toMatch(message);
    }
  });

  it('a single-input model keeps its messages for batches that are not Float32Arrays of whole samples', async () => {
    const single = multiInputModel();
    single.graph.inputs = single.graph.inputs.filter((v) => v.name === 'image');
    single.graph.nodes = single.graph.nodes.filter((n) => n.name !== 'meta_fc' && n.name !== 'head' && n.name !== 'add');
    single.graph.outputs = single.graph.outputs.filter((o) => o.name === 'seg');
    for (const batch of [[1, 2, 3], Float64Array.of(1, 2), values(35, 1)]) {
      const e = await errorOf(compileForBackend(single, builtinProfiles['tflite-int8'], [batch as Float32Array]));
      expect(e).toMatchObject({
        code: 'QT_INVALID_ARGUMENT',
        message: expect.stringMatching(/calibration batch 0: expected a non-empty Float32Array of whole samples of 36 values \[1, 6, 6\]/) as unknown as string,
      });
    }
  });

  it('a symbolic sample axis needs inputShapes for that input', async () => {
    const model = multiInputModel();
    model.graph.inputs[1]!.shape = ['N', 'features'];
    const e = await errorOf(compileForBackend(model, builtinProfiles['tflite-int8'], feedBatches(1, 2, 1)));
    expect(e).toMatchObject({ code: 'QT_INVALID_ARGUMENT' });
    expect(e.message).toMatch(/input 'meta' has no static sample shape; pass options\.inputShapes\['meta'\]/);
    const compiled = await compileForBackend(model, builtinProfiles['tflite-int8'], feedBatches(1, 2, 1), { inputShapes: { meta: [4] } });
    expect(compiled.calibration.samples).toBe(2);
  });
});
