import { mulberry32 } from '@quant-trim/test-utils';
import { describe, expect, it } from 'vitest';
import { dequantize } from '../../src/math/dequantize.js';
import { fakeQuantize } from '../../src/math/fakeQuantize.js';
import { type SchemeOptions, createScheme } from '../../src/scheme.js';
import { SqnrCalibrator } from '../../src/calibrators/sqnr.js';

const EPS = 2 ** -23;
const rne = (v: number): number => {
  const r = Math.round(v);
  return r - v === 0.5 && r % 2 !== 0 ? r - 1 : r;
};
const arange = (start: number, end: number, step: number): number[] => Array.from({ length: Math.ceil((end - start) / step) }, (_, m) => start + m * step);

/**
 * AIMET `SqnrEncodingAnalyzer` (v2 encoding_analyzer.py) for one histogram, transcribed
 * independently of sqnr.ts: candidates as (delta, offset) matrices, noise over every bin
 * (empty ones included), first minimum of the flattened (delta, offset) grid.
 */
function aimetReference(hist: number[], edge0: number, binWidth: number, min: number, max: number, numSteps: number, symmetric: boolean, gamma: number) {
  const minV = Math.min(min, 0);
  let maxV = Math.max(max, 0);
  maxV = Math.max(maxV, minV + EPS * numSteps);
  const candidates: [number, number][] = [];
  if (symmetric) {
    const maxDelta = (2 * Math.max(maxV, -minV)) / numSteps;
    const offset = Math.floor(-numSteps / 2);
    for (let k = 1; k <= 101; k++) candidates.push([Math.max((maxDelta * k) / 100, EPS), offset]);
  } else {
    const maxDelta = (maxV - minV) / numSteps;
    const observedOffset = rne(minV / maxDelta);
    const observedMin = maxDelta * observedOffset;
    const observedMax = observedMin + maxDelta * numSteps;
    const numOffsets = Math.min(numSteps + 2, 21);
    const step = numSteps / (numOffsets - 2);
    const offsets = [...arange(-numSteps, step, step).map(rne), observedOffset];
    for (let k = 1; k <= 17; k++) {
      const delta = (maxDelta * k) / 16;
      for (const o of offsets) {
        let testMin = delta * o;
        let testMax = testMin + delta * numSteps;
        testMin = Math.max(observedMin, testMin);
        testMax = Math.min(observedMax, testMax);
        const d = Math.max((testMax - testMin) / numSteps, EPS);
        candidates.push([d, rne(testMin / d)]);
      }
    }
  }
  const noise = candidates.map(([delta, offset]) => {
    let sum = 0;
    hist.forEach((count, j) => {
      const mid = edge0 + binWidth / 2 + binWidth * j;
      let q = rne(mid / delta - offset);
      const clipped = q < 0 || q > numSteps;
      q = Math.min(numSteps, Math.max(0, q));
      const se = ((q + offset) * delta - mid) ** 2 * count;
      sum += gamma !== 1 && clipped ? se * gamma : se;
    });
    return sum;
  });
  const best = noise.indexOf(Math.min(...noise));
  return { delta: candidates[best]![0], offset: candidates[best]![1] };
}

/** Values on the midpoints of a 2·B-bin signed histogram over [−B, B] (w = 1), plus ±B itself. */
function tinyData(bins: number, seed: number, negativeShare: number): Float32Array {
  const r = mulberry32(seed);
  const decay = 0.1 + r() * 0.6;
  const shift = Math.floor(r() * bins * 0.5);
  const values: number[] = [r() < negativeShare ? -bins : bins];
  for (let k = 0; k < 200; k++) {
    const negative = r() < negativeShare;
    const j = (Math.floor(Math.abs(Math.log(r())) * bins * decay) + (negative ? 0 : shift)) % bins;
    values.push((negative ? -1 : 1) * (j + 0.5));
  }
  return Float32Array.from(values);
}

describe('SqnrCalibrator against a transcription of AIMET tf_enhanced', () => {
  // `seed0` cases were picked so that the last grid offset (0) and the first-minimum tie rule decide the result.
  const cases: { title: string; scheme: SchemeOptions; gamma: number; negativeShare: number; seed0?: number }[] = [
    { title: 'int8 asymmetric, γ 3', scheme: { bits: 8, symmetric: false }, gamma: 3, negativeShare: 0.3 },
    { title: 'uint8 asymmetric, mostly positive, γ 3', scheme: { bits: 8, signed: false, symmetric: false }, gamma: 3, negativeShare: 0.05 },
    { title: 'uint8 asymmetric, non-negative', scheme: { bits: 8, signed: false, symmetric: false }, gamma: 3, negativeShare: 0 },
    { title: 'int8 symmetric, γ 3', scheme: { bits: 8 }, gamma: 3, negativeShare: 0.4 },
    { title: 'uint4 asymmetric, γ 1', scheme: { bits: 4, signed: false, symmetric: false }, gamma: 1, negativeShare: 0.2 },
    { title: 'int4 narrow symmetric, γ 2', scheme: { bits: 4, narrowRange: true }, gamma: 2, negativeShare: 0.5 },
    { title: 'int3 asymmetric, γ 3', scheme: { bits: 3, symmetric: false }, gamma: 3, negativeShare: 0.5 },
    { title: 'int2 asymmetric, γ 3', scheme: { bits: 2, symmetric: false }, gamma: 3, negativeShare: 0.15 },
    { title: 'uint4 asymmetric, rare negatives, γ 3', scheme: { bits: 4, signed: false, symmetric: false }, gamma: 3, negativeShare: 0.02, seed0: 0 },
    { title: 'int2 asymmetric, ties, γ 3', scheme: { bits: 2, symmetric: false }, gamma: 3, negativeShare: 0.1, seed0: 0 },
  ];
  cases.forEach(({ title, scheme: options, gamma, negativeShare, seed0 }, k) => {
    it(title, () => {
      const scheme = createScheme(options);
      for (let trial = 0; trial < 12; trial++) {
        const bins = 8 + 4 * (trial % 4);
        const c = new SqnrCalibrator({ bins, gamma });
        c.observe(tinyData(bins, (seed0 ?? 100 * k) + trial, negativeShare));
        const h = c.histograms[0]!;
        const { counts, lo, width } = h.signed();
        expect([lo, width]).toEqual([-bins, 1]);
        const n = scheme.qmax - scheme.qmin;
        const ref = aimetReference(Array.from(counts), lo, width, h.min, h.max, n, scheme.symmetric, gamma);
        expect(c.encoding(h, scheme), `trial ${trial}`).toEqual(ref);
        const qp = c.compute(scheme);
        expect(qp.scale[0]).toBe(Math.fround(Math.max(ref.delta, scheme.minScale)));
        expect(qp.zeroPoint[0]).toBe(scheme.qmin - ref.offset);
        if (scheme.symmetric) expect(qp.zeroPoint[0]).toBe(0);
        if (negativeShare === 0) expect(ref.offset).toBe(0);
      }
    });
  });
});

describe('SQNR encodings map onto the scheme grid', () => {
  const variants: SchemeOptions[] = [
    { bits: 8, symmetric: false },
    { bits: 8, signed: false, symmetric: false },
    { bits: 8 },
    { bits: 8, narrowRange: true },
    { bits: 4, signed: false, symmetric: false },
    { bits: 8, signed: false },
  ];
  for (const options of variants) {
    it(`grid points are (q + o)·δ for ${JSON.stringify(options)}`, () => {
      const scheme = createScheme(options);
      const r = mulberry32(7);
      const x = Float32Array.from({ length: 5000 }, () => (r() - 0.3) * 4 + (r() < 0.01 ? 20 : 0));
      const c = new SqnrCalibrator();
      c.observe(x);
      const qp = c.compute(scheme);
      const { offset } = c.encoding(c.histograms[0]!, scheme);
      const s = qp.scale[0]!;
      const n = scheme.qmax - scheme.qmin;
      const codes = Array.from({ length: n + 1 }, (_, q) => scheme.qmin + q);
      const grid = dequantize(Int32Array.from(codes), [codes.length], qp, scheme);
      expect(Array.from(grid)).toEqual(codes.map((_, q) => Math.fround((q + offset) * s)));
      // AIMET's quantizer: x̂ = (clamp(R(x/δ − o), 0, N) + o)·δ
      const y = fakeQuantize(x, [x.length], qp, scheme);
      const expected = Array.from(x, (v) => Math.fround((Math.min(n, Math.max(0, rne(Math.fround(v / s)) - offset)) + offset) * s));
      expect(Array.from(y)).toEqual(expected);
      expect(c.ranges(scheme).min[0]).toBe(offset * s);
      expect(c.ranges(scheme).max[0]).toBe((offset + n) * s);
    });
  }
});
