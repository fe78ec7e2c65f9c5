import { describe, expect, it } from 'vitest';
import { ErrorCodes, QuantTrimError, assert, failExpected, isQuantTrimError } from '../src/index.js';

describe('QuantTrimError', () => {
  it('carries a stable code, name, cause and details', () => {
    const cause = new Error('root');
    const e = new QuantTrimError({ code: ErrorCodes.QT_INVALID_BIT_WIDTH, message: 'bits: 17', cause, details: { field: 'bits' } });
    expect(e).toBeInstanceOf(Error);
    expect(e.name).toBe('QuantTrimError');
    expect(e.code).toBe('QT_INVALID_BIT_WIDTH');
    expect(e.message).toBe('bits: 17');
    expect(e.cause).toBe(cause);
    expect(e.details).toEqual({ field: 'bits' });
  });

  it('the guard narrows by code and rejects look-alikes', () => {
    const e = new QuantTrimError({ code: 'QT_SHAPE_MISMATCH' });
    expect(isQuantTrimError(e)).toBe(true);
    expect(isQuantTrimError(e, 'QT_SHAPE_MISMATCH')).toBe(true);
    expect(isQuantTrimError(e, 'QT_INVALID_SCHEME')).toBe(false);
    expect(isQuantTrimError(new Error('x'))).toBe(false);
    expect(isQuantTrimError({ code: 'QT_SHAPE_MISMATCH' })).toBe(false);
    expect(isQuantTrimError(null)).toBe(false);
  });

  it('recognises a copy of the class from a duplicated install by its brand', () => {
    const foreign = Object.assign(new Error('dup'), { code: 'QT_SHAPE_MISMATCH' });
    Object.defineProperty(foreign, Symbol.for('@quant-trim/error'), { value: true });
    expect(isQuantTrimError(foreign, 'QT_SHAPE_MISMATCH')).toBe(true);
  });

  it('assert builds its message lazily', () => {
    let built = 0;
    const message = () => `built ${++built}`;
    assert(true, 'QT_INVALID_ARGUMENT', message);
    expect(built).toBe(0);
    expect(() => assert(false, 'QT_INVALID_ARGUMENT', message)).toThrowError('built 1');
  });

  it('every code equals its key', () => {
    for (const [key, value] of Object.entries(ErrorCodes)) expect(value).toBe(key);
  });
});

describe('failExpected', () => {
  it('throws QT_INVALID_ARGUMENT naming the path, what it takes and the value, with details', () => {
    const e = (() => {
      try {
        failExpected('observer.tailTrim.pMax', 'a number in (0, 1)', 2);
      } catch (caught) {
        return caught;
      }
    })();
    expect(isQuantTrimError(e, 'QT_INVALID_ARGUMENT')).toBe(true);
    expect((e as Error).message).toBe('observer.tailTrim.pMax: expected a number in (0, 1), got 2');
    expect((e as QuantTrimError).details).toEqual({ field: 'observer.tailTrim.pMax' });
    // undefined has no JSON: it is shown as such; the code and details can be given.
    expect(() => failExpected('bits', 'an integer', undefined, { argument: 'bits' }, 'QT_INVALID_BIT_WIDTH')).toThrow(
      expect.objectContaining({ code: 'QT_INVALID_BIT_WIDTH', message: 'bits: expected an integer, got undefined', details: { argument: 'bits' } }),
    );
  });
});
