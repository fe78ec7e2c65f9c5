import { describe, expect, it } from 'vitest';
import { duration, plain } from '../../src/report/format.js';

describe('report number formats', () => {
  it('plain: significant digits without exponents', () => {
    expect(plain(5.32e-5)).toBe('0.0000532');
    expect(plain(0.0016)).toBe('0.0016');
    expect(plain(3.1)).toBe('3.1');
    expect(plain(244.44)).toBe('244');
    expect(plain(123456)).toBe('123456');
    expect(plain(-0.25)).toBe('−0.25');
    expect(plain(0)).toBe('0');
    expect(plain(undefined)).toBe('–');
    for (const v of [1e-9, 7.7e-7, 0.5, 42, 9.99e8]) expect(plain(v)).not.toMatch(/e/i);
  });

  it('duration: µs below a millisecond, ms below a second, s above', () => {
    expect(duration(0.0532)).toBe('53.2 µs');
    expect(duration(0.000412)).toBe('0.412 µs');
    expect(duration(1.25)).toBe('1.25 ms');
    expect(duration(87.456)).toBe('87.5 ms');
    expect(duration(2400)).toBe('2.4 s');
    expect(duration(0)).toBe('0');
    expect(duration(Number.NaN)).toBe('–');
  });
});
