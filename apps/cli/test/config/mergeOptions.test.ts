import { isQuantTrimError } from '@quant-trim/errors';
import { describe, expect, it } from 'vitest';
import { flagName, mergeOptions, parseConfig, type Config } from '../../src/config/index.js';

function config(json: Record<string, unknown>): Config {
  const { value, errors } = parseConfig(json, 'test.json');
  if (!value) throw new Error(errors.join('\n'));
  return value;
}

function thrown(fn: () => unknown): { code: string; message: string } {
  try {
    fn();
  } catch (error) {
    if (isQuantTrimError(error)) return { code: error.code, message: error.message };
    throw error;
  }
  throw new Error('expected a throw');
}

describe('mergeOptions', () => {
  it('flags > config file > defaults', () => {
    const base = config({ epochs: 5, lr: 0.01 });
    const merged = mergeOptions(base, { epochs: 1 });
    expect(merged.epochs).toBe(1); // flag beats the file
    expect(merged.lr).toBe(0.01); // file beats the default
    expect(merged.batchSize).toBe(64); // default
    expect(base.epochs).toBe(5); // the config is not mutated
  });

  it('returns the config itself when no config flag is given, ignoring other flags', () => {
    const base = config({});
    expect(mergeOptions(base, { json: true, verbose: true, color: true } as never)).toBe(base);
  });

  it('coerces string numbers, splits lists and stringifies numeric paths', () => {
    const merged = mergeOptions(config({}), {
      epochs: '2',
      methods: 'fp,quant-trim',
      profiles: ['tflite-int8', 'ort-dynamic-u8s8,trt-int8-entropy'],
      out: 2024,
    });
    expect(merged).toMatchObject({ epochs: 2, methods: ['fp', 'quant-trim'], profiles: ['tflite-int8', 'ort-dynamic-u8s8', 'trt-int8-entropy'], out: '2024' });
  });

  it('merges nested flags into trim and scheme without losing file values', () => {
    const base = config({ trim: { pMax: 0.01, refreshEvery: 10 }, scheme: { layers: { 'conv*': 'int4-sym-per-channel' } } });
    const merged = mergeOptions(base, { pMax: 0.02, scheme: 'int8-sym-narrow-per-channel', activations: 'int8-asym-per-tensor' });
    expect(merged.trim).toEqual({ pMax: 0.02, refreshEvery: 10, enabled: true });
    expect(merged.scheme).toEqual({ weights: 'int8-sym-narrow-per-channel', activations: 'int8-asym-per-tensor', layers: { 'conv*': 'int4-sym-per-channel' } });
    expect(mergeOptions(config({}), { scheme: 'int4-sym-per-group' }).scheme).toBe('int4-sym-per-group');
  });

  it('--no-trim disables trimming; the `trim: true` cac sets by default changes nothing', () => {
    const base = config({ trim: { enabled: false } });
    expect(mergeOptions(base, { trim: true }).trim.enabled).toBe(false);
    expect(mergeOptions(config({}), { trim: false }).trim.enabled).toBe(false);
  });

  it('throws QT_INVALID_ARGUMENT naming the flag for a bad value', () => {
    expect(thrown(() => mergeOptions(config({}), { epochs: 0 }))).toEqual({ code: 'QT_INVALID_ARGUMENT', message: '--epochs: expected an integer ≥ 1, got 0' });
    expect(thrown(() => mergeOptions(config({}), { batchSize: 'lots' }))).toEqual({
      code: 'QT_INVALID_ARGUMENT',
      message: '--batch-size: expected an integer ≥ 1, got "lots"',
    });
    expect(thrown(() => mergeOptions(config({}), { pMax: 1 })).message).toBe('--p-max: expected a number in (0, 0.2], got 1');
    expect(thrown(() => mergeOptions(config({}), { profiles: 'tflite-int8,npu-9000' })).message).toMatch(/^--profiles: unknown backend profile "npu-9000"/);
    expect(thrown(() => mergeOptions(config({}), { scheme: 'int3' })).message).toMatch(/^--scheme: unknown scheme "int3"/);
  });

  it('--freeze-batch-norm takes a fraction of training or off', () => {
    expect(mergeOptions(config({}), {}).freezeBatchNorm).toBe(false);
    expect(mergeOptions(config({}), { freezeBatchNorm: '0.9' }).freezeBatchNorm).toBe(0.9);
    expect(mergeOptions(config({ freezeBatchNorm: 0.8 }), { freezeBatchNorm: 'off' }).freezeBatchNorm).toBe(false);
    expect(thrown(() => mergeOptions(config({}), { freezeBatchNorm: '2' })).message).toBe(
      '--freeze-batch-norm: expected false or a fraction of training in [0, 1], got 2',
    );
    expect(thrown(() => mergeOptions(config({}), { freezeBatchNorm: 'late' })).message).toBe(
      '--freeze-batch-norm: expected false or a fraction of training in [0, 1], got "late"',
    );
  });

  it('names flags in kebab case', () => {
    expect(flagName('trainLimit')).toBe('--train-limit');
    expect(flagName('calibrationSamples')).toBe('--calibration-samples');
    expect(flagName('trim')).toBe('--no-trim');
  });
});

describe('--trim-schedule', () => {
  it('sets trim.strength from inline JSON and rejects an invalid schedule naming the flag', async () => {
    const { mergeOptions: merge, parseConfig: parse } = await import('../../src/config/index.js');
    const base = parse({}, 'test').value!;
    const merged = merge(base, { trimSchedule: '{"type":"constant","value":0.5}' });
    expect(merged.trim.strength).toEqual({ type: 'constant', value: 0.5 });
    expect(merged.trim.pMax).toBe(base.trim.pMax);
    expect(() => merge(base, { trimSchedule: '{"type":"constant"}' })).toThrow(/--trim-schedule/);
    expect(parse({ trim: { strength: { type: 'nope' } } }, 'test').errors[0]).toMatch(/^trim\.strength/);
  });
});
