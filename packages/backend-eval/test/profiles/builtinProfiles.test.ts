import { defaultRegistry } from '@quant-trim/quant-grid';
import { describe, expect, it } from 'vitest';
import { type BackendProfile, type TensorGrid, builtinProfiles, createBackendRegistry, defaultBackendRegistry, validateProfile } from '../../src/index.js';

const IDS = [
  'trt-int8-entropy',
  'tflite-int8',
  'tflite-16x8',
  'edgetpu-strict',
  'qnn-htp-w8a8-tfe',
  'qnn-htp-w8a16',
  'hailo8-w4a8',
  'rknn-mmse',
  'vitis-dpu-pow2',
  'openvino-nncf-perf',
  'ort-dynamic-u8s8',
  'coreml-weight-only',
];
const all = Object.values(builtinProfiles) as BackendProfile[];
const intGrid = (g: unknown) => g as TensorGrid;

describe('built-in profiles', () => {
  it('are the 12 profiles of docs/backends.md#the-built-in-profiles, registered under their ids', () => {
    expect(Object.keys(builtinProfiles)).toEqual(IDS);
    expect(createBackendRegistry().ids()).toEqual([...IDS].sort());
    expect(defaultBackendRegistry.ids()).toEqual([...IDS].sort());
    for (const id of IDS) expect(createBackendRegistry().get(id as keyof typeof builtinProfiles).id).toBe(id);
  });

  it.each(all.map((p) => [p.id, p] as const))('%s validates, is deep-frozen, cites sources and round-trips through JSON', (_id, profile) => {
    expect(validateProfile(profile)).toEqual(profile);
    expect(Object.isFrozen(profile)).toBe(true);
    expect(Object.isFrozen(profile.calibration)).toBe(true);
    expect(Object.isFrozen(profile.ops.supported)).toBe(true);
    expect(profile.sources.length).toBeGreaterThan(0);
    for (const source of profile.sources) expect(source.url).toMatch(/^https?:\/\//);
    expect(validateProfile(JSON.parse(JSON.stringify(profile)))).toEqual(profile);
  });

  it("uses calibrators that exist in quant-grid's registry", () => {
    const names = defaultRegistry.calibratorNames();
    for (const profile of all) {
      if (profile.calibration.method !== 'none') expect(names).toContain(profile.calibration.method);
    }
    expect(all.map((p) => p.calibration.method)).toEqual([
      'entropy',
      'minmax',
      'minmax',
      'minmax',
      'sqnr',
      'sqnr',
      'minmax',
      'mse',
      'pow2',
      'mean-minmax',
      'none',
      'none',
    ]);
  });

  it('builds real quant-grid calibrators from every calibration spec', () => {
    for (const profile of all) {
      const { method, options } = profile.calibration;
      if (method !== 'none') expect(() => defaultRegistry.calibrator(method, options as never)).not.toThrow();
    }
  });
});

describe('spot checks against docs/backends.md#the-built-in-profiles', () => {
  const p = builtinProfiles;

  it('P1 trt-int8-entropy: s8 sym activations, entropy, per-op fp16 fallback', () => {
    expect(p['trt-int8-entropy'].activations).toEqual({
      bits: 8,
      signed: true,
      symmetric: true,
      range: 'full',
      granularity: 'per-tensor',
      scale: 'float32',
      rounding: 'half-even',
    });
    expect(p['trt-int8-entropy'].weights).toMatchObject({ symmetric: true, range: 'narrow', granularity: { kind: 'per-channel' } });
    expect(p['trt-int8-entropy'].calibration).toMatchObject({ method: 'entropy', options: { bins: 2048, start: 128 } });
    expect(p['trt-int8-entropy'].fallback).toEqual({ policy: 'per-op', target: 'fp16' });
    expect(p['trt-int8-entropy'].evidence['weights.range']).toBe('third-party');
  });

  it('P2 tflite-int8: narrow sym per-channel W, s8 asym A, half-away, fixed outputs, fixed-double requant', () => {
    const t = p['tflite-int8'];
    expect(t.weights).toEqual({
      bits: 8,
      signed: true,
      symmetric: true,
      range: 'narrow',
      granularity: { kind: 'per-channel' },
      scale: 'float32',
      rounding: 'half-away',
    });
    expect(t.activations).toMatchObject({ bits: 8, signed: true, symmetric: false, rounding: 'half-away' });
    expect(t.fixedOutput?.Softmax).toEqual({ scale: 1 / 256, zeroPoint: -128 });
    expect(t.fixedOutput?.LogSoftmax).toEqual({ scale: 16 / 256, zeroPoint: 127 });
    expect(t.sharedScale).toContain('Concat');
    expect(t.requant).toBe('fixed-double');
    expect(t.bias).toEqual({ bits: 32, scale: 'product', rounding: 'half-away' });
    expect(t.calibration).toEqual({ method: 'minmax', samples: 100 });
  });

  it('P3 tflite-16x8: s16 sym activations marked uncertain', () => {
    expect(p['tflite-16x8'].activations).toMatchObject({ bits: 16, signed: true, symmetric: true });
    expect(p['tflite-16x8'].evidence['activations.symmetric']).toBe('uncertain');
    expect(p['tflite-16x8'].weights).toEqual(p['tflite-int8'].weights);
  });

  it('P4 edgetpu-strict: P2 numerics, single-cut fallback to CPU int8', () => {
    const e = p['edgetpu-strict'];
    expect(e.fallback).toEqual({ policy: 'single-cut', target: 'cpu-int8' });
    expect(e.activations).toEqual(p['tflite-int8'].activations);
    expect(e.ops.supported).not.toContain('Transpose');
    expect(e.ops.limits?.['*']?.maxNonUnitInnermostDims).toBe(3);
  });

  it('P5/P6 qnn-htp: u8 and u16 asym activations, SQNR, unsignedIfNonNeg weights', () => {
    expect(p['qnn-htp-w8a8-tfe'].activations).toMatchObject({ bits: 8, signed: false, symmetric: false });
    expect(p['qnn-htp-w8a16'].activations).toMatchObject({ bits: 16, signed: false, symmetric: false, rounding: 'half-even' });
    expect(p['qnn-htp-w8a16'].weights).toMatchObject({ symmetric: 'unsignedIfNonNeg', range: 'full' });
    expect(p['qnn-htp-w8a8-tfe'].calibration.method).toBe('sqnr');
    expect(p['qnn-htp-w8a8-tfe'].evidence['activations.rounding']).toBe('third-party');
  });

  it('P7 hailo8-w4a8: mixed 4/8/16-bit weights, 64 samples, graph-cut', () => {
    const h = p['hailo8-w4a8'];
    expect(h.mixedPrecision?.weightBits).toEqual([4, 8, 16]);
    expect(h.calibration.samples).toBe(64);
    expect(h.preQuant).toEqual(['equalization']);
    expect(h.postQuant).toEqual(['finetune']);
    expect(h.fallback.policy).toBe('graph-cut');
  });

  it('P8 rknn-mmse: MSE with 50 samples, 30-bit bias', () => {
    expect(p['rknn-mmse'].calibration).toMatchObject({ method: 'mse', samples: 50 });
    expect(p['rknn-mmse'].bias?.bits).toBe(30);
  });

  it('P9 vitis-dpu-pow2: pow2 scales on both, half-up activation rounding', () => {
    const v = p['vitis-dpu-pow2'];
    expect(intGrid(v.weights).scale).toBe('pow2');
    expect(intGrid(v.activations)).toMatchObject({ scale: 'pow2', rounding: 'half-up', symmetric: true });
    expect(v.calibration.method).toBe('pow2');
    expect(v.evidence['activations.rounding']).toBe('third-party');
  });

  it('P10 openvino-nncf-perf: mean min/max over 300 samples, bias correction, unsigned-if-non-negative A', () => {
    const o = p['openvino-nncf-perf'];
    expect(o.calibration).toEqual({ method: 'mean-minmax', options: { perSample: true }, samples: 300 });
    expect(o.postQuant).toEqual(['biasCorrection']);
    expect(intGrid(o.activations).symmetric).toBe('unsignedIfNonNeg');
  });

  it('P11 ort-dynamic-u8s8: dynamic u8 activations, no calibration, MatMul/Gemm only', () => {
    const o = p['ort-dynamic-u8s8'];
    expect(o.activationMode).toBe('dynamic');
    expect(o.calibration).toEqual({ method: 'none', samples: 0 });
    expect(o.ops.supported).toEqual(['MatMul', 'Gemm']);
    expect(o.weights).toMatchObject({ granularity: 'per-tensor', range: 'narrow' });
  });

  it('P12 coreml-weight-only: int8 weights, float16 activations, no bias quantization', () => {
    const c = p['coreml-weight-only'];
    expect(c.activations).toEqual({ kind: 'float16' });
    expect(c.weights).toMatchObject({ bits: 8, granularity: { kind: 'per-channel' } });
    expect(c.bias).toBeNull();
  });
});
