import { describe, expect, it } from 'vitest';
import { CONFIG_DEFAULTS, resolveLambda, resolveSchemes, weightSchemeFor, withTotalSteps } from '../../src/config/index.js';

describe('resolveLambda', () => {
  it('fills the curriculum total steps at run time', () => {
    const lambda = resolveLambda(CONFIG_DEFAULTS.lambda, 1000);
    expect(lambda.at(50)).toBe(0);
    expect(lambda.at(300)).toBeCloseTo(0.015625, 12);
    expect(lambda.at(900)).toBe(1);
    expect(withTotalSteps({ type: 'clamp', max: 0.5, schedule: { type: 'quantTrimCurriculum' } }, 10)).toEqual({
      type: 'clamp',
      max: 0.5,
      schedule: { type: 'quantTrimCurriculum', totalSteps: 10 },
    });
    expect(withTotalSteps({ type: 'quantTrimCurriculum', totalSteps: 7 }, 10)).toEqual({ type: 'quantTrimCurriculum', totalSteps: 7 });
  });
});

describe('resolveSchemes', () => {
  it('normalises both forms and matches layer globs in file order', () => {
    expect(resolveSchemes('int4-sym-per-group')).toEqual({ weights: 'int4-sym-per-group', activations: 'uint8-asym-per-tensor', layers: [] });
    const schemes = resolveSchemes({ layers: { conv1: 'int8-sym-per-tensor', 'conv*': 'int4-sym-per-channel', 'dense_?': 'int8-pow2-per-tensor' } });
    expect(weightSchemeFor(schemes, 'conv1')).toBe('int8-sym-per-tensor');
    expect(weightSchemeFor(schemes, 'conv2')).toBe('int4-sym-per-channel');
    expect(weightSchemeFor(schemes, 'dense_1')).toBe('int8-pow2-per-tensor');
    expect(weightSchemeFor(schemes, 'dense_10')).toBe('int8-sym-per-channel');
    expect(weightSchemeFor(schemes, 'my_conv1')).toBe('int8-sym-per-channel');
  });
});
