/**
 * A third-party backend profile and calibrator, written the way an outside package would: only
 * public entries, declaration merging for the new id, a fresh registry.
 */
import { type BackendProfile, builtinProfiles, createBackendRegistry, defaultBackendRegistry, defineBackend, isQuantTrimError } from '@quant-trim/backend-eval';
import { createRegistry, defineCalibrator } from '@quant-trim/quant-grid';
import { describe, expect, expectTypeOf, it } from 'vitest';

declare module '@quant-trim/backend-eval' {
  interface BackendRegistry {
    'acme-npu': true;
  }
}
declare module '@quant-trim/quant-grid' {
  interface CalibratorRegistry {
    'acme-clip99': { bins?: number };
  }
}

const calibrators = createRegistry();
calibrators.registerCalibrator(
  defineCalibrator({ name: 'acme-clip99', create: (options: { bins?: number }) => createRegistry().calibrator('percentile', { ...options, percentile: 99 }) }),
);

const acmeNpu = defineBackend(
  {
    id: 'acme-npu',
    name: 'Acme NPU',
    vendor: 'Acme',
    description: 'A 4-bit-weight NPU with u8 activations and a plugin calibrator.',
    weights: { bits: 4, signed: true, symmetric: true, range: 'full', granularity: { kind: 'per-group', size: 32 }, scale: 'float32', rounding: 'half-even' },
    activations: { bits: 8, signed: false, symmetric: false, range: 'full', granularity: 'per-tensor', scale: 'float32', rounding: 'half-up' },
    bias: { bits: 32, scale: 'product', rounding: 'half-even' },
    requant: 'fixed-single',
    calibration: { method: 'acme-clip99', samples: 32 },
    activationMode: 'static',
    ops: { supported: ['Conv', 'Relu', 'Add'] },
    fallback: { policy: 'single-cut', target: 'cpu-int8' },
    device: { name: 'Acme A1', tops: 8, watts: 3 },
    sources: [{ id: 'ACME1', url: 'https://acme.example/npu/quantization' }],
    evidence: { 'activations.rounding': 'uncertain' },
  },
  { calibrators },
);

function codeOf(run: () => unknown): string {
  try {
    run();
  } catch (error) {
    if (isQuantTrimError(error)) return error.code;
    throw error;
  }
  return 'no error';
}

describe('a third-party profile', () => {
  it('is validated and frozen by defineBackend, which registers nothing', () => {
    expect(Object.isFrozen(acmeNpu)).toBe(true);
    expect(defaultBackendRegistry.has('acme-npu')).toBe(false);
    expect(acmeNpu.calibration.method).toBe('acme-clip99');
    expect(calibrators.calibrator('acme-clip99')).toBeDefined();
  });

  it('needs its calibrator to be known', () => {
    expect(codeOf(() => defineBackend({ ...acmeNpu }))).toBe('QT_INVALID_PROFILE');
  });

  it('registers on a fresh registry with the shared duplicate, override and unknown rules', () => {
    const registry = createBackendRegistry({ builtins: false });
    expect(registry.ids()).toEqual([]);
    expect(registry.register(acmeNpu)).toBe(acmeNpu);
    expect(registry.register(acmeNpu)).toBe(acmeNpu);
    const get = registry.get('acme-npu');
    expect(get).toBe(acmeNpu);
    expectTypeOf(get.id).toEqualTypeOf<'acme-npu'>();

    const revised = defineBackend({ ...acmeNpu, description: 'Revised.' }, { calibrators });
    expect(codeOf(() => registry.register(revised))).toBe('QT_DUPLICATE_NAME');
    registry.register(revised, { override: true });
    expect(registry.get('acme-npu').description).toBe('Revised.');
    expect(registry.values()).toEqual([revised]);

    expect(codeOf(() => registry.get('tflite-int8'))).toBe('QT_UNKNOWN_PROFILE');
    // An id neither built in nor added through BackendRegistry type-checks (ids come from config files) and fails at lookup.
    expect(codeOf(() => registry.get('nope'))).toBe('QT_UNKNOWN_PROFILE');
  });

  it('lists the registered ids in the unknown-id message', () => {
    try {
      createBackendRegistry().get('acme-npu');
      expect.unreachable();
    } catch (error) {
      expect(isQuantTrimError(error, 'QT_UNKNOWN_PROFILE')).toBe(true);
      expect((error as Error).message).toContain('unknown backend profile "acme-npu"; registered: coreml-weight-only, edgetpu-strict');
    }
  });

  it('refuses raw objects that did not go through defineBackend', () => {
    const raw = JSON.parse(JSON.stringify(acmeNpu)) as BackendProfile;
    expect(codeOf(() => createBackendRegistry({ builtins: false }).register(raw))).toBe('QT_INVALID_PLUGIN');
  });

  it('can start from a built-in', () => {
    const variant = defineBackend({
      ...builtinProfiles['tflite-int8'],
      id: 'ethos-u-int8',
      name: 'Arm Ethos-U',
      vendor: 'Arm',
      fallback: { policy: 'per-op', target: 'cpu-int8' },
    });
    expect(variant.weights).toEqual(builtinProfiles['tflite-int8'].weights);
    expect(createBackendRegistry().register(variant).id).toBe('ethos-u-int8');
  });
});
