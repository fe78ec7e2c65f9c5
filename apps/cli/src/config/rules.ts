import type { Config } from './schema.js';

/** What a cross-field rule may report. */
export interface RuleResult {
  readonly warnings: string[];
  readonly errors: string[];
}

/**
 * Rules that involve more than one field, run on the parsed value after the schema passed. `raw`
 * is the user's object, so a rule can tell a field that was written from one that defaulted.
 * Every message starts with the dotted path of the field it is about.
 */
export function checkConfigRules(config: Config, raw: Readonly<Record<string, unknown>> = {}): RuleResult {
  const warnings: string[] = [];
  const errors: string[] = [];
  const written = (key: string): boolean => raw[key] !== undefined;
  const quantTrim = config.methods.includes('quant-trim');

  if (!quantTrim && written('trim')) warnings.push('trim: ignored, because methods does not include "quant-trim"');
  if (!quantTrim && written('lambda')) warnings.push('lambda: ignored, because methods does not include "quant-trim"');
  if (quantTrim && !config.trim.enabled && written('trim') && raw['trim'] !== null && typeof raw['trim'] === 'object') {
    const { pMax, refreshEvery } = raw['trim'] as Record<string, unknown>;
    if (pMax !== undefined || refreshEvery !== undefined) warnings.push('trim.enabled: false, so trim.pMax and trim.refreshEvery have no effect');
  }
  if (config.latency && config.runtimes.length === 0) warnings.push('latency: ignored, because runtimes is empty (latency is measured on real runtimes)');
  if (config.trainLimit !== undefined && config.trainLimit < config.batchSize) {
    warnings.push(`trainLimit: ${config.trainLimit} is smaller than batchSize (${config.batchSize}); every epoch is a single partial batch`);
  }
  if (config.trainLimit !== undefined && config.calibrationSamples > config.trainLimit) {
    warnings.push(
      `calibrationSamples: ${config.calibrationSamples} is more than trainLimit (${config.trainLimit}); only ${config.trainLimit} samples can be used`,
    );
  }
  const pre = config.preprocess;
  if (pre?.channels !== undefined) {
    for (const key of ['mean', 'std'] as const) {
      const values = pre[key];
      if (values !== undefined && values.length !== 1 && values.length !== pre.channels)
        errors.push(
          `preprocess.${key}: ${values.length} values for preprocess.channels ${pre.channels}; give ${pre.channels === 1 ? '1 value' : `1 or ${pre.channels}`}`,
        );
    }
  }
  if (typeof config.scheme === 'object' && config.scheme.layers !== undefined) {
    for (const pattern of Object.keys(config.scheme.layers)) {
      if (!/[*?]/.test(pattern) && /[\\^$+()[\]{}|]/.test(pattern)) {
        warnings.push(`scheme.layers.${pattern}: layer patterns are globs (\`*\`, \`?\`), not regular expressions; this one matches only the literal name`);
      }
    }
  }
  return { warnings, errors };
}
