import { pow2Ceil } from '../math/computeQParams.js';
import { roundHalfEven } from '../math/round.js';
import type { QuantScheme } from '../scheme.js';
import type { Histogram } from './Histogram.js';
import { HistogramCalibrator, type HistogramOptions, invalidOption } from './HistogramCalibrator.js';

export interface SqnrOptions extends HistogramOptions {
  /** Weight of clipping noise against rounding noise (AIMET's fudge factor). Default 3; 1 is plain MSE. */
  gamma?: number;
}

/** AIMET's `_MINIMUM_SCALE` (float32 eps). */
const EPS = 2 ** -23;

/** An AIMET encoding: grid points (q + offset)·delta, q = 0…N. */
export interface SqnrEncoding {
  readonly delta: number;
  readonly offset: number;
}

/** Weighted noise of one (delta, offset) over the bin midpoints (AIMET `_estimate_clip_and_quant_noise`). */
function noise(mids: Float64Array, counts: Float64Array, delta: number, offset: number, n: number, gamma: number): number {
  let sum = 0;
  for (let j = 0; j < mids.length; j++) {
    const m = mids[j]!;
    const q = roundHalfEven(m / delta - offset);
    const clipped = q < 0 || q > n;
    const d = ((clipped ? (q < 0 ? 0 : n) : q) + offset) * delta - m;
    sum += (clipped ? gamma : 1) * counts[j]! * d * d;
  }
  return sum;
}

/**
 * AIMET tf_enhanced (docs/backends.md#sqnr-search) over the non-empty bins (midpoints, counts) of a signed
 * histogram. `steps` = N; `fixedOffset` is the symmetric offset (⌊−N/2⌋ signed, 0 unsigned), or
 * undefined for the asymmetric search. Returns the first lowest-noise candidate.
 */
export function sqnrSearch(
  mids: Float64Array,
  counts: Float64Array,
  min: number,
  max: number,
  steps: number,
  gamma: number,
  fixedOffset?: number,
): SqnrEncoding {
  const n = steps;
  const lo = Math.min(min, 0);
  const hi = Math.max(max, 0, lo + EPS * n);
  let best = Infinity;
  let bestDelta = 0;
  let bestOffset = 0;
  const consider = (delta: number, offset: number): void => {
    const cost = noise(mids, counts, delta, offset, n, gamma);
    if (cost < best) {
      best = cost;
      bestDelta = delta;
      bestOffset = offset;
    }
  };
  if (fixedOffset !== undefined) {
    // Symmetric: the grid's positive end reaches max(|lo|, |hi|) at k = 100.
    const maxDelta = fixedOffset === 0 ? hi / n : (2 * Math.max(-lo, hi)) / n;
    for (let k = 1; k <= 101; k++) consider(Math.max((maxDelta * k) / 100, EPS), fixedOffset);
    return { delta: bestDelta, offset: bestOffset };
  }
  const maxDelta = (hi - lo) / n;
  const observedOffset = roundHalfEven(lo / maxDelta);
  const observedMin = maxDelta * observedOffset;
  const observedMax = observedMin + maxDelta * n;
  const numOffsets = Math.min(n + 2, 21);
  const step = n / (numOffsets - 2);
  const offsets: number[] = [];
  for (let m = 0; m <= numOffsets - 2; m++) offsets.push(roundHalfEven(-n + m * step));
  offsets.push(observedOffset);
  for (let k = 1; k <= 17; k++) {
    const delta = (maxDelta * k) / 16;
    for (const o of offsets) {
      const testMin = Math.max(observedMin, delta * o);
      const testMax = Math.min(observedMax, delta * o + delta * n);
      const d = Math.max((testMax - testMin) / n, EPS);
      consider(d, roundHalfEven(testMin / d));
    }
  }
  return { delta: bestDelta, offset: bestOffset };
}

/**
 * SQNR calibration, AIMET tf_enhanced (docs/backends.md#sqnr-search): a grid search over (delta, offset)
 * minimising rounding noise plus γ × clipping noise over the signed histogram's bin midpoints.
 * N = qmax − qmin (2^b − 1; 2^b − 2 for narrow-range schemes, so the encoding fits the grid).
 * AIMET encodes x̂ = (q + o)·δ with q ∈ [0, N]; on this package's grid x̂ = (q' − zp)·s with
 * q' ∈ [qmin, qmax], so s = δ and zp = qmin − o (unsigned storage: zp = −o). Symmetric schemes
 * fix o = qmin (⌊−N/2⌋ signed, 0 unsigned), so zp = 0. δ is raised to `minScale`, rounded up to a
 * power of two for `pow2` schemes (the offset is kept) and stored as float32.
 *
 * @example
 * const c = new SqnrCalibrator({ gamma: 3 });
 * c.observe(activations);
 * c.compute(createScheme({ bits: 8, signed: false, symmetric: false }));
 */
export class SqnrCalibrator extends HistogramCalibrator<SqnrOptions> {
  readonly gamma: number;

  constructor(options: SqnrOptions = {}) {
    super('sqnr', options);
    const gamma = options.gamma ?? 3;
    if (typeof gamma !== 'number' || !(gamma > 0) || !Number.isFinite(gamma)) invalidOption(this.name, 'gamma', 'a finite number > 0', gamma);
    this.gamma = gamma;
  }

  /** The AIMET encoding of one group for `scheme`. */
  encoding(h: Histogram, scheme: QuantScheme): SqnrEncoding {
    const { counts, lo, width } = h.signed();
    let size = 0;
    for (const c of counts) if (c > 0) size++;
    const mids = new Float64Array(size);
    const weights = new Float64Array(size);
    for (let t = 0, j = 0; t < counts.length; t++) {
      if (counts[t]! <= 0) continue;
      mids[j] = lo + (t + 0.5) * width;
      weights[j++] = counts[t]!;
    }
    const min = Number.isFinite(h.min) ? h.min : 0;
    const max = Number.isFinite(h.max) ? h.max : 0;
    return sqnrSearch(mids, weights, min, max, scheme.qmax - scheme.qmin, this.gamma, scheme.symmetric ? scheme.qmin : undefined);
  }

  protected override qparamsFor(h: Histogram, scheme: QuantScheme): { scale: number; zeroPoint: number } {
    const { delta, offset } = this.encoding(h, scheme);
    let scale = Math.max(delta, scheme.minScale);
    if (scheme.scaleConstraint === 'pow2') scale = pow2Ceil(scale);
    const zeroPoint = Math.min(scheme.qmax, Math.max(scheme.qmin, scheme.qmin - offset));
    return { scale: Math.fround(scale), zeroPoint };
  }

  protected rangeFor(h: Histogram, scheme: QuantScheme): [number, number] {
    const { scale, zeroPoint } = this.qparamsFor(h, scheme);
    return [(scheme.qmin - zeroPoint) * scale, (scheme.qmax - zeroPoint) * scale];
  }
}
