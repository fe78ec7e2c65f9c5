import { defineCalibrator } from '../registry/defineCalibrator.js';
import { EntropyCalibrator, type EntropyOptions } from './entropy.js';
import { MseCalibrator, type MseOptions } from './mse.js';
import { PercentileCalibrator, type PercentileOptions } from './percentile.js';
import { Pow2Calibrator, type Pow2Options } from './pow2.js';
import { SqnrCalibrator, type SqnrOptions } from './sqnr.js';

/**
 * The histogram-based built-in calibrators (docs/backends.md#calibration), by name. Each keeps one
 * streaming histogram per parameter group and searches it at `compute(scheme)` time.
 *
 * @example
 * const c = histogramCalibrators.entropy.create({ bins: 2048 });
 * for (const batch of batches) c.observe(batch);
 * const qp = c.compute(createScheme({ bits: 8 }));
 */
export const histogramCalibrators = {
  percentile: defineCalibrator({
    name: 'percentile',
    description: 'clip to a percentile of |x| (TensorRT) or of each signed tail (ORT, AIMET)',
    create: (options: PercentileOptions = {}) => new PercentileCalibrator(options),
  }),
  entropy: defineCalibrator({
    name: 'entropy',
    description: 'threshold minimising the KL divergence of the quantized |x| histogram (TensorRT entropy calibrator)',
    create: (options: EntropyOptions = {}) => new EntropyCalibrator(options),
  }),
  mse: defineCalibrator({
    name: 'mse',
    description: 'threshold minimising the quant-dequant MSE over histogram bin centres (TensorRT MSE)',
    create: (options: MseOptions = {}) => new MseCalibrator(options),
  }),
  sqnr: defineCalibrator({
    name: 'sqnr',
    description: 'AIMET tf_enhanced: (delta, offset) grid search weighting clipping noise by gamma',
    create: (options: SqnrOptions = {}) => new SqnrCalibrator(options),
  }),
  pow2: defineCalibrator({
    name: 'pow2',
    description: 'power-of-two scales, non-overflow or min-MSE over 2^(e+d) (Vitis AI)',
    create: (options: Pow2Options = {}) => new Pow2Calibrator(options),
  }),
};
