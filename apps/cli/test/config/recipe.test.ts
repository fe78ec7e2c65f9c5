import { describe, expect, it } from 'vitest';
import { defaultRandomizeSets, describeRecipe, mergeOptions, parseConfig, resolveRecipe, type Config } from '../../src/config/index.js';

function config(json: Record<string, unknown>): Config {
  const { value, errors } = parseConfig(json, 'test.json');
  if (!value) throw new Error(errors.join('\n'));
  return value;
}

describe('the quant-trim recipe (mechanisms beyond the paper)', () => {
  it("is the ablation's pick by default: calibrator and scheme randomisation on the paper recipe; --no- switches give the paper recipe back", () => {
    const recipe = resolveRecipe(config({}));
    expect(Object.keys(recipe).sort()).toEqual(['randomCalibration', 'randomize']);
    expect(recipe.randomize).toEqual(defaultRandomizeSets('int8-sym-per-channel', 'uint8-asym-per-tensor'));
    expect(recipe.randomCalibration).toEqual({
      calibrators: ['minmax', { name: 'percentile', options: { percentile: 99.99 } }, 'entropy', 'mse', 'sqnr'],
      refreshEvery: 200,
    });
    expect(describeRecipe(recipe, {})).toEqual(['λ curriculum', 'weight trimming', 'calibrator randomisation', 'scheme randomisation']);
    expect(resolveRecipe(mergeOptions(config({}), { randomCalibration: false, randomizeSchemes: false }))).toEqual({});
    expect(resolveRecipe(config({ scheme: { randomize: false }, randomCalibration: { enabled: false } }))).toEqual({});
  });

  it('maps activationTrim, randomCalibration and scheme.randomize to fake-quant options', () => {
    const recipe = resolveRecipe(
      config({
        scheme: { weights: 'int4-sym-per-channel', randomize: true },
        activationTrim: { enabled: true, pMax: 0.01 },
        randomCalibration: { enabled: true, calibrators: ['minmax', 'percentile', 'entropy'], refreshEvery: 10 },
      }),
    );
    expect(recipe.activationTrim).toEqual({ pMax: 0.01, momentum: 0.9, refreshEvery: 4, deploy: true });
    expect(recipe.randomCalibration).toEqual({ calibrators: ['minmax', { name: 'percentile', options: { percentile: 99.99 } }, 'entropy'], refreshEvery: 10 });
    // `true`: the trained width per-channel, per-tensor and power-of-two per-tensor; 8-bit activation grids.
    expect(recipe.randomize?.weights).toEqual(defaultRandomizeSets('int4-sym-per-channel', 'uint8-asym-per-tensor').weights);
    expect(recipe.randomize?.weights?.slice(1).map((s) => (s as { name: string }).name)).toEqual([
      'int4-sym-per-channel',
      'int4-sym-per-tensor',
      'int4-pow2-per-tensor',
    ]);
    expect(recipe.randomize?.activations).toEqual(['uint8-asym-per-tensor', 'int8-sym-per-tensor', 'int8-pow2-per-tensor']);
  });

  it('takes explicit randomisation sets of presets and grid options', () => {
    const recipe = resolveRecipe(
      config({ scheme: { randomize: { weights: ['int8-sym-per-channel', { bits: 4, granularity: 'per-tensor', scaleConstraint: 'pow2' }] } } }),
    );
    expect(recipe.randomize?.weights).toEqual(['int8-sym-per-channel', { bits: 4, scaleConstraint: 'pow2' }]);
    expect(recipe.randomize?.activations).toHaveLength(3);
  });

  it('validates the new fields with dotted paths', () => {
    const { errors } = parseConfig(
      { activationTrim: { pMax: 0.7 }, randomCalibration: { calibrators: ['nope'] }, scheme: { randomize: { weights: [{ bits: 1 }] } } },
      'test.json',
    );
    expect(errors.join('\n')).toMatch(/activationTrim\.pMax: expected a number in \(0, 0\.5\)/);
    expect(errors.join('\n')).toMatch(/randomCalibration\.calibrators\.0: unknown calibrator "nope"/);
    expect(errors.join('\n')).toMatch(/scheme/);
  });

  it("--activation-trim, --random-calibration and --randomize-schemes enable the mechanisms, keeping the file's other settings", () => {
    const base = config({ scheme: 'int4-sym-per-channel', activationTrim: { pMax: 0.02 } });
    const merged = mergeOptions(base, { activationTrim: true, randomCalibration: true, randomizeSchemes: true });
    expect(merged.activationTrim).toMatchObject({ enabled: true, pMax: 0.02 });
    expect(merged.randomCalibration.enabled).toBe(true);
    expect(merged.scheme).toEqual({ weights: 'int4-sym-per-channel', randomize: true });
    const recipe = resolveRecipe(merged);
    expect(Object.keys(recipe).sort()).toEqual(['activationTrim', 'randomCalibration', 'randomize']);
  });

  it('--no-random-calibration, --no-blank-suppression, --no-randomize-schemes and --no-activation-trim turn a mechanism off over the config file', () => {
    const file = config({
      scheme: { weights: 'int4-sym-per-channel', randomize: { weights: ['int4-sym-per-group'] } },
      activationTrim: { enabled: true },
      randomCalibration: { enabled: true },
      blankSuppression: { enabled: true, weight: 2 },
    });
    expect(Object.keys(resolveRecipe(file)).sort()).toEqual(['activationTrim', 'blankSuppression', 'randomCalibration', 'randomize']);
    const off = mergeOptions(file, { activationTrim: false, randomCalibration: false, blankSuppression: false, randomizeSchemes: false });
    expect(resolveRecipe(off)).toEqual({});
    expect(off.blankSuppression).toMatchObject({ enabled: false, weight: 2 });
    expect(off.scheme).toEqual({ weights: 'int4-sym-per-channel', randomize: false });
    // On a string scheme, --no-randomize-schemes keeps the preset and says false explicitly.
    expect(mergeOptions(config({ scheme: 'int4-sym-per-channel' }), { randomizeSchemes: false }).scheme).toEqual({
      weights: 'int4-sym-per-channel',
      randomize: false,
    });
  });

  it('the CLI accepts each mechanism flag and its --no- form; absent, neither overrides the file', async () => {
    const { createCli } = await import('../../src/cli.js');
    const parse = (argv: string[]) => {
      const cli = createCli(() => {});
      return cli.parse(['node', 'quant-trim', 'train', ...argv], { run: false }).options as Record<string, unknown>;
    };
    expect(parse(['--no-blank-suppression', '--random-calibration', '--no-randomize-schemes'])).toMatchObject({
      blankSuppression: false,
      randomCalibration: true,
      randomizeSchemes: false,
    });
    const none = parse([]);
    for (const key of ['blankSuppression', 'randomCalibration', 'randomizeSchemes', 'activationTrim']) expect(none[key]).toBeUndefined();
  });

  it('describes the recipe for the report: the curriculum, trimming unless off, and each mechanism on', () => {
    expect(describeRecipe({}, undefined)).toEqual(['λ curriculum', 'weight trimming']);
    expect(describeRecipe({}, { enabled: false })).toEqual(['λ curriculum']);
    const all = resolveRecipe(
      config({ scheme: { randomize: true }, activationTrim: { enabled: true }, randomCalibration: { enabled: true }, blankSuppression: { enabled: true } }),
    );
    expect(describeRecipe(all, { enabled: false })).toEqual([
      'λ curriculum',
      'activation tail trimming',
      'calibrator randomisation',
      'scheme randomisation',
      'blank-response suppression (decoupled)',
    ]);
    expect(describeRecipe(resolveRecipe(config({ blankSuppression: { enabled: true, mode: 'loss' } })), {})).toEqual([
      'λ curriculum',
      'weight trimming',
      'calibrator randomisation',
      'scheme randomisation',
      'blank-response suppression (loss)',
    ]);
  });

  it("blankSuppression: off by default; --blank-suppression enables it (decoupled, step 0.5) with the file's weight and value", () => {
    expect(config({}).blankSuppression).toEqual({ enabled: false, weight: 1, value: 0, mode: 'decoupled', stepSize: 0.5 });
    const file = config({ blankSuppression: { weight: 0.5, value: [0.1, 0.2, 0.3] } });
    expect(resolveRecipe(mergeOptions(file, { blankSuppression: true })).blankSuppression).toEqual({ weight: 0.5, value: [0.1, 0.2, 0.3], stepSize: 0.5 });
    expect(resolveRecipe(file).blankSuppression).toBeUndefined();
    expect(resolveRecipe(config({ blankSuppression: { enabled: true, mode: 'loss' } })).blankSuppression).toEqual({ weight: 1, value: 0 });
    const { errors } = parseConfig({ blankSuppression: { weight: 0, value: 'zero', stepSize: 0, mode: 'both' } }, 'test.json');
    expect(errors.join('\n')).toMatch(/blankSuppression\.mode: expected "decoupled" or "loss"/);
    expect(errors.join('\n')).toMatch(/blankSuppression\.stepSize: expected a number > 0/);
    expect(errors.join('\n')).toMatch(/blankSuppression\.weight: expected a number > 0/);
    expect(errors.join('\n')).toMatch(/blankSuppression\.value: expected a number or an array of numbers/);
  });

  it('accepts quant-trim-paper as a method', () => {
    expect(config({ methods: ['fp', 'quant-trim-paper', 'quant-trim'] }).methods).toEqual(['fp', 'quant-trim-paper', 'quant-trim']);
  });
});
