import { describe, expect, it } from 'vitest';
import { isQuantTrimError } from '@quant-trim/errors';
import { NamedRegistry } from '../src/index.js';

describe('NamedRegistry', () => {
  const make = () => new NamedRegistry<{ name: string; v?: number }>('widget', 'QT_UNKNOWN_SCHEME');

  it('registering the same object twice does nothing', () => {
    const r = make();
    const a = { name: 'a' };
    r.register(a);
    expect(r.register(a)).toBe(a);
    expect(r.names()).toEqual(['a']);
  });

  it('a different object under a taken name throws unless override', () => {
    const r = make();
    r.register({ name: 'a', v: 1 });
    let caught: unknown;
    try {
      r.register({ name: 'a', v: 2 });
    } catch (e) {
      caught = e;
    }
    expect(isQuantTrimError(caught, 'QT_DUPLICATE_NAME')).toBe(true);
    expect(String((caught as Error).message)).toContain('override');
    r.register({ name: 'a', v: 3 }, { override: true });
    expect(r.get('a').v).toBe(3);
  });

  it('an unknown name throws the given code and lists the registered names', () => {
    const r = make();
    r.register({ name: 'b' });
    r.register({ name: 'a' });
    let caught: unknown;
    try {
      r.get('zzz');
    } catch (e) {
      caught = e;
    }
    expect(isQuantTrimError(caught, 'QT_UNKNOWN_SCHEME')).toBe(true);
    expect((caught as Error).message).toBe('unknown widget "zzz"; registered: a, b');
  });

  it('rejects entries without a name', () => {
    const r = make();
    expect(() => r.register({ name: '' })).toThrowError(/non-empty string `name`/);
    expect(() => r.register(null as never)).toThrowError(/got null/);
  });
});
