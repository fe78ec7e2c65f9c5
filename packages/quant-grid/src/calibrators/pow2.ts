import { qparamsForRange } from '../math/computeQParams.js';
import { roundHalfEven } from '../math/round.js';
import type { QuantScheme } from '../scheme.js';
import type { Histogram } from './Histogram.js';
import { BinSample, HistogramCalibrator, type HistogramOptions, choiceOption, invalidOption, perTensor } from './HistogramCalibrator.js';

export interface Pow2Options extends HistogramOptions {
  /** `min-mse` (default): best of 2^(e+d) on the histogram; `non-overflow`: 2^e, nothing clips. */
  mode?: 'min-mse' | 'non-overflow';
  /** Exponent offsets d tried by `min-mse`. Default [−2, −1, 0] (project default; Vitis states no range). */
  candidates?: readonly number[];
}

/**
 * Power-of-two scales, Vitis AI style (docs/backends.md#power-of-two-scales). The range is the absolute min/max
 * (widened to 0). NonOverflow: e = ⌈log2(s)⌉ for the scale s the scheme's range formula gives
 * (s = amax/qmax when symmetric), so scale = 2^e and nothing that was observed clips. MinMSE:
 * tries 2^(e+d) for each d in `candidates` and keeps the lowest quant-dequant MSE measured on the
 * signed histogram's bin centres (ties go to the larger scale). Asymmetric schemes get
 * zp = clamp(R_even(qmin − lo/s)) for each candidate s.
 *
 * Scales are exact powers of two ≥ `minScale` whatever the scheme's `scaleConstraint`; the
 * scheme's `qparamsRule` is not used.
 *
 * @example
 * const c = new Pow2Calibrator({ mode: 'non-overflow' });
 * c.observe(new Float32Array([-1, 0.5, 1]));
 * c.compute(createScheme({ bits: 8 })).scale[0]; // 2^-6 = 2^⌈log2(1/127)⌉
 */
export class Pow2Calibrator extends HistogramCalibrator<Pow2Options> {
  readonly mode: 'min-mse' | 'non-overflow';
  readonly candidates: readonly number[];

  constructor(options: Pow2Options = {}) {
    super('pow2', options);
    this.mode = choiceOption(this.name, 'mode', options.mode, ['min-mse', 'non-overflow'] as const);
    const candidates = options.candidates ?? [-2, -1, 0];
    if (!Array.isArray(candidates) || candidates.length === 0 || !candidates.every((d) => Number.isInteger(d) && Math.abs(d) <= 64)) {
      invalidOption(this.name, 'candidates', 'a non-empty array of integer exponent offsets', candidates);
    }
    this.candidates = [...new Set(candidates)].sort((a, b) => b - a);
  }

  protected override qparamsFor(h: Histogram, scheme: QuantScheme): { scale: number; zeroPoint: number } {
    const lo = Number.isFinite(h.min) ? Math.min(h.min, 0) : 0;
    const hi = Number.isFinite(h.max) ? Math.max(h.max, 0) : 0;
    const base = qparamsForRange(lo, hi, { ...scheme, scaleConstraint: 'pow2' });
    if (this.mode === 'non-overflow' || h.width === 0) return base;
    const { counts, lo: first, width } = h.signed();
    const sample = new BinSample(counts, first, width);
    const flat = perTensor(scheme);
    let best = { scale: base.scale, zeroPoint: base.zeroPoint };
    let bestErr = Infinity;
    for (const d of this.candidates) {
      const scale = base.scale * 2 ** d;
      if (scale < scheme.minScale || !(Math.fround(scale) === scale)) continue;
      const zeroPoint = scheme.symmetric ? 0 : Math.min(scheme.qmax, Math.max(scheme.qmin, roundHalfEven(scheme.qmin - lo / scale)));
      const err = sample.error(scale, zeroPoint, flat);
      if (err < bestErr) {
        bestErr = err;
        best = { scale, zeroPoint };
      }
    }
    return best;
  }

  protected rangeFor(h: Histogram, scheme: QuantScheme): [number, number] {
    const { scale, zeroPoint } = this.qparamsFor(h, scheme);
    return [(scheme.qmin - zeroPoint) * scale, (scheme.qmax - zeroPoint) * scale];
  }
}
