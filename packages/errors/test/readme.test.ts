import { readFileSync } from 'node:fs';
import { afterEach, describe, expect, it, vi } from 'vitest';

afterEach(() => vi.restoreAllMocks());

describe('README', () => {
  it('shows examples/quickstart.ts verbatim', () => {
    const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
    const shown = /```ts\n([\s\S]*?)```/.exec(readme)?.[1];
    expect(shown).toBe(readFileSync(new URL('../examples/quickstart.ts', import.meta.url), 'utf8'));
  });

  it('the example runs and prints its results', async () => {
    const lines: string[] = [];
    vi.spyOn(console, 'log').mockImplementation((...args: unknown[]) => void lines.push(args.join(' ')));
    await import('../examples/quickstart.js');
    expect(lines).toEqual(['QT_INVALID_BIT_WIDTH: bits: expected an integer in 2..16, got 17 ({"argument":"bits"})', 'guard: true']);
  });
});
