import { type ErrorCode, isQuantTrimError } from '@quant-trim/errors';
import { mulberry32 } from '@quant-trim/test-utils';
import { describe, expect, it } from 'vitest';
import { type QParams, computeQParams } from '../../src/math/computeQParams.js';
import { dequantize } from '../../src/math/dequantize.js';
import { fakeQuantize } from '../../src/math/fakeQuantize.js';
import { createRegistry } from '../../src/registry/createRegistry.js';
import { type QuantScheme, type SchemeOptions, createScheme } from '../../src/scheme.js';
import { histogramCalibrators } from '../../src/calibrators/builtinHistogramCalibrators.js';
import { EntropyCalibrator } from '../../src/calibrators/entropy.js';
import type { HistogramCalibrator, HistogramOptions } from '../../src/calibrators/HistogramCalibrator.js';
import type { CalibratorDefinition } from '../../src/calibrators/types.js';
import { MinMaxCalibrator } from '../../src/calibrators/minMax.js';
import { MseCalibrator } from '../../src/calibrators/mse.js';
import { PercentileCalibrator, type PercentileOptions } from '../../src/calibrators/percentile.js';
import { Pow2Calibrator } from '../../src/calibrators/pow2.js';
import { SqnrCalibrator } from '../../src/calibrators/sqnr.js';

/** N(0, std²) samples, Box–Muller (both outputs). */
function normal(n: number, seed: number, std = 1): Float32Array {
  const r = mulberry32(seed);
  const x = new Float32Array(n);
  for (let i = 0; i < n; i += 2) {
    const m = std * Math.sqrt(-2 * Math.log(1 - r()));
    const a = 2 * Math.PI * r();
    x[i] = m * Math.cos(a);
    if (i + 1 < n) x[i + 1] = m * Math.sin(a);
  }
  return x;
}

function uniform(n: number, lo: number, hi: number, seed: number): Float32Array {
  const r = mulberry32(seed);
  return Float32Array.from({ length: n }, () => lo + (hi - lo) * r());
}

/** Mean squared quant-dequant error of `qp` on the data itself. */
function dataMse(x: Float32Array, qp: QParams, scheme: QuantScheme): number {
  const y = fakeQuantize(x, [x.length], qp, scheme);
  let s = 0;
  for (let i = 0; i < x.length; i++) s += (y[i]! - x[i]!) ** 2;
  return s / x.length;
}

type Make = (options?: HistogramOptions) => HistogramCalibrator<HistogramOptions>;
const makers: Record<'percentile' | 'entropy' | 'mse' | 'sqnr' | 'pow2', Make> = {
  percentile: (o = {}) => new PercentileCalibrator(o),
  entropy: (o = {}) => new EntropyCalibrator(o),
  mse: (o = {}) => new MseCalibrator(o),
  sqnr: (o = {}) => new SqnrCalibrator(o),
  pow2: (o = {}) => new Pow2Calibrator(o),
};
const names = Object.keys(makers) as (keyof typeof makers)[];

function calibrate(c: { observe(x: Float32Array): void; compute(s: QuantScheme): QParams }, x: Float32Array, scheme: QuantScheme): QParams {
  c.observe(x);
  return c.compute(scheme);
}

const int8 = createScheme({ bits: 8 });
/** amax of a signed symmetric grid. */
const amaxOf = (qp: QParams): number => qp.scale[0]! * int8.qmax;

function expectCode(fn: () => unknown, code: ErrorCode, text?: string): void {
  let caught: unknown;
  try {
    fn();
  } catch (e) {
    caught = e;
  }
  expect(isQuantTrimError(caught, code), `expected ${code}, got ${String(caught)}`).toBe(true);
  if (text !== undefined) expect((caught as Error).message).toContain(text);
}

describe('N(0, 1) with 0.1 % of the samples at ±50', () => {
  const n = 200_000;
  const x = normal(n, 1);
  const r = mulberry32(2);
  for (let k = 0; k < n / 1000; k++) x[Math.floor(r() * n)] = r() < 0.5 ? -50 : 50;
  const minmax = calibrate(new MinMaxCalibrator('minmax', 'absolute', {}), x, int8);

  it('min/max keeps the outliers', () => {
    expect(amaxOf(minmax)).toBeCloseTo(50, 4);
  });

  it('percentile 99.99 cannot clip a 0.1 % tail; 99.8 can', () => {
    // 0.1 % of |x| sits at 50 > the 0.01 % that p = 99.99 trims.
    expect(amaxOf(calibrate(new PercentileCalibrator(), x, int8))).toBeGreaterThan(49);
    const t = amaxOf(calibrate(new PercentileCalibrator({ percentile: 99.8 }), x, int8));
    expect(t).toBeGreaterThanOrEqual(2.5);
    expect(t).toBeLessThan(6);
  });

  it('entropy clips the outliers', () => {
    const t = amaxOf(calibrate(new EntropyCalibrator(), x, int8));
    expect(t).toBeGreaterThanOrEqual(2.5);
    expect(t).toBeLessThan(6);
  });

  it('MSE search beats min/max on the data; SQNR keeps the outliers (clipping costs γ·0.1 %·(50 − T)²) and beats it too', () => {
    const mse = calibrate(new MseCalibrator(), x, int8);
    expect(dataMse(x, mse, int8)).toBeLessThan(dataMse(x, minmax, int8));
    expect(amaxOf(mse)).toBeLessThan(50);
    const sqnr = calibrate(new SqnrCalibrator(), x, int8);
    expect(amaxOf(sqnr)).toBeGreaterThan(45);
    expect(dataMse(x, sqnr, int8)).toBeLessThan(dataMse(x, minmax, int8));
  });
});

describe('N(0, 1) with one outlier (−50) in a million', () => {
  const x = normal(1_000_000, 3);
  x[123_456] = -50;
  const minmax = calibrate(new MinMaxCalibrator('minmax', 'absolute', {}), x, int8);

  it('min/max stretches to 50; percentile and entropy clip to the bulk', () => {
    expect(amaxOf(minmax)).toBeCloseTo(50, 4);
    for (const name of ['percentile', 'entropy'] as const) {
      const t = amaxOf(calibrate(makers[name](), x, int8));
      expect(t, name).toBeGreaterThanOrEqual(2.5);
      expect(t, name).toBeLessThan(6);
    }
  });

  it('MSE and SQNR clip it too (less with a larger γ) and beat min/max on the data', () => {
    // The optimum balances γ·1e-6·(50 − T)² against (T/127)²/12 of rounding noise (Gaussian
    // clipping is negligible there): T ≈ 8 for γ = 1 (MSE), T ≈ 18 for SQNR's default γ = 3.
    const mmError = dataMse(x, minmax, int8);
    const mse = calibrate(new MseCalibrator(), x, int8);
    expect(amaxOf(mse)).toBeGreaterThanOrEqual(2.5);
    expect(amaxOf(mse)).toBeLessThan(10);
    expect(dataMse(x, mse, int8)).toBeLessThan(mmError / 2);
    const sqnr1 = calibrate(new SqnrCalibrator({ gamma: 1 }), x, int8);
    expect(amaxOf(sqnr1)).toBeGreaterThanOrEqual(2.5);
    expect(amaxOf(sqnr1)).toBeLessThan(10);
    const sqnr3 = calibrate(new SqnrCalibrator(), x, int8);
    expect(amaxOf(sqnr3)).toBeGreaterThan(amaxOf(sqnr1));
    expect(amaxOf(sqnr3)).toBeLessThan(25);
    expect(dataMse(x, sqnr3, int8)).toBeLessThan(mmError / 2);
  });

  it('pow2 min-mse picks a smaller power of two than non-overflow', () => {
    const safe = calibrate(new Pow2Calibrator({ mode: 'non-overflow' }), x, int8).scale[0]!;
    const best = calibrate(new Pow2Calibrator(), x, int8).scale[0]!;
    expect(safe).toBe(0.5); // 2^⌈log2(50/127)⌉
    expect(best).toBe(0.125); // 2^(e − 2)
  });
});

describe('Uniform[−1, 1]', () => {
  const x = uniform(200_000, -1, 1, 4);

  it('percentile 99.99 ≈ 1 (within 1 %)', () => {
    expect(Math.abs(amaxOf(calibrate(new PercentileCalibrator(), x, int8)) - 1)).toBeLessThan(0.01);
  });

  it('entropy keeps (nearly) the whole range', () => {
    expect(Math.abs(amaxOf(calibrate(new EntropyCalibrator(), x, int8)) - 1)).toBeLessThan(0.02);
  });

  it('pow2: non-overflow is 2^⌈log2(1/127)⌉; min-mse is a power of two, even for a float-scale scheme', () => {
    expect(calibrate(new Pow2Calibrator({ mode: 'non-overflow' }), x, int8).scale[0]).toBe(2 ** Math.ceil(Math.log2(1 / 127)));
    for (const options of [{ bits: 8 }, { bits: 4 }, { bits: 8, signed: false, symmetric: false }] satisfies SchemeOptions[]) {
      const s = calibrate(new Pow2Calibrator(), x, createScheme(options)).scale[0]!;
      expect(Number.isInteger(Math.log2(s)), `${s}`).toBe(true);
    }
  });
});

describe('ReLU-like data |N(0, 1)|', () => {
  const x = normal(100_000, 5).map(Math.abs);
  for (const options of [
    { bits: 8, signed: false, symmetric: false },
    { bits: 8, signed: false },
  ] satisfies SchemeOptions[]) {
    it(`every calibrator puts 0 at the bottom of the grid (${JSON.stringify(options)})`, () => {
      const scheme = createScheme(options);
      for (const name of names) {
        const qp = calibrate(makers[name](), x, scheme);
        expect(qp.zeroPoint[0], name).toBe(0);
        expect(dequantize(Int32Array.of(scheme.qmin), [1], qp, scheme)[0], name).toBe(0);
        expect(qp.scale[0]! * scheme.qmax, name).toBeGreaterThan(2);
      }
    });
  }
});

describe('streaming', () => {
  const base = normal(100_000, 6);
  const chunks = (x: Float32Array) => Array.from({ length: 10 }, (_, k) => x.subarray(k * 10_000, (k + 1) * 10_000));
  const argmaxAbs = (x: Float32Array) => x.reduce((best, v, i) => (Math.abs(v) > Math.abs(x[best]!) ? i : best), 0);
  const swap = (x: Float32Array, i: number, j: number) => ([x[i], x[j]] = [x[j]!, x[i]!]);
  const schemes = [int8, createScheme({ bits: 8, symmetric: false })];

  it('10 batches give the same parameters as 1 when the first batch holds max|x|', () => {
    const x = base.slice();
    swap(x, 0, argmaxAbs(x));
    for (const name of names) {
      const one = makers[name]();
      one.observe(x);
      const ten = makers[name]();
      for (const c of chunks(x)) ten.observe(c);
      expect(ten.histograms[0]!.toJSON(), name).toEqual(one.histograms[0]!.toJSON());
      for (const s of schemes) expect(ten.compute(s), name).toEqual(one.compute(s));
    }
  });

  it('close results when a later batch grows the histogram', () => {
    const x = base.slice();
    swap(x, x.length - 1, argmaxAbs(x));
    for (const name of names) {
      const one = makers[name]();
      one.observe(x);
      const ten = makers[name]();
      for (const c of chunks(x)) ten.observe(c);
      expect(ten.histograms[0]!.binsPerSide, name).toBeGreaterThan(2048);
      for (const s of schemes) {
        const a = one.compute(s).scale[0]!;
        const b = ten.compute(s).scale[0]!;
        // Growth shifts the bin grid, so searched thresholds move by a few bins; pow2 uses exact min/max.
        expect(Math.abs(b / a - 1), `${name} ${a} vs ${b}`).toBeLessThan(name === 'pow2' ? 1e-12 : name === 'entropy' ? 0.05 : 0.03);
      }
    }
  });
});

describe('per-channel and per-group', () => {
  const stds = [1, 10, 0.1];
  const n = 20_000;
  const channels = stds.map((s, c) => normal(n, 10 + c, s));
  const x = new Float32Array(3 * n); // shape [n, 3], channels last
  for (let i = 0; i < n; i++) for (let c = 0; c < 3; c++) x[3 * i + c] = channels[c]![i]!;
  const granularity = { kind: 'per-channel', axis: -1 } as const;
  const scheme = createScheme({ bits: 8, granularity });

  it('each channel gets its own threshold, equal to calibrating that channel alone', () => {
    for (const name of names) {
      const c = makers[name]({ granularity });
      c.observe(x, [n, 3]);
      const qp = c.compute(scheme);
      expect(qp.shape).toEqual([3]);
      for (let ch = 0; ch < 3; ch++) {
        const alone = calibrate(makers[name](), channels[ch]!, int8);
        expect(qp.scale[ch], `${name} channel ${ch}`).toBe(alone.scale[0]);
        const ratio = qp.scale[ch]! / qp.scale[0]! / stds[ch]!;
        expect(ratio, `${name} channel ${ch}`).toBeGreaterThan(name === 'pow2' ? 0.5 : 0.8);
        expect(ratio, `${name} channel ${ch}`).toBeLessThan(name === 'pow2' ? 2 : 1.25);
      }
    }
  });

  it('per-group parameters have the blocked shape', () => {
    const g = { kind: 'per-group', axis: 1, groupSize: 4 } as const;
    const c = new PercentileCalibrator({ granularity: g, percentile: 100 });
    c.observe(uniform(48, -1, 1, 3), [4, 12]);
    const qp = c.compute(createScheme({ bits: 4, granularity: g }));
    expect(qp.shape).toEqual([4, 3]);
    expect(new Set(qp.scale).size).toBe(12);
  });
});

describe('serialisation', () => {
  const batches = [normal(5000, 20), normal(5000, 21, 0.5), normal(5000, 22, 3), normal(5000, 23, 400), normal(5000, 24)];
  const options: HistogramOptions = { bins: 128, granularity: { kind: 'per-channel', axis: 0 } };
  const scheme = createScheme({ bits: 8, symmetric: false, granularity: options.granularity! });

  for (const name of names) {
    it(`${name}: toJSON → JSON → load restores compute(), and observing on matches never serialising`, () => {
      const a = histogramCalibrators[name].create(options);
      a.observe(batches[0]!, [5, 1000]);
      a.observe(batches[1]!, [5, 1000]);
      const json = JSON.parse(JSON.stringify(a.toJSON()));
      expect(json.name).toBe(name);
      const b = makers[name](json.options).load(json.state);
      expect(b.compute(scheme)).toEqual(a.compute(scheme));
      expect(b.batches).toBe(2);
      const registry = createRegistry({ builtins: false });
      registry.registerCalibrator(histogramCalibrators[name] as CalibratorDefinition<unknown>);
      expect(registry.restoreCalibrator(json).compute(scheme)).toEqual(a.compute(scheme));
      for (const batch of batches.slice(2)) {
        a.observe(batch, [5, 1000]);
        b.observe(batch, [5, 1000]);
      }
      expect(b.toJSON()).toEqual(a.toJSON());
      expect(b.compute(scheme)).toEqual(a.compute(scheme));
      a.reset();
      expectCode(() => a.compute(scheme), 'QT_CALIBRATOR_EMPTY');
    });
  }
});

describe('errors and edge cases', () => {
  it('compute before observe, or after only NaN, is QT_CALIBRATOR_EMPTY', () => {
    for (const name of names) {
      expectCode(() => makers[name]().compute(int8), 'QT_CALIBRATOR_EMPTY');
      const c = makers[name]();
      c.observe(new Float32Array([NaN, NaN]));
      expectCode(() => c.compute(int8), 'QT_CALIBRATOR_EMPTY');
    }
  });

  it('only zeros give the smallest scale', () => {
    for (const name of names) {
      const qp = calibrate(makers[name](), new Float32Array(10), int8);
      expect(qp.scale[0], name).toBe(Math.fround(int8.minScale));
      expect(qp.zeroPoint[0], name).toBe(0);
    }
  });

  it('a scheme of another granularity is QT_INVALID_GRANULARITY; a changed channel count QT_SHAPE_MISMATCH', () => {
    for (const name of names) {
      const c = makers[name]();
      c.observe(new Float32Array([1, 2]));
      expectCode(() => c.compute(createScheme({ granularity: { kind: 'per-channel', axis: 0 } })), 'QT_INVALID_GRANULARITY');
      const pc = makers[name]({ granularity: { kind: 'per-channel', axis: 0 } });
      pc.observe(new Float32Array(6), [2, 3]);
      expectCode(() => pc.observe(new Float32Array(6), [3, 2]), 'QT_SHAPE_MISMATCH');
    }
  });

  it('bad options are QT_INVALID_CALIBRATOR naming the option', () => {
    const bad: [() => unknown, string][] = [
      [() => new PercentileCalibrator({ percentile: 0 }), 'percentile.percentile'],
      [() => new PercentileCalibrator({ percentile: 101 }), 'percentile.percentile'],
      [() => new PercentileCalibrator({ percentile: Number.NaN }), 'percentile.percentile'],
      [() => new PercentileCalibrator({ mode: 'signed', tails: 'each', percentile: 40 }), 'percentile.percentile'],
      [() => new PercentileCalibrator({ mode: 'both' as never }), 'percentile.mode'],
      [() => new PercentileCalibrator({ bins: 0 }), 'percentile.bins'],
      [() => new EntropyCalibrator({ bins: 2.5 }), 'entropy.bins'],
      [() => new EntropyCalibrator({ thresholdAt: 'middle' as never }), 'entropy.thresholdAt'],
      [() => new EntropyCalibrator({ start: 0 }), 'entropy.start'],
      [() => new MseCalibrator({ stride: 0 }), 'mse.stride'],
      [() => new SqnrCalibrator({ gamma: 0 }), 'sqnr.gamma'],
      [() => new Pow2Calibrator({ candidates: [] }), 'pow2.candidates'],
      [() => new Pow2Calibrator({ candidates: [0.5] }), 'pow2.candidates'],
      [() => new Pow2Calibrator({ mode: 'max' as never }), 'pow2.mode'],
    ];
    for (const [fn, text] of bad) expectCode(fn, 'QT_INVALID_CALIBRATOR', text);
  });

  it('a malformed state is QT_INVALID_CALIBRATOR', () => {
    for (const name of names) {
      expectCode(() => makers[name]().load({ batches: 1, paramShape: [2], groups: [] }), 'QT_INVALID_CALIBRATOR');
      expectCode(() => makers[name]().load(null as never), 'QT_INVALID_CALIBRATOR');
    }
  });
});

describe('percentile on a hand-computed histogram', () => {
  // bins of width 1 over [0, 10]: 90 values in [0, 1), 9 in [5, 6), the max 10 in the top bin
  const x = Float32Array.from([...Array(90).fill(0.5), ...Array(9).fill(5.5), 10]);
  it('abs: amax is the lower edge of the first bin whose cdf reaches p/100 (TensorRT)', () => {
    for (const [p, amax] of [
      [99, 5],
      [99.5, 9],
      [100, 9],
      [50, 0],
    ] as const) {
      const c = new PercentileCalibrator({ percentile: p, bins: 10 });
      c.observe(x);
      expect(c.threshold(c.histograms[0]!), `p ${p}`).toBe(amax);
    }
  });
  it('signed: lower edges of the bins where the cdf reaches q and 1 − q, clamped to min/max', () => {
    // signed bins of width 1 over [−10, 10]: −9.5 ×1, −0.5 ×48, 0.5 ×48, 7.5 ×2, 10 ×1 (top bin)
    const y = Float32Array.from([-9.5, ...Array(48).fill(-0.5), ...Array(48).fill(0.5), 7.5, 7.5, 10]);
    const asym = createScheme({ bits: 8, symmetric: false });
    const range = (o: PercentileOptions) => {
      const c = new PercentileCalibrator({ bins: 10, mode: 'signed', ...o });
      c.observe(y);
      const r = c.ranges(asym);
      return [r.min[0], r.max[0]];
    };
    expect(range({ percentile: 96 })).toEqual([-1, 7]); // q = 2 %
    expect(range({ percentile: 98, tails: 'each' })).toEqual([-1, 7]); // q = 2 %
    expect(range({ percentile: 99, tails: 'each' })).toEqual([-9.5, 7]); // q = 1 %: edge −10 clamps to min
    expect(range({ percentile: 99 })).toEqual([-9.5, 9]); // q = 0.5 %: 1 − q is reached in the top bin, lower edge 9
  });
});

describe('asymmetric schemes on skewed signed data', () => {
  // 70 % of the mass on the negative side reaching about −12, a small positive side
  const g = normal(100_000, 30);
  const x = g.map((v, i) => (i % 10 < 7 ? -3 * Math.abs(v) : 0.3 * Math.abs(v)));
  const asym = createScheme({ bits: 8, symmetric: false });

  it('MSE search scores negative values with their sign: within 1 % of a brute-force search on the data', () => {
    const c = new MseCalibrator();
    const qp = calibrate(c, x, asym);
    const h = c.histograms[0]!;
    let best = Infinity;
    for (let t = 0.5; t < 13; t += 0.1) {
      best = Math.min(best, dataMse(x, computeQParams({ min: Math.max(h.min, -t), max: Math.min(h.max, t) }, asym), asym));
    }
    expect(dataMse(x, qp, asym)).toBeLessThan(best * 1.01);
    expect(c.ranges(asym).min[0]).toBeLessThan(-6);
  });

  it('entropy with T past the data keeps the asymmetric range inside [min, max]', () => {
    const u = uniform(50_000, -0.5, 1, 31);
    const c = new EntropyCalibrator({ thresholdAt: 'center' });
    c.observe(u);
    const h = c.histograms[0]!;
    expect(c.threshold(h, asym)).toBeGreaterThan(h.max);
    const r = c.ranges(asym);
    expect([r.min[0], r.max[0]]).toEqual([h.min, h.max]);
  });
});

describe('percentile modes', () => {
  const x = Float32Array.from({ length: 10_000 }, (_, i) => -2 + (6 * (i + 0.5)) / 10_000); // uniform on [−2, 4]

  it("signed 'split' trims (100 − p)/2 % per tail, 'each' (100 − p) %, clamped to min/max", () => {
    const asym = createScheme({ bits: 8, symmetric: false });
    const split = new PercentileCalibrator({ percentile: 90, mode: 'signed', bins: 600 });
    split.observe(x);
    const r1 = split.ranges(asym);
    expect(r1.min[0]).toBeCloseTo(-2 + 0.3, 1);
    expect(r1.max[0]).toBeCloseTo(4 - 0.3, 1);
    const each = new PercentileCalibrator({ percentile: 90, mode: 'signed', tails: 'each', bins: 600 });
    each.observe(x);
    const r2 = each.ranges(asym);
    expect(r2.min[0]).toBeCloseTo(-2 + 0.6, 1);
    expect(r2.max[0]).toBeCloseTo(4 - 0.6, 1);
    const all = new PercentileCalibrator({ percentile: 100, mode: 'signed' });
    all.observe(x);
    expect([all.ranges(asym).min[0], all.ranges(asym).max[0]]).toEqual([x[0], x[x.length - 1]]);
  });

  it('abs mode: asymmetric schemes clamp [−amax, amax] to the observed range', () => {
    const c = new PercentileCalibrator({ percentile: 95 });
    c.observe(x);
    const amax = c.threshold(c.histograms[0]!);
    expect(amax).toBeCloseTo(3.7, 1); // 95 % of |x| below ≈ 3.7
    const r = c.ranges(createScheme({ bits: 8, symmetric: false }));
    expect([r.min[0], r.max[0]]).toEqual([x[0], amax]);
    expect(c.ranges(int8).min[0]).toBe(-amax);
  });
});
