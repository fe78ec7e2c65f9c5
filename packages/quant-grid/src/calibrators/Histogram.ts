import { QuantTrimError } from '@quant-trim/errors';

/** Growth limit: a side never holds more than this many times `bins` bins (see `Histogram`). */
export const MAX_GROWTH = 16;

/** JSON form of a `Histogram` (trailing empty bins trimmed; `min`/`max` null until a finite value). */
export interface HistogramState {
  binsPerSide: number;
  width: number;
  pos: number[];
  neg: number[];
  zeros: number;
  total: number;
  min: number | null;
  max: number | null;
}

/** Bins of |x| over [0, counts.length · width]. */
export interface AbsHistogram {
  readonly counts: Float64Array;
  readonly width: number;
}

/** Signed bins: bin t spans [lo + t·width, lo + (t+1)·width) (the top edge is inclusive). */
export interface SignedHistogram extends AbsHistogram {
  readonly lo: number;
}

/**
 * A streaming histogram of one parameter group, symmetric around 0 so both TensorRT's |x| view
 * and the signed view (ORT, AIMET) come from the same counts.
 *
 * - The first batch with a nonzero finite value fixes M = max|x| of that batch and the width
 *   w = M / bins; each side has `bins` bins. Value x lands in signed bin ⌊x·(1/w)⌋, i.e. bins are
 *   [t·w, (t+1)·w) on the whole line (the top edge M is inclusive). Zeros seen before that are
 *   counted and land in bin [0, w).
 * - A later |x| beyond the ends appends whole bins of the same width on both sides, so counts
 *   never move (TensorRT grows its |x| histogram the same way; `binsPerSide` may exceed `bins`).
 * - If a side would exceed `MAX_GROWTH · bins` bins, adjacent pairs merge (w doubles) until it
 *   fits: memory stays bounded whatever the data does, at the cost of resolution.
 * - NaN and ±Infinity are skipped; exact finite `min` and `max` are tracked too.
 *
 * @example
 * const h = new Histogram(4);
 * h.observe(new Float32Array([-1, 0.1, 0.6, 2]));
 * h.abs(); // { counts: [1, 2, 0, 1], width: 0.5 }: −1 is in [−1, −0.5), |x| ∈ (0.5, 1]
 */
export class Histogram {
  #width = 0;
  #inv = 0;
  /** Bins per side in use. */
  #k = 0;
  /** Bins per side allocated; signed bin t (−k ≤ t < k) is stored at #cap + t. */
  #cap = 0;
  #counts = new Float64Array(0);
  #zeros = 0;
  #total = 0;
  #min = Infinity;
  #max = -Infinity;
  #bmin = Infinity;
  #bmax = -Infinity;

  /** @param bins bins per side when the histogram is created (TensorRT: 2048). */
  constructor(readonly bins = 2048) {
    if (!Number.isInteger(bins) || bins < 1) {
      throw new QuantTrimError({ code: 'QT_INVALID_CALIBRATOR', message: `histogram.bins: expected a positive integer, got ${bins}` });
    }
  }

  /** Bin width; 0 until a nonzero finite value has been seen. */
  get width(): number {
    return this.#width;
  }
  /** Bins on each side of 0 (0 until a nonzero finite value has been seen). */
  get binsPerSide(): number {
    return this.#k;
  }
  /** Number of finite values counted. */
  get total(): number {
    return this.#total;
  }
  /** Smallest finite value seen (Infinity if none). */
  get min(): number {
    return this.#min;
  }
  /** Largest finite value seen (−Infinity if none). */
  get max(): number {
    return this.#max;
  }

  /** Whole-array convenience for `beginBatch` → `scan` → `prepare` → `add`. */
  observe(x: Float32Array): void {
    this.beginBatch();
    this.scan(x, 0, 1, x.length);
    this.prepare();
    this.add(x, 0, 1, x.length);
  }

  /** Starts a batch: `scan` every run of the group, `prepare`, then `add` every run. */
  beginBatch(): void {
    this.#bmin = Infinity;
    this.#bmax = -Infinity;
  }

  /** First pass over a run: finite extremes of the batch. */
  scan(x: Float32Array, offset: number, stride: number, length: number): void {
    let lo = this.#bmin;
    let hi = this.#bmax;
    for (let j = 0, i = offset; j < length; j++, i += stride) {
      const v = x[i]!;
      if (v < lo && v !== -Infinity) lo = v;
      if (v > hi && v !== Infinity) hi = v;
    }
    this.#bmin = lo;
    this.#bmax = hi;
  }

  /** Between the passes: updates min/max, creates or extends the bins for this batch. */
  prepare(): void {
    const lo = this.#bmin;
    const hi = this.#bmax;
    if (lo > hi) return; // no finite value in this batch
    if (lo < this.#min) this.#min = lo;
    if (hi > this.#max) this.#max = hi;
    const a = Math.max(-lo, hi);
    if (a === 0) return;
    if (this.#width === 0) {
      this.#width = a / this.bins;
      this.#inv = 1 / this.#width; // always exactly 1/w, so a restored state bins identically
      this.#k = this.#cap = this.bins;
      this.#counts = new Float64Array(2 * this.bins);
      this.#counts[this.#cap] = this.#zeros;
      this.#zeros = 0;
    } else if (a * this.#inv > this.#k) {
      this.#grow(a);
    }
  }

  /** Second pass over a run: counts its finite values. */
  add(x: Float32Array, offset: number, stride: number, length: number): void {
    if (this.#width === 0) {
      // Only zeros (or non-finite values) so far: count the zeros for bin [0, w).
      let n = 0;
      for (let j = 0, i = offset; j < length; j++, i += stride) if (x[i] === 0) n++;
      this.#zeros += n;
      this.#total += n;
      return;
    }
    const counts = this.#counts;
    const inv = this.#inv;
    const k = this.#k;
    const center = this.#cap;
    let skipped = 0;
    for (let j = 0, i = offset; j < length; j++, i += stride) {
      const t = Math.floor(x[i]! * inv);
      if (t >= -k && t < k) {
        counts[center + t]!++;
      } else if (t === k) {
        counts[center + k - 1]!++; // x = the top edge (the first batch's max)
      } else {
        skipped++; // NaN or ±Infinity: the batch's finite values fit (see prepare)
      }
    }
    this.#total += length - skipped;
  }

  #grow(a: number): void {
    let need = Math.ceil(a * this.#inv);
    const limit = MAX_GROWTH * this.bins;
    if (need > limit) {
      // Merge 2^m neighbours (m minimal): signed bin t → ⌊t / 2^m⌋, the bin of its values at width 2^m·w.
      let m = Math.max(1, Math.ceil(Math.log2(need / limit)));
      while (m > 1 && Math.ceil((a * this.#inv) / 2 ** (m - 1)) <= limit) m--;
      while (Math.ceil((a * this.#inv) / 2 ** m) > limit) m++;
      const f = 2 ** m;
      const merged = new Float64Array(2 * this.#cap);
      for (let t = -this.#k; t < this.#k; t++) merged[this.#cap + Math.floor(t / f)]! += this.#counts[this.#cap + t]!;
      this.#counts = merged;
      this.#k = Math.ceil(this.#k / f);
      this.#width *= f;
      this.#inv /= f;
      need = Math.ceil(a * this.#inv);
    }
    if (need > this.#cap) {
      const cap = Math.min(limit, Math.max(need, 2 * this.#cap));
      const counts = new Float64Array(2 * cap);
      counts.set(this.#counts.subarray(this.#cap - this.#k, this.#cap + this.#k), cap - this.#k);
      this.#counts = counts;
      this.#cap = cap;
    }
    this.#k = Math.max(need, this.#k);
  }

  /** Counts of side `sign` (1: [k·w, (k+1)·w), −1: [−(k+1)·w, −k·w)) for k = 0…binsPerSide − 1. */
  #side(sign: 1 | -1): Float64Array {
    const out = new Float64Array(this.#k);
    for (let i = 0; i < this.#k; i++) out[i] = this.#counts[sign === 1 ? this.#cap + i : this.#cap - 1 - i]!;
    return out;
  }

  /** The |x| histogram: abs[k] = pos[k] + neg[k] (TensorRT's bins over [0, max|x| of the first batch]). */
  abs(): AbsHistogram {
    const counts = this.#side(1);
    const neg = this.#side(-1);
    for (let i = 0; i < counts.length; i++) counts[i]! += neg[i]!;
    return { counts, width: this.#width };
  }

  /** The signed histogram over [−binsPerSide·w, binsPerSide·w]. */
  signed(): SignedHistogram {
    const counts = this.#counts.slice(this.#cap - this.#k, this.#cap + this.#k);
    return { counts, width: this.#width, lo: -this.#k * this.#width };
  }

  toJSON(): HistogramState {
    const trim = (a: Float64Array): number[] => {
      let end = a.length;
      while (end > 0 && a[end - 1] === 0) end--;
      return Array.from(a.subarray(0, end));
    };
    return {
      binsPerSide: this.#k,
      width: this.#width,
      pos: trim(this.#side(1)),
      neg: trim(this.#side(-1)),
      zeros: this.#zeros,
      total: this.#total,
      min: Number.isFinite(this.#min) ? this.#min : null,
      max: Number.isFinite(this.#max) ? this.#max : null,
    };
  }

  /** Restores `toJSON()` output (of a histogram with the same `bins`). */
  load(state: HistogramState): this {
    const k = typeof state === 'object' && state !== null ? state.binsPerSide : -1;
    if (
      !Number.isInteger(k) ||
      k < 0 ||
      !Array.isArray(state.pos) ||
      !Array.isArray(state.neg) ||
      state.pos.length > k ||
      state.neg.length > k ||
      state.width > 0 !== k > 0
    ) {
      throw new QuantTrimError({
        code: 'QT_INVALID_CALIBRATOR',
        message: `histogram.load: expected { binsPerSide, width, pos: [], neg: [], ... } as produced by toJSON()`,
      });
    }
    this.#k = state.binsPerSide;
    this.#cap = state.binsPerSide;
    this.#width = state.width;
    this.#inv = state.width > 0 ? 1 / state.width : 0;
    this.#counts = new Float64Array(2 * this.#cap);
    this.#counts.set(state.pos, this.#cap);
    state.neg.forEach((c, i) => {
      this.#counts[this.#cap - 1 - i] = c;
    });
    this.#zeros = state.zeros;
    this.#total = state.total;
    this.#min = state.min ?? Infinity;
    this.#max = state.max ?? -Infinity;
    return this;
  }
}
