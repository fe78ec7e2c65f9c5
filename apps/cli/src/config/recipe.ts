import type { CalibratorRandomizationConfig, RandomizeConfig, RandomCalibratorSpec, SchemeSpec } from '@quant-trim/fake-quant';
import { defaultRegistry, type SchemeName, type SchemeOptions } from '@quant-trim/quant-grid';
import type { RecipeChoice, TrimChoice } from '../train/trainMethod.js';
import { CONFIG_DEFAULTS } from './defaults.js';
import { resolveSchemes } from './resolveScheme.js';
import type { Config } from './schema.js';

type RandomizeSetting = Exclude<NonNullable<Exclude<Config['scheme'], string>['randomize']>, boolean>;
type GridEntry = Exclude<NonNullable<RandomizeSetting['weights']>[number], string>;

/** A config grid entry (preset name or grid options with a granularity kind) as a fake-quant scheme spec. */
function toSpec(entry: string | GridEntry): SchemeSpec {
  if (typeof entry === 'string') return entry;
  const { granularity, ...rest } = entry;
  const options: SchemeOptions = { ...rest, ...(granularity === 'per-channel' ? { granularity: { kind: 'per-channel', axis: 0 } } : {}) };
  return options;
}

/**
 * The default scheme-randomisation sets for a weight preset and an activation preset: weights at
 * the trained width, per-channel and per-tensor, with float and power-of-two scales (the grids of
 * TensorRT / TFLite, Hailo and Vitis at that width); activations uint8 asymmetric, int8 symmetric
 * and int8 power-of-two per-tensor when the activation preset is 8-bit (else the preset alone).
 */
export function defaultRandomizeSets(weightsPreset: string, activationsPreset: string): { weights: SchemeSpec[]; activations: SchemeSpec[] } {
  const w = defaultRegistry.scheme(weightsPreset as SchemeName);
  const a = defaultRegistry.scheme(activationsPreset as SchemeName);
  const bits = w.bits;
  const weights: SchemeSpec[] = [
    weightsPreset,
    { bits, signed: true, symmetric: true, granularity: { kind: 'per-channel', axis: 0 }, name: `int${bits}-sym-per-channel` },
    { bits, signed: true, symmetric: true, name: `int${bits}-sym-per-tensor` },
    { bits, signed: true, symmetric: true, scaleConstraint: 'pow2', name: `int${bits}-pow2-per-tensor` },
  ];
  const activations: SchemeSpec[] = a.bits === 8 ? ['uint8-asym-per-tensor', 'int8-sym-per-tensor', 'int8-pow2-per-tensor'] : [activationsPreset];
  return { weights, activations };
}

/** What the `quant-trim` method adds to the paper's recipe, from the config (each mechanism only when enabled). */
export function resolveRecipe(config: Config): RecipeChoice {
  const schemes = resolveSchemes(config.scheme);
  const randomizeSetting = (typeof config.scheme === 'string' ? undefined : config.scheme.randomize) ?? CONFIG_DEFAULTS.randomizeSchemes;
  let randomize: RandomizeConfig | undefined;
  if (randomizeSetting === true || typeof randomizeSetting === 'object') {
    const defaults = defaultRandomizeSets(schemes.weights, schemes.activations);
    const given = randomizeSetting === true ? {} : randomizeSetting;
    randomize = {
      weights: given.weights?.map(toSpec) ?? defaults.weights,
      activations: given.activations?.map(toSpec) ?? defaults.activations,
    };
  }
  const a = config.activationTrim;
  const c = config.randomCalibration;
  const b = config.blankSuppression;
  const calibrators = c.calibrators.map((name): RandomCalibratorSpec => (name === 'percentile' ? { name, options: { percentile: 99.99 } } : name));
  const randomCalibration: CalibratorRandomizationConfig = { calibrators, refreshEvery: c.refreshEvery };
  return {
    ...(a.enabled ? { activationTrim: { pMax: a.pMax, momentum: a.momentum, refreshEvery: a.refreshEvery, deploy: a.deploy } } : {}),
    ...(c.enabled ? { randomCalibration } : {}),
    ...(randomize !== undefined ? { randomize } : {}),
    ...(b.enabled ? { blankSuppression: { weight: b.weight, value: b.value, ...(b.mode === 'decoupled' ? { stepSize: b.stepSize } : {}) } } : {}),
  };
}

/**
 * What `--method quant-trim` trains with, in words, for the report: the λ curriculum, weight
 * trimming unless turned off, and each mechanism beyond the paper that is on.
 */
export function describeRecipe(recipe: RecipeChoice, trim: TrimChoice | undefined): string[] {
  const b = recipe.blankSuppression;
  return [
    'λ curriculum',
    ...(trim?.enabled === false ? [] : ['weight trimming']),
    ...(recipe.activationTrim !== undefined ? ['activation tail trimming'] : []),
    ...(recipe.randomCalibration !== undefined ? ['calibrator randomisation'] : []),
    ...(recipe.randomize !== undefined ? ['scheme randomisation'] : []),
    ...(b !== undefined ? [`blank-response suppression (${b.stepSize !== undefined ? 'decoupled' : 'loss'})`] : []),
  ];
}
