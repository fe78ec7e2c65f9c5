import type { CalibratorDefinition } from '../calibrators/types.js';

/**
 * Declares a calibrator plugin. Returns the definition unchanged (typed); registering is separate.
 *
 * @example
 * const lastValue = defineCalibrator({ name: 'last-value', create: (o = {}) => new LastValueCalibrator(o) });
 * registry.registerCalibrator(lastValue);
 * registry.calibrator('last-value').observe(batch);
 */
/* @__NO_SIDE_EFFECTS__ */
export function defineCalibrator<TOptions>(definition: CalibratorDefinition<TOptions>): CalibratorDefinition<TOptions> {
  return definition;
}
