/**
 * A third-party plugin, written the way an outside package would: imports only the public entry,
 * augments the name registries so its names type-check, and is used through the same registry
 * calls as the built-ins.
 */
import {
  type Calibrator,
  type CalibratorState,
  type QParams,
  type QuantScheme,
  computeQParams,
  createRegistry,
  defaultRegistry,
  defineCalibrator,
  defineScheme,
  fakeQuantize,
  isQuantTrimError,
} from '@quant-trim/quant-grid';
import { describe, expect, it } from 'vitest';

// ---- the plugin package -------------------------------------------------------------------

interface AcmeInt6Options {
  /** Extra room added on both sides of the observed range. */
  headroom?: number;
}

interface LastValueOptions {
  granularity?: { kind: 'per-tensor' };
}

declare module '@quant-trim/quant-grid' {
  interface SchemeRegistry {
    'acme-int6': AcmeInt6Options;
  }
  interface CalibratorRegistry {
    'acme-last-value': LastValueOptions;
  }
}

const acmeInt6 = defineScheme<AcmeInt6Options>({
  name: 'acme-int6',
  description: 'asymmetric 6-bit with 10 % headroom',
  create: () => ({ bits: 6, symmetric: false, signed: false }),
  // Custom parameter rule: widen the range before the affine mapping.
  qparams: (lo, hi, scheme) => {
    const pad = 0.1 * (hi - lo);
    const l = Math.min(lo - pad, 0);
    const h = Math.max(hi + pad, 0);
    const scale = Math.fround(Math.max((h - l) / (scheme.qmax - scheme.qmin), scheme.minScale));
    return { scale, zeroPoint: Math.min(scheme.qmax, Math.max(scheme.qmin, Math.round(-l / scale))) };
  },
});

/** Keeps the range of the most recent batch only (TFMOT's LastValueQuantizer). */
class LastValueCalibrator implements Calibrator<LastValueOptions, { lo: number; hi: number; batches: number } | null> {
  readonly name = 'acme-last-value';
  #lo = 0;
  #hi = 0;
  #batches = 0;
  constructor(readonly options: LastValueOptions) {}
  get batches() {
    return this.#batches;
  }
  observe(x: Float32Array): void {
    let lo = Infinity;
    let hi = -Infinity;
    for (const v of x) {
      if (v < lo) lo = v;
      if (v > hi) hi = v;
    }
    this.#lo = lo;
    this.#hi = hi;
    this.#batches++;
  }
  compute(scheme: QuantScheme): QParams {
    return computeQParams({ min: this.#lo, max: this.#hi }, scheme);
  }
  reset(): void {
    this.#batches = 0;
  }
  toJSON(): CalibratorState<LastValueOptions, { lo: number; hi: number; batches: number }> {
    return { name: this.name, version: 1, options: this.options, state: { lo: this.#lo, hi: this.#hi, batches: this.#batches } };
  }
  load(state: { lo: number; hi: number; batches: number } | null): this {
    if (state) {
      this.#lo = state.lo;
      this.#hi = state.hi;
      this.#batches = state.batches;
    }
    return this;
  }
}

const lastValue = defineCalibrator<LastValueOptions>({ name: 'acme-last-value', create: (options = {}) => new LastValueCalibrator(options) });

// ---- the user ------------------------------------------------------------------------------

describe('third-party scheme and calibrator plugins', () => {
  it('register and resolve through the same calls as built-ins', () => {
    const registry = createRegistry();
    registry.registerScheme(acmeInt6);
    registry.registerCalibrator(lastValue);
    expect(registry.schemeNames()).toContain('acme-int6');
    expect(registry.schemeNames()).toContain('int8-sym-per-channel');
    expect(registry.calibratorNames()).toEqual(expect.arrayContaining(['acme-last-value', 'minmax']));

    const scheme = registry.scheme('acme-int6', { headroom: 0.1 });
    expect(scheme).toMatchObject({ name: 'acme-int6', bits: 6, qmin: 0, qmax: 63 });

    const observer = registry.calibrator('acme-last-value');
    observer.observe(new Float32Array([-10, 10]));
    observer.observe(new Float32Array([-1, 2]));
    const qp = observer.compute(scheme);
    // Custom rule: [-1.3, 2.3] → s = 3.6 / 63
    expect(qp.scale[0]).toBe(Math.fround(3.6 / 63));
    const y = fakeQuantize(new Float32Array([2.25, 0]), [1, 2], qp, scheme);
    expect(Math.abs(y[0]! - 2.25)).toBeLessThan(qp.scale[0]!);
    expect(y[1]).toBe(0);

    // The built-in path with the same registry, side by side.
    const builtin = registry.calibrator('minmax');
    builtin.observe(new Float32Array([-1, 2]));
    expect(builtin.compute(registry.scheme('uint8-asym-per-tensor')).scale[0]).toBe(Math.fround(3 / 255));

    // The plugin calibrator round-trips through JSON like the built-ins.
    const restored = registry.restoreCalibrator(JSON.parse(JSON.stringify(observer.toJSON())));
    expect(restored.compute(scheme)).toEqual(qp);
  });

  it('follows the registry duplicate and unknown-name rules', () => {
    const registry = createRegistry();
    registry.registerScheme(acmeInt6);
    registry.registerScheme(acmeInt6); // same object twice: nothing happens
    let err: unknown;
    try {
      registry.registerScheme({ ...acmeInt6 });
    } catch (e) {
      err = e;
    }
    expect(isQuantTrimError(err, 'QT_DUPLICATE_NAME')).toBe(true);
    registry.registerScheme({ ...acmeInt6, description: 'replaced' }, { override: true });
    expect(registry.schemeDefinition('acme-int6').description).toBe('replaced');
    try {
      registry.registerScheme({ name: 'int8-sym-per-channel', create: () => ({}) });
    } catch (e) {
      err = e;
    }
    expect(isQuantTrimError(err, 'QT_DUPLICATE_NAME')).toBe(true);

    try {
      // Any string type-checks (a name read from a config file); an unknown one fails when looked up.
      registry.scheme('acme-int7');
    } catch (e) {
      err = e;
    }
    expect(isQuantTrimError(err, 'QT_UNKNOWN_SCHEME')).toBe(true);
    expect((err as Error).message).toMatch(/unknown scheme "acme-int7"; registered: acme-int6, int16-sym-per-tensor, /);
    try {
      registry.calibrator('acme-last-value');
    } catch (e) {
      err = e;
    }
    expect(isQuantTrimError(err, 'QT_UNKNOWN_CALIBRATOR')).toBe(true);
    expect(() => registry.registerCalibrator({ name: 'x' } as never)).toThrowError(/needs a create\(options\) function/);
  });

  it('registries are instances: a plugin on one does not leak into another or the default', () => {
    const a = createRegistry();
    a.registerScheme(acmeInt6);
    expect(createRegistry().schemeNames()).not.toContain('acme-int6');
    expect(defaultRegistry.schemeNames()).not.toContain('acme-int6');
    expect(createRegistry({ builtins: false }).schemeNames()).toEqual([]);
  });

  it('built-in presets take typed options', () => {
    const w = defaultRegistry.scheme('int4-sym-per-group', { axis: 0, groupSize: 16 });
    expect(w.granularity).toEqual({ kind: 'per-group', axis: 0, groupSize: 16 });
    expect(w).toMatchObject({ bits: 4, qmin: -8, qmax: 7, name: 'int4-sym-per-group' });
    expect(defaultRegistry.scheme('int8-sym-narrow-per-channel', { axis: 3 })).toMatchObject({ qmin: -127, granularity: { kind: 'per-channel', axis: 3 } });
    // @ts-expect-error: presets do not take unknown options
    defaultRegistry.scheme('uint8-asym-per-tensor', { bogus: 1 });
  });
});
