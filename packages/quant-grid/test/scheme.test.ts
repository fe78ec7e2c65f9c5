import { errorCode } from '@quant-trim/test-utils';
import { describe, expect, it } from 'vitest';
import { createScheme, integerRange, schemeToJSON } from '../src/index.js';

describe('createScheme', () => {
  it('fills defaults: int8 signed symmetric per-tensor half-even float', () => {
    const s = createScheme();
    expect(s).toMatchObject({
      bits: 8,
      signed: true,
      symmetric: true,
      narrowRange: false,
      rounding: 'half-even',
      scaleConstraint: 'float',
      qmin: -128,
      qmax: 127,
    });
    expect(s.granularity).toEqual({ kind: 'per-tensor' });
    expect(Object.isFrozen(s)).toBe(true);
  });

  it('resolves integer ranges for every width 2..16', () => {
    for (let b = 2; b <= 16; b++) {
      expect(createScheme({ bits: b })).toMatchObject({ qmin: -(2 ** (b - 1)), qmax: 2 ** (b - 1) - 1 });
      expect(createScheme({ bits: b, narrowRange: true })).toMatchObject({ qmin: -(2 ** (b - 1)) + 1, qmax: 2 ** (b - 1) - 1 });
      expect(createScheme({ bits: b, signed: false })).toMatchObject({ qmin: 0, qmax: 2 ** b - 1 });
    }
    expect(integerRange(4, true)).toEqual({ qmin: -8, qmax: 7 });
  });

  it('accepts 12-bit narrow unsigned (narrow only affects signed grids)', () => {
    expect(createScheme({ bits: 12, signed: false, narrowRange: true })).toMatchObject({ qmin: 0, qmax: 4095 });
  });

  it('rejects bad fields with coded errors naming the field', () => {
    expect(errorCode(() => createScheme({ bits: 1 }))).toBe('QT_INVALID_BIT_WIDTH');
    expect(errorCode(() => createScheme({ bits: 17 }))).toBe('QT_INVALID_BIT_WIDTH');
    expect(errorCode(() => createScheme({ bits: 7.5 }))).toBe('QT_INVALID_BIT_WIDTH');
    expect(errorCode(() => createScheme({ rounding: 'up' as never }))).toBe('QT_INVALID_SCHEME');
    expect(errorCode(() => createScheme({ scaleConstraint: 'log' as never }))).toBe('QT_INVALID_SCHEME');
    expect(errorCode(() => createScheme({ signed: 'yes' as never }))).toBe('QT_INVALID_SCHEME');
    expect(errorCode(() => createScheme({ minScale: 0 }))).toBe('QT_INVALID_SCHEME');
    expect(errorCode(() => createScheme({ granularity: { kind: 'per-row' } as never }))).toBe('QT_INVALID_GRANULARITY');
    expect(errorCode(() => createScheme({ granularity: { kind: 'per-channel', axis: 0.5 } }))).toBe('QT_INVALID_GRANULARITY');
    expect(errorCode(() => createScheme({ granularity: { kind: 'per-group', axis: 0, groupSize: 0 } }))).toBe('QT_INVALID_GRANULARITY');
    expect(() => createScheme({ bits: 17 })).toThrowError('scheme.bits: expected an integer from 2 to 16, got 17');
    expect(() => createScheme({ granularity: { kind: 'per-group', axis: 1, groupSize: -3 } })).toThrowError(/scheme\.granularity\.groupSize/);
  });

  it('round-trips through JSON', () => {
    const s = createScheme({ bits: 4, symmetric: false, granularity: { kind: 'per-group', axis: 1, groupSize: 16 }, rounding: 'half-away', name: 'w4' });
    const back = createScheme(JSON.parse(JSON.stringify(schemeToJSON(s))));
    expect(back).toEqual(s);
  });
});
