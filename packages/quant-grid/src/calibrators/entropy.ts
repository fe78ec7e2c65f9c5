import type { QuantScheme } from '../scheme.js';
import type { Histogram } from './Histogram.js';
import { HistogramCalibrator, type HistogramOptions, choiceOption, integerOption, thresholdRange } from './HistogramCalibrator.js';

export interface EntropyOptions extends HistogramOptions {
  /** `edge` (default): T = i·w, TensorRT's pytorch-quantization; `center`: T = (i + 0.5)·w (GTC 2017 slides). */
  thresholdAt?: 'edge' | 'center';
  /** First candidate bin count i. Default 128 (TensorRT). */
  start?: number;
  /** Step between candidates. Default 1. */
  stride?: number;
}

/**
 * KL divergence of every candidate i ≥ start on the |x| histogram H (H[0] already set to H[1]),
 * following TensorRT's `_compute_amax_entropy`:
 * P = H[0..i−1] with the outlier mass Σ H[i..] added to P[i−1]; Q = H[0..i−1] merged into
 * `levels` groups (bin j → ⌊j·levels/i⌋), each group's total spread evenly over its non-empty
 * bins; both normalised; KL = Σ_{P>0} P·ln(P/Q), +∞ if some P > 0 has Q = 0.
 * Returns the LAST i with the minimal KL (len(H) if there are fewer than `start` bins).
 */
export function entropyThresholdBin(h: Float64Array, levels: number, start: number, stride: number): number {
  const len = h.length;
  const prefix = new Float64Array(len + 1);
  for (let j = 0; j < len; j++) prefix[j + 1] = prefix[j]! + h[j]!;
  const total = prefix[len]!;
  const groupSum = new Float64Array(levels);
  const groupBins = new Float64Array(levels);
  let best = Infinity;
  let bestI = len;
  for (let i = Math.min(start, len); i <= len; i += stride) {
    if (h[i - 1] === 0 && prefix[i] !== total) {
      // P[i−1] holds outliers but Q[i−1] = 0: KL = +∞ without building Q.
      if (best === Infinity) bestI = i;
      continue;
    }
    groupSum.fill(0);
    groupBins.fill(0);
    for (let j = 0; j < i; j++) {
      const c = h[j]!;
      if (c === 0) continue;
      const g = Math.floor((j * levels) / i);
      groupSum[g]! += c;
      groupBins[g]!++;
    }
    const outliers = total - prefix[i]!;
    const qTotal = prefix[i]!; // Σ Q = Σ H[0..i−1] (integer counts, exact)
    let kl = 0;
    for (let j = 0; j < i; j++) {
      const p = j === i - 1 ? h[j]! + outliers : h[j]!;
      if (p === 0) continue;
      if (h[j] === 0) {
        kl = Infinity;
        break;
      }
      const g = Math.floor((j * levels) / i);
      const pn = p / total;
      const qn = groupSum[g]! / groupBins[g]! / qTotal;
      kl += pn * Math.log(pn / qn);
    }
    if (kl <= best) {
      best = kl;
      bestI = i;
    }
  }
  return bestI;
}

/**
 * Entropy (KL) calibration, TensorRT style (docs/backends.md#entropy-kl): choose the |x| threshold whose
 * 128-level (256 for unsigned schemes; in general 2^(bits − 1) signed, 2^bits unsigned, decided
 * from the scheme at compute time) quantized distribution loses the least information.
 * Symmetric schemes get [−T, T] ([0, T] unsigned); asymmetric ones [max(min, −T), min(max, T)].
 * The search costs O(len²) per group (≈ 2 M bin visits at 2048 bins); grown histograms cost more.
 *
 * @example
 * const c = new EntropyCalibrator();
 * for (const batch of batches) c.observe(batch);
 * c.compute(createScheme({ bits: 8 }));
 */
export class EntropyCalibrator extends HistogramCalibrator<EntropyOptions> {
  readonly thresholdAt: 'edge' | 'center';
  readonly start: number;
  readonly stride: number;

  constructor(options: EntropyOptions = {}) {
    super('entropy', options);
    this.thresholdAt = choiceOption(this.name, 'thresholdAt', options.thresholdAt, ['edge', 'center'] as const);
    this.start = integerOption(this.name, 'start', options.start, 128, 1);
    this.stride = integerOption(this.name, 'stride', options.stride, 1, 1);
  }

  /** The |x| threshold T of one group for `scheme`. */
  threshold(h: Histogram, scheme: QuantScheme): number {
    const { counts, width } = h.abs();
    if (counts.length > 1) counts[0] = counts[1]!; // suppress the spike of exact zeros
    const levels = 2 ** (scheme.bits - (scheme.signed ? 1 : 0));
    const i = entropyThresholdBin(counts, levels, this.start, this.stride);
    return (this.thresholdAt === 'edge' ? i : i + 0.5) * width;
  }

  protected rangeFor(h: Histogram, scheme: QuantScheme): [number, number] {
    return thresholdRange(this.threshold(h, scheme), h.min, h.max, scheme);
  }
}
