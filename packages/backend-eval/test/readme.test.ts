import { readmeExample } from '@quant-trim/test-utils';
import { afterEach, describe, expect, it, vi } from 'vitest';

afterEach(() => vi.restoreAllMocks());

describe('README', () => {
  it('shows examples/quickstart.ts verbatim', () => {
    const { shown, source } = readmeExample(new URL('../', import.meta.url));
    expect(shown).toBe(source);
  });

  it('the example lists the 12 built-in profiles and registers a custom one', async () => {
    const lines: string[] = [];
    vi.spyOn(console, 'log').mockImplementation((...args: unknown[]) => void lines.push(args.join(' ')));
    await import('../examples/quickstart.js');
    expect(lines).toHaveLength(13);
    expect(lines).toContain('trt-int8-entropy: entropy');
    expect(lines).toContain('ort-dynamic-u8s8: none');
    expect(lines[12]).toBe('registered 13 profiles');
  });
});
