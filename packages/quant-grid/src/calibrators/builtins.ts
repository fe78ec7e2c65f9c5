import { defineCalibrator } from '../registry/defineCalibrator.js';
import { histogramCalibrators } from './builtinHistogramCalibrators.js';
import { type EmaMinMaxOptions, type MeanMinMaxOptions, MinMaxCalibrator, type MinMaxOptions } from './minMax.js';

/** Every built-in calibrator, by name (docs/backends.md#calibration). Built by a pure call, so a bundle that does not use it drops it. */
export const builtinCalibrators = /* @__PURE__ */ builtins();

function builtins() {
  return {
    minmax: defineCalibrator({
      name: 'minmax',
      description: 'running min/max over all batches (TFLite, ORT MinMax, TensorRT MinMax)',
      create: (options: MinMaxOptions = {}) => new MinMaxCalibrator('minmax', 'absolute', options),
    }),
    'ema-minmax': defineCalibrator({
      name: 'ema-minmax',
      description: 'exponential moving average of per-batch min/max (ORT moving_average, PyTorch MovingAverageMinMaxObserver)',
      create: (options: EmaMinMaxOptions = {}) => new MinMaxCalibrator('ema-minmax', 'ema', options),
    }),
    'mean-minmax': defineCalibrator({
      name: 'mean-minmax',
      description: 'mean of per-batch (or per-sample) min/max (NNCF activations)',
      create: (options: MeanMinMaxOptions = {}) => new MinMaxCalibrator('mean-minmax', 'mean', options),
    }),
    ...histogramCalibrators,
  };
}

type OptionsOf<T> = T extends { create(options?: infer O): unknown } ? O : never;

/** Built-in calibrator name → its options type. */
export type BuiltinCalibratorOptions = { [K in keyof typeof builtinCalibrators]: OptionsOf<(typeof builtinCalibrators)[K]> };
