import { qparamsForRange } from '../math/computeQParams.js';
import type { QuantScheme } from '../scheme.js';
import type { Histogram } from './Histogram.js';
import { BinSample, HistogramCalibrator, type HistogramOptions, integerOption, perTensor, thresholdRange } from './HistogramCalibrator.js';

export interface MseOptions extends HistogramOptions {
  /** First candidate bin j (amax = centre of |x| bin j). Default 128 (TensorRT). */
  start?: number;
  /** Step between candidates. Default 1. */
  stride?: number;
}

/**
 * MSE search (docs/backends.md#mse-search, TensorRT `_compute_amax_mse`): every |x| bin centre c_j, j ≥ start,
 * is a candidate amax; the histogram's bin centres are fake-quantized on the scheme's grid for that
 * amax (the scheme's own range rule, bits, rounding and clamping, through `fakeQuantize`) and the
 * candidate with the FIRST minimal Σ H·(x̂ − c)² / ΣH wins.
 *
 * Which centres are scored: signed symmetric schemes (and data without negative values) use the
 * |x| histogram, as TensorRT does. Otherwise (asymmetric or unsigned schemes on data with negative
 * values) the signed histogram is scored, with the candidate range
 * [max(min, −amax), min(max, amax)] (or [0, amax] for unsigned symmetric), so negative values
 * count with their sign and clip where the real grid clips them.
 *
 * @example
 * const c = new MseCalibrator();
 * c.observe(weights, [64, 3, 3, 3]);
 * c.compute(createScheme({ bits: 8 }));
 */
export class MseCalibrator extends HistogramCalibrator<MseOptions> {
  readonly start: number;
  readonly stride: number;

  constructor(options: MseOptions = {}) {
    super('mse', options);
    this.start = integerOption(this.name, 'start', options.start, 128, 0);
    this.stride = integerOption(this.name, 'stride', options.stride, 1, 1);
  }

  /** The chosen amax of one group for `scheme`. */
  threshold(h: Histogram, scheme: QuantScheme): number {
    const { counts, width } = h.abs();
    let sample: BinSample;
    if (!(scheme.symmetric && scheme.signed) && h.min < 0) {
      const s = h.signed();
      sample = new BinSample(s.counts, s.lo, s.width);
    } else {
      sample = new BinSample(counts, 0, width);
    }
    const flat = perTensor(scheme);
    const rule = scheme.qparamsRule ?? qparamsForRange;
    let best = Infinity;
    let bestJ = counts.length - 1;
    for (let j = Math.min(this.start, counts.length - 1); j < counts.length; j += this.stride) {
      const [lo, hi] = thresholdRange((j + 0.5) * width, h.min, h.max, scheme);
      const p = rule(lo, hi, scheme);
      const err = sample.error(p.scale, p.zeroPoint, flat);
      if (err < best) {
        best = err;
        bestJ = j;
      }
    }
    return (bestJ + 0.5) * width;
  }

  protected rangeFor(h: Histogram, scheme: QuantScheme): [number, number] {
    return thresholdRange(this.threshold(h, scheme), h.min, h.max, scheme);
  }
}
