/**
 * Independent, deliberately plain reference implementations of the calibration algorithms of
 * docs/backends.md#calibration, written from the specification (not from quant-grid's calibrators), for
 * calibrators.test.ts. Everything is float64 loops over the captured activation values; only the
 * final scale is rounded to float32 (as compileForBackend reports it).
 */

export interface Grid {
  readonly bits: number;
  readonly qmin: number;
  readonly qmax: number;
  /** false: free zp; true: zp 0 (s = max|x| / (2^(b−1) − 1), or s = hi / (2^b − 1) on an unsigned grid). */
  readonly symmetric: boolean;
  readonly signed: boolean;
}

export interface RefQParams {
  readonly scale: number;
  readonly zeroPoint: number;
}

/** docs/backends.md#conventions: ties to even (exact for float32 inputs; also used on float64 here). */
export function roundHalfEven(v: number): number {
  let r = Math.round(v);
  if (r - v === 0.5 && r % 2 !== 0) r -= 1;
  return r;
}
export const roundHalfUp = (v: number): number => Math.round(v);
export const roundHalfAway = (v: number): number => Math.sign(v) * Math.round(Math.abs(v));

export function gridOf(bits: number, signed: boolean, symmetric: boolean): Grid {
  return signed ? { bits, signed, symmetric, qmin: -(2 ** (bits - 1)), qmax: 2 ** (bits - 1) - 1 } : { bits, signed, symmetric, qmin: 0, qmax: 2 ** bits - 1 };
}

/**
 * docs/backends.md#range-to-scale-and-zero-point, steps 1–3: range → (s, zp). The degenerate-range guard of step 1 is applied as a scale
 * floor (`minScale`, default float32 eps = AIMET's minimum scale, quant-grid's scheme default):
 * for asymmetric grids that is `hi = lo + minScale·(qmax − qmin)`. The profile's own `minRange` is
 * applied by compileForBackend afterwards.
 *
 * The specification does not say whether `lo/s` in the zero point uses s before or after float32 storage; the
 * two differ only at exact ties (e.g. lo = −hi on uint8: 127.5). Following the float32 convention
 * of docs/backends.md#conventions, the zero point here uses the stored float32 scale (see calibrators.test.ts).
 */
export function rangeToQParams(lo0: number, hi0: number, g: Grid, minScale = 2 ** -23): RefQParams {
  const lo = Math.min(lo0, 0);
  const hi = Math.max(hi0, 0);
  if (!g.symmetric) {
    const s = Math.max((hi - lo) / (g.qmax - g.qmin), minScale);
    const zp = Math.min(g.qmax, Math.max(g.qmin, roundHalfEven(g.qmin - lo / Math.fround(s))));
    return { scale: s, zeroPoint: zp + 0 }; // + 0: no −0 zero points
  }
  const s = g.signed ? Math.max(Math.abs(lo), Math.abs(hi)) / (2 ** (g.bits - 1) - 1) : hi / (2 ** g.bits - 1);
  return { scale: Math.max(s, minScale), zeroPoint: 0 };
}

// ---------------------------------------------------------------------------------------------
// Min/max (docs/backends.md#minmax-calibrators)

/** `minmax`: running min / max over every value of every batch, NaN skipped. */
export function absoluteMinMax(batches: readonly Float32Array[]): { lo: number; hi: number } {
  let lo = Infinity;
  let hi = -Infinity;
  for (const b of batches) {
    for (const v of b) {
      if (Number.isNaN(v)) continue;
      if (v < lo) lo = v;
      if (v > hi) hi = v;
    }
  }
  return { lo, hi };
}

/**
 * `mean-minmax` per sample: mean over samples of each sample's min / max; each entry of `units` is one sample.
 */
export function meanMinMax(units: readonly Float32Array[]): { lo: number; hi: number } {
  let sumLo = 0;
  let sumHi = 0;
  let k = 0;
  for (const u of units) {
    const { lo, hi } = absoluteMinMax([u]);
    if (lo === Infinity) continue;
    sumLo += lo;
    sumHi += hi;
    k++;
  }
  return { lo: sumLo / k, hi: sumHi / k };
}

// ---------------------------------------------------------------------------------------------
// Histograms (docs/backends.md#histograms; quant-grid README: one symmetric signed histogram over
// [−M, M], `bins` per side, M = max|x| of the first non-zero batch, equal-width bins appended
// when a later batch is wider — folding it gives TensorRT's |x| histogram).

export class RefHistogram {
  /** counts of x ≥ 0 by bin floor(x / w), and of x < 0 by floor(|x| / w). */
  pos: number[] = [];
  neg: number[] = [];
  width = 0;
  /** Exact observed extremes (float values as captured). */
  lo = Infinity;
  hi = -Infinity;

  constructor(readonly bins: number) {}

  get nbins(): number {
    return this.pos.length;
  }

  observe(x: Float32Array): void {
    let amax = 0;
    for (const v of x) {
      if (Number.isNaN(v)) continue;
      amax = Math.max(amax, Math.abs(v));
      this.lo = Math.min(this.lo, v);
      this.hi = Math.max(this.hi, v);
    }
    if (this.width === 0) {
      if (amax === 0) return; // waits for the first non-zero batch
      this.width = amax / this.bins;
      this.pos = new Array<number>(this.bins).fill(0);
      this.neg = new Array<number>(this.bins).fill(0);
    } else if (amax > this.nbins * this.width) {
      // TensorRT: keep the width, grow to ceil(max / w) bins.
      const n = Math.ceil(amax / this.width);
      while (this.pos.length < n) {
        this.pos.push(0);
        this.neg.push(0);
      }
    }
    const n = this.nbins;
    for (const v of x) {
      if (Number.isNaN(v)) continue;
      const k = Math.min(n - 1, Math.floor(Math.abs(v) / this.width));
      if (v < 0) this.neg[k]!++;
      else this.pos[k]!++;
    }
  }

  /** TensorRT's |x| histogram. */
  folded(): number[] {
    return this.pos.map((c, k) => c + this.neg[k]!);
  }

  /** Signed bins as (midpoint, count), negative side first. */
  signedBins(): { mid: number[]; count: number[] } {
    const mid: number[] = [];
    const count: number[] = [];
    for (let k = this.nbins - 1; k >= 0; k--) {
      mid.push(-(k + 0.5) * this.width);
      count.push(this.neg[k]!);
    }
    for (let k = 0; k < this.nbins; k++) {
      mid.push((k + 0.5) * this.width);
      count.push(this.pos[k]!);
    }
    return { mid, count };
  }
}

export function histogramOf(batches: readonly Float32Array[], bins: number): RefHistogram {
  const h = new RefHistogram(bins);
  for (const b of batches) h.observe(b);
  return h;
}

// ---------------------------------------------------------------------------------------------
// Entropy / KL, TensorRT style (docs/backends.md#entropy-kl)

/** Returns the threshold T (bin edge, `thresholdAt: 'edge'`) and the chosen bin count i. */
export function entropyThreshold(h: RefHistogram, opts: { start: number; stride: number; levels: number }): { amax: number; i: number } {
  const H = h.folded();
  H[0] = H[1]!; // step 1
  const len = H.length;
  let best = Infinity;
  let bestI = -1;
  for (let i = opts.start; i <= len; i += opts.stride) {
    // step 2a: P = H[0..i−1] with the outliers folded into the last bin.
    const P = H.slice(0, i);
    let tail = 0;
    for (let j = i; j < len; j++) tail += H[j]!;
    P[i - 1]! += tail;
    // step 2b: Q — bin j joins group ⌊j·levels/i⌋; each group's total spread evenly over its non-empty bins.
    const groupTotal = new Array<number>(opts.levels).fill(0);
    const groupNonEmpty = new Array<number>(opts.levels).fill(0);
    for (let j = 0; j < i; j++) {
      const g = Math.floor((j * opts.levels) / i);
      groupTotal[g]! += H[j]!;
      if (H[j]! !== 0) groupNonEmpty[g]!++;
    }
    const Q = new Array<number>(i).fill(0);
    for (let j = 0; j < i; j++) {
      const g = Math.floor((j * opts.levels) / i);
      if (H[j]! !== 0) Q[j] = groupTotal[g]! / groupNonEmpty[g]!;
    }
    // step 2c: normalise, KL.
    let sp = 0;
    let sq = 0;
    for (let j = 0; j < i; j++) {
      sp += P[j]!;
      sq += Q[j]!;
    }
    let kl = 0;
    for (let j = 0; j < i; j++) {
      const p = P[j]! / sp;
      if (p === 0) continue;
      const q = Q[j]! / sq;
      if (q === 0) {
        kl = Infinity;
        break;
      }
      kl += p * Math.log(p / q);
    }
    // step 3: the LAST i with minimal KL.
    if (kl <= best) {
      best = kl;
      bestI = i;
    }
  }
  return { amax: bestI * h.width, i: bestI };
}

// ---------------------------------------------------------------------------------------------
// MSE search (docs/backends.md#mse-search)

/** Fake-quantizes one value with the conventions of docs/backends.md#conventions (float32 after every op). */
export function fakeQuant(x: number, s: number, zp: number, g: Grid, round: (v: number) => number): number {
  const f = Math.fround;
  const v = f(x / s);
  const q = Math.min(g.qmax, Math.max(g.qmin, round(v) + zp));
  return f((q - zp) * s);
}

/**
 * MSE search: candidate thresholds at bin centres c_j, j ≥ start; the (signed) bin midpoints are
 * fake-quantized with the grid's (s, zp) for the candidate range; first minimum of the mean
 * squared error. Symmetric grids use [−c, c]; asymmetric grids the observed range clipped to
 * [−c, c] (a signed range, so non-negative data keeps lo = 0).
 */
export function mseThreshold(h: RefHistogram, g: Grid, round: (v: number) => number, opts: { start: number; stride: number }): { lo: number; hi: number } {
  const { mid, count } = h.signedBins();
  let total = 0;
  for (const c of count) total += c;
  let best = Infinity;
  let bestRange = { lo: 0, hi: 0 };
  for (let j = opts.start; j < h.nbins; j += opts.stride) {
    const c = (j + 0.5) * h.width;
    const range = g.symmetric ? { lo: -c, hi: c } : { lo: Math.max(-c, h.lo), hi: Math.min(c, h.hi) };
    const qp = rangeToQParams(range.lo, range.hi, g);
    const s = Math.fround(qp.scale);
    let err = 0;
    for (let k = 0; k < mid.length; k++) {
      if (count[k] === 0) continue;
      const d = fakeQuant(mid[k]!, s, qp.zeroPoint, g, round) - mid[k]!;
      err += count[k]! * d * d;
    }
    err /= total;
    if (err < best) {
      best = err;
      bestRange = range;
    }
  }
  return bestRange;
}

// ---------------------------------------------------------------------------------------------
// SQNR, AIMET tf_enhanced (docs/backends.md#sqnr-search; asymmetric branch: the built-in QNN profiles are asymmetric)

export function sqnrAsym(h: RefHistogram, bits: number, gamma: number): RefQParams {
  const EPS = 2 ** -23;
  const N = 2 ** bits - 1;
  // step 1
  const lo = Math.min(h.lo, 0);
  const hi = Math.max(h.hi, 0, lo + EPS * N);
  // step 2
  const dMax = (hi - lo) / N;
  const oObs = roundHalfEven(lo / dMax);
  const deltas: number[] = [];
  for (let k = 1; k <= 17; k++) deltas.push((dMax * k) / 16);
  const offsets: number[] = [];
  for (let m = 0; m <= 19; m++) offsets.push(roundHalfEven(-N + (m * N) / 19));
  offsets.push(oObs);
  const clampLo = oObs * dMax;
  const clampHi = (oObs + N) * dMax;
  const { mid, count } = h.signedBins();
  let best = Infinity;
  let result: RefQParams = { scale: NaN, zeroPoint: NaN };
  for (const d0 of deltas) {
    for (const o0 of offsets) {
      const tMin = Math.max(o0 * d0, clampLo);
      const tMax = Math.min((o0 + N) * d0, clampHi);
      const delta = Math.max((tMax - tMin) / N, EPS);
      const o = roundHalfEven(tMin / delta);
      // step 4
      let cost = 0;
      for (let k = 0; k < mid.length; k++) {
        const c = count[k]!;
        if (c === 0) continue;
        const m = mid[k]!;
        const q = roundHalfEven(m / delta - o);
        const xq = (Math.min(N, Math.max(0, q)) + o) * delta;
        const e = c * (xq - m) * (xq - m);
        cost += q < 0 || q > N ? gamma * e : e;
      }
      // step 5
      if (cost < best) {
        best = cost;
        result = { scale: delta, zeroPoint: -o + 0 };
      }
    }
  }
  return result;
}

// ---------------------------------------------------------------------------------------------
// Power-of-two scales (docs/backends.md#power-of-two-scales)

/** Power-of-two: e = ⌈log2(amax/qmax)⌉; min-MSE keeps the lowest quant-dequant MSE over 2^(e+d). */
export function pow2Scale(h: RefHistogram, g: Grid, round: (v: number) => number, candidates: readonly number[]): number {
  const amax = Math.max(Math.abs(h.lo), Math.abs(h.hi));
  const e = Math.ceil(Math.log2(amax / g.qmax));
  const { mid, count } = h.signedBins();
  let best = Infinity;
  let bestScale = NaN;
  for (const d of candidates) {
    const s = 2 ** (e + d);
    let err = 0;
    for (let k = 0; k < mid.length; k++) {
      if (count[k] === 0) continue;
      const diff = fakeQuant(mid[k]!, s, 0, g, round) - mid[k]!;
      err += count[k]! * diff * diff;
    }
    if (err < best) {
      best = err;
      bestScale = s;
    }
  }
  return bestScale;
}
