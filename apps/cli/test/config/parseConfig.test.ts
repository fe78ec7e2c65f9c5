import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { CONFIG_DEFAULTS, parseConfig } from '../../src/config/index.js';

const example = JSON.parse(readFileSync(new URL('./fixtures/quant-trim.config.json', import.meta.url), 'utf8')) as Record<string, unknown>;

/** The errors of a config made of the example plus `patch`. */
function errorsOf(patch: Record<string, unknown>): string[] {
  return parseConfig({ ...example, ...patch }, 'test.json').errors;
}

describe('parseConfig', () => {
  it('accepts the example config, with no warnings', () => {
    const { value, warnings, errors } = parseConfig(example, 'example.json');
    expect(errors).toEqual([]);
    expect(warnings).toEqual([]);
    expect(value).toMatchObject({
      seed: 7,
      dataset: 'fashion-mnist',
      model: 'dscnn',
      methods: ['fp', 'quant-trim'],
      epochs: 5,
      trim: { pMax: 0.01, refreshEvery: 50, enabled: true },
    });
  });

  it('fills every default for an empty config', () => {
    const { value, errors } = parseConfig({}, 'empty.json');
    expect(errors).toEqual([]);
    expect(value).toMatchObject({
      seed: 0,
      dataset: 'mnist',
      model: 'cnn',
      methods: ['fp', 'qat', 'quant-trim'],
      scheme: 'int8-sym-per-channel',
      epochs: 3,
      batchSize: 64,
      lr: 0.003,
      lambda: CONFIG_DEFAULTS.lambda,
      trim: { pMax: 0.005, refreshEvery: 100, enabled: true },
      out: 'quant-trim-out',
    });
    expect(value?.profiles.length).toBeGreaterThanOrEqual(12);
    expect(value?.profiles).toContain('tflite-int8');
  });

  it('names the field of a wrong type', () => {
    expect(errorsOf({ epochs: '3' })).toEqual(['epochs: expected an integer ≥ 1, got "3"']);
    expect(errorsOf({ latency: 'yes' })).toEqual(['latency: expected a boolean, got "yes"']);
    expect(errorsOf({ methods: 'fp' })).toEqual(['methods: expected an array of methods, got "fp"']);
    expect(errorsOf({ trim: { pMax: '0.01' } })).toEqual(['trim.pMax: expected a number in (0, 0.2], got "0.01"']);
  });

  it('names the field of an out-of-range value', () => {
    expect(errorsOf({ epochs: 0 })).toEqual(['epochs: expected an integer ≥ 1, got 0']);
    expect(errorsOf({ batchSize: 1.5 })).toEqual(['batchSize: expected an integer ≥ 1, got 1.5']);
    expect(errorsOf({ lr: 0 })).toEqual(['lr: expected a number > 0, got 0']);
    expect(errorsOf({ trim: { pMax: 0.5 } })).toEqual(['trim.pMax: expected a number in (0, 0.2], got 0.5']);
    expect(errorsOf({ methods: ['fp', 'qta'] })).toEqual(['methods.1: expected one of "fp", "qat", "quant-trim", "quant-trim-paper", got "qta"']);
    expect(errorsOf({ methods: ['fp', 'fp'] })).toEqual(['methods.1: duplicate "fp"']);
    expect(errorsOf({ model: 'vgg' })).toEqual(['model: expected one of "mlp", "cnn", "dscnn", "resnet-tiny" or a path ending in .json or .onnx, got "vgg"']);
  });

  it('reports every error at once, each starting with its path', () => {
    const errors = errorsOf({ epochs: 0, lr: -1, runtimes: ['onnxruntime-python'] });
    expect(errors).toHaveLength(3);
    expect(errors.map((e) => e.split(':')[0])).toEqual(['epochs', 'lr', 'runtimes.0']);
  });

  it('rejects an unknown backend profile, listing the registered ones', () => {
    const [error, ...rest] = errorsOf({ profiles: ['tflite-int8', 'npu-9000'] });
    expect(rest).toEqual([]);
    expect(error).toMatch(/^profiles\.1: unknown backend profile "npu-9000"; registered: .*tflite-int8/);
  });

  it('rejects an unknown scheme name, in both scheme forms', () => {
    expect(errorsOf({ scheme: 'int3-sym' })[0]).toMatch(/^scheme: unknown scheme "int3-sym"; registered: .*int8-sym-per-channel/);
    expect(errorsOf({ scheme: { layers: { conv1: 'int3-sym' } } })[0]).toMatch(/^scheme\.layers\.conv1: unknown scheme "int3-sym"/);
    expect(errorsOf({ scheme: 8 })).toEqual(['scheme: expected a scheme name or an object { weights?, activations?, layers? }, got 8']);
    expect(errorsOf({ scheme: { weights: 4 } })).toEqual(['scheme.weights: expected a quant-grid scheme name, got 4']);
  });

  it('validates lambda with the schedulers package, reporting the config path', () => {
    expect(errorsOf({ lambda: { type: 'quantTrimCurriculum', warmup: 0.3, quarticEnd: 0.2 } })).toEqual(['lambda.quarticEnd: must be ≥ warmup (0.3), got 0.2']);
    expect(errorsOf({ lambda: { type: 'cosine', start: 1, steps: 100, end: '0' } })[0]).toMatch(/^lambda\.end: expected a finite number, got "0"/);
    expect(errorsOf({ lambda: { type: 'warmup', steps: 10, schedule: { type: 'linear', start: 0, end: 1 } } })[0]).toMatch(/^lambda\.schedule\.steps: /);
    expect(errorsOf({ lambda: { type: 'sawtooth' } })[0]).toMatch(/^lambda\.type: unknown schedule "sawtooth"; registered: .*quantTrimCurriculum/);
    expect(errorsOf({ lambda: { type: 'quantTrimCurriculum', unit: 'steps', warmup: 100 } })).toEqual([
      'lambda.totalSteps: required when unit is "steps" (the breakpoints are step counts)',
    ]);
    expect(errorsOf({ lambda: 'quartic' })[0]).toMatch(/^lambda: .*got "quartic"/);
  });

  it('accepts composed schedules and a curriculum in steps with its total', () => {
    expect(errorsOf({ lambda: { type: 'clamp', max: 0.8, schedule: { type: 'quantTrimCurriculum' } } })).toEqual([]);
    expect(errorsOf({ lambda: { type: 'quantTrimCurriculum', unit: 'steps', totalSteps: 1000, warmup: 100, quarticEnd: 500, fullAt: 850 } })).toEqual([]);
  });

  it('warns about unknown keys (with a suggestion) and drops them', () => {
    const { value, warnings, errors } = parseConfig({ ...example, epoch: 4, trim: { pMax: 0.01, refreshEvry: 10 } }, 'typo.json');
    expect(errors).toEqual([]);
    expect(warnings).toHaveLength(2);
    expect(warnings).toEqual(
      expect.arrayContaining(['epoch: unknown key, ignored (did you mean "epochs"?)', 'trim.refreshEvry: unknown key, ignored (did you mean "refreshEvery"?)']),
    );
    expect(value?.epochs).toBe(5);
    expect(value?.trim.refreshEvery).toBe(100);
    expect(value).not.toHaveProperty('epoch');
  });

  it('keeps errors and unknown-key warnings apart', () => {
    const { value, warnings, errors } = parseConfig({ epochs: 0, colour: true }, 'both.json');
    expect(value).toBeUndefined();
    expect(errors).toEqual(['epochs: expected an integer ≥ 1, got 0']);
    expect(warnings).toEqual(['colour: unknown key, ignored']);
  });

  it('runs cross-field rules after parsing', () => {
    const { value, warnings } = parseConfig({ methods: ['fp', 'qat'], trim: { pMax: 0.01 }, runtimes: [], latency: true }, 'rules.json');
    expect(value).toBeDefined();
    expect(warnings).toEqual([
      'trim: ignored, because methods does not include "quant-trim"',
      'latency: ignored, because runtimes is empty (latency is measured on real runtimes)',
    ]);
    expect(parseConfig({ trainLimit: 32 }, 'small.json').warnings[0]).toMatch(/^trainLimit: 32 is smaller than batchSize \(64\)/);
  });

  it('never throws, whatever it is given', () => {
    for (const input of [null, 42, 'x', [], undefined, { scheme: null, lambda: null, trim: [], profiles: [null] }]) {
      const result = parseConfig(input, 'weird.json');
      expect(result.value).toBeUndefined();
      expect(result.errors.length).toBeGreaterThan(0);
      for (const message of result.errors) expect(message).toMatch(/^[\w$.()-]+: /);
    }
    expect(parseConfig([], 'a.json').errors).toEqual(['(root): expected a JSON object in a.json, got an array']);
  });

  it('accepts a model path ending in .json and a dataset path', () => {
    const { value, errors } = parseConfig({ model: './models/my-net/model.json', dataset: './data/digits.csv' }, 'paths.json');
    expect(errors).toEqual([]);
    expect(value).toMatchObject({ model: './models/my-net/model.json', dataset: './data/digits.csv' });
  });
});

describe('parseConfig (fuzz regressions)', () => {
  // Found by bench/fuzz.ts (seed 1, config case 608): a value nested tens of thousands of levels
  // deep took validation seconds (11 s with a 4 MB stack) or overflowed the stack.
  it('refuses absurd nesting before validating', () => {
    const deep = JSON.parse(`{"lambda": ${'['.repeat(40_000)}${']'.repeat(40_000)}}`) as unknown;
    expect(parseConfig(deep, 'deep.json').errors).toEqual(['(root): values nested deeper than 32 levels in deep.json; a config is only a few levels deep']);
    const ok = JSON.parse(`{"scheme": {"layers": {"conv*": "int8-sym-per-channel"}}, "preprocess": {"mean": [0.5]}}`) as unknown;
    expect(parseConfig(ok, 'ok.json').errors.join('\n')).not.toMatch(/nested deeper/);
  });
});
