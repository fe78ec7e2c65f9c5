import { readmeExample } from '@quant-trim/test-utils';
import { afterEach, describe, expect, it, vi } from 'vitest';

afterEach(() => vi.restoreAllMocks());

describe('README', () => {
  it('shows examples/quickstart.ts verbatim', () => {
    const { shown, source } = readmeExample(new URL('../', import.meta.url));
    expect(shown).toBe(source);
  });

  it('the example runs and prints its results', async () => {
    const lines: string[] = [];
    vi.spyOn(console, 'log').mockImplementation((...args: unknown[]) => void lines.push(args.join(' ')));
    await import('../examples/quickstart.js');
    expect(lines).toHaveLength(3);
    expect(lines[0]).toMatch(/^int8 per-channel scales: (\d\.\d\de[-+]\d+, ){3}\d\.\d\de[-+]\d+$/);
    expect(lines[1]).toMatch(/int4 packed bytes: 36$/);
    expect(lines[2]).toMatch(/zero point 0$/);
  });
});
