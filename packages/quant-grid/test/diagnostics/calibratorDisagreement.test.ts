import { mulberry32 as rng } from '@quant-trim/test-utils';
import { describe, expect, it } from 'vitest';
import { Histogram } from '../../src/calibrators/Histogram.js';
import { defaultRegistry } from '../../src/registry/createRegistry.js';
import { isQuantTrimError } from '@quant-trim/errors';
import { calibratorDisagreement } from '../../src/diagnostics/calibratorDisagreement.js';

const uint8 = defaultRegistry.scheme('uint8-asym-per-tensor');

describe('calibratorDisagreement', () => {
  it('uniform data: every calibrator keeps about the whole range (ratio ≈ 1, nothing much clipped)', () => {
    const r = rng(1);
    const x = Float32Array.from({ length: 64 * 1000 }, () => r());
    const d = calibratorDisagreement(x, uint8, { shape: [64, 1000] });
    expect(d.choices.map((c) => c.method)).toEqual(['minmax', 'mean-minmax', 'percentile', 'entropy', 'mse', 'sqnr', 'pow2']);
    expect(d.ratio).toBeLessThan(1.1);
    for (const c of d.choices) expect(c.clipped).toBeLessThan(0.01);
    const minmax = d.choices.find((c) => c.method === 'minmax')!;
    let lo = Infinity;
    let hi = -Infinity;
    for (const v of x) {
      lo = Math.min(lo, v);
      hi = Math.max(hi, v);
    }
    expect(minmax.range).toEqual([lo, hi]);
    expect(minmax.clipped).toBe(0);
  });

  it('a sparse long tail (post-ReLU-like) pulls the calibrators far apart; the ratio and clipped shares say so', () => {
    const r = rng(2);
    // Half zeros, the rest exp(1)³: a sparse tail to ~1400 while 99.9 % of the values stay below ~350.
    const x = Float32Array.from({ length: 100_000 }, () => (r() < 0.5 ? 0 : (-Math.log(1 - r())) ** 3));
    const d = calibratorDisagreement(x, defaultRegistry.scheme('int8-sym-per-tensor'));
    expect(['minmax', 'pow2']).toContain(d.widest); // pow2 rounds min/max's scale up to a power of two
    expect(d.narrowest).toBe('entropy');
    expect(d.ratio).toBeGreaterThan(6);
    const entropy = d.choices.find((c) => c.method === 'entropy')!;
    const minmax = d.choices.find((c) => c.method === 'minmax')!;
    expect(entropy.grid[1]).toBeLessThan(minmax.grid[1] / 6);
    expect(entropy.clipped).toBeGreaterThan(0.001);
    expect(minmax.clipped).toBe(0);
    expect(d.skipped.map((s) => s.method)).toEqual(['mean-minmax']);
  });

  it('a Histogram gathered elsewhere gives the same ranges as raw values; ranges match the registry calibrators', () => {
    const r = rng(3);
    const x = Float32Array.from({ length: 20_000 }, () => Math.max(0, r() * 2 - 0.6) ** 3);
    const h = new Histogram(2048);
    h.observe(x);
    const fromValues = calibratorDisagreement(x, uint8, { methods: ['minmax', 'entropy', 'mse', 'percentile'] });
    const fromHist = calibratorDisagreement(h, uint8, { methods: ['minmax', 'entropy', 'mse', 'percentile'] });
    expect(fromHist.choices.map((c) => c.grid)).toEqual(fromValues.choices.map((c) => c.grid));
    for (const name of ['entropy', 'mse', 'percentile'] as const) {
      const c = defaultRegistry.calibrator(name);
      c.observe(x);
      const qp = c.compute(uint8);
      const choice = fromValues.choices.find((k) => k.method === name)!;
      expect(choice.scale).toBe(qp.scale[0]);
      expect(choice.zeroPoint).toBe(qp.zeroPoint[0]);
    }
  });

  it('labels repeated calibrators and validates its options with coded errors', () => {
    const x = Float32Array.from({ length: 1000 }, (_, i) => i / 1000);
    const d = calibratorDisagreement(x, uint8, {
      methods: [
        { name: 'percentile', label: 'p99', options: { percentile: 99 } },
        { name: 'percentile', label: 'p100', options: { percentile: 100 } },
      ],
    });
    expect(d.choices.map((c) => c.method)).toEqual(['p99', 'p100']);
    expect(d.choices[0]!.clipped).toBeGreaterThan(0.005);
    const codeOf = (f: () => unknown) => {
      try {
        f();
      } catch (e) {
        return isQuantTrimError(e) ? e.code : 'other';
      }
      return 'none';
    };
    expect(codeOf(() => calibratorDisagreement(x, uint8, { methods: [] }))).toBe('QT_INVALID_ARGUMENT');
    expect(codeOf(() => calibratorDisagreement(x, uint8, { shape: [3, 3] }))).toBe('QT_INVALID_ARGUMENT');
    expect(codeOf(() => calibratorDisagreement(new Float64Array(3) as unknown as Float32Array, uint8))).toBe('QT_INVALID_ARGUMENT');
    expect(codeOf(() => calibratorDisagreement(x, uint8, { methods: ['nope'] }))).toBe('QT_UNKNOWN_CALIBRATOR');
  });
});
