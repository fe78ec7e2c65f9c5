import type { QuantScheme } from '../scheme.js';
import type { Histogram } from './Histogram.js';
import { HistogramCalibrator, type HistogramOptions, choiceOption, invalidOption, thresholdRange } from './HistogramCalibrator.js';

export interface PercentileOptions extends HistogramOptions {
  /** Share of the data kept, in (0, 100]. Default 99.99 (TensorRT; ORT uses 99.999, AIMET 100). */
  percentile?: number;
  /**
   * `abs` (default, TensorRT): one threshold on |x|. `signed` (ORT, AIMET): trim each tail of the
   * signed histogram separately.
   */
  mode?: 'abs' | 'signed';
  /**
   * Signed mode only: `split` trims (100 − p)/2 % per tail (ORT, default); `each` trims
   * (100 − p) % per tail (AIMET; needs p ≥ 50).
   */
  tails?: 'split' | 'each';
}

/** First bin index whose cumulative share reaches `q` (numpy `searchsorted(cdf, q)`); `counts.length` if none. */
function firstAtLeast(counts: Float64Array, total: number, q: number): number {
  let cum = 0;
  for (let t = 0; t < counts.length; t++) {
    cum += counts[t]!;
    if (cum / total >= q) return t;
  }
  return counts.length;
}

/**
 * Percentile calibration (docs/backends.md#percentile): clip the rarest values so one outlier cannot stretch
 * the grid over values that never occur.
 * - `abs`: amax = lower edge of the first |x| bin whose cdf reaches p/100 (TensorRT; note that
 *   p = 100 therefore gives the lower edge of the top bin, as in TensorRT). Symmetric schemes use
 *   [−amax, amax] ([0, amax] unsigned); asymmetric ones [max(min, −amax), min(max, amax)].
 * - `signed`: lo / hi = lower edges of the first signed bins whose cdf reaches q and 1 − q
 *   (ORT's `searchsorted`), clamped to the observed [min, max]; p = 100 keeps [min, max] exactly.
 *
 * @example
 * const c = new PercentileCalibrator({ percentile: 99.9 });
 * c.observe(activations);
 * const qp = c.compute(createScheme({ bits: 8 }));
 */
export class PercentileCalibrator extends HistogramCalibrator<PercentileOptions> {
  readonly percentile: number;
  readonly mode: 'abs' | 'signed';
  readonly tails: 'split' | 'each';

  constructor(options: PercentileOptions = {}) {
    super('percentile', options);
    const p = options.percentile ?? 99.99;
    if (typeof p !== 'number' || !(p > 0 && p <= 100)) invalidOption(this.name, 'percentile', 'a number in (0, 100]', p);
    this.mode = choiceOption(this.name, 'mode', options.mode, ['abs', 'signed'] as const);
    this.tails = choiceOption(this.name, 'tails', options.tails, ['split', 'each'] as const);
    if (this.mode === 'signed' && this.tails === 'each' && p < 50) invalidOption(this.name, 'percentile', "a number in [50, 100] with tails 'each'", p);
    this.percentile = p;
  }

  /** The |x| clipping threshold of one group (abs mode). */
  threshold(h: Histogram): number {
    const { counts, width } = h.abs();
    return firstAtLeast(counts, h.total, this.percentile / 100) * width;
  }

  protected rangeFor(h: Histogram, scheme: QuantScheme): [number, number] {
    if (this.mode === 'abs') return thresholdRange(this.threshold(h), h.min, h.max, scheme);
    if (this.percentile === 100) return [h.min, h.max];
    const q = (100 - this.percentile) / (this.tails === 'split' ? 200 : 100);
    const { counts, width, lo } = h.signed();
    const left = lo + firstAtLeast(counts, h.total, q) * width;
    const right = lo + firstAtLeast(counts, h.total, 1 - q) * width;
    const hi = Math.min(h.max, right);
    return [Math.min(Math.max(h.min, left), hi), hi];
  }
}
