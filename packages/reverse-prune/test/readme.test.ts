import { readmeExample } from '@quant-trim/test-utils';
import { afterEach, describe, expect, it, vi } from 'vitest';

afterEach(() => vi.restoreAllMocks());

describe('README', () => {
  it('shows examples/quickstart.ts verbatim', () => {
    const { shown, source } = readmeExample(new URL('../', import.meta.url));
    expect(shown).toBe(source);
  });

  it('the example trims during QAT, reports diagnostics and prunes to the target sparsity', async () => {
    const lines: string[] = [];
    vi.spyOn(console, 'log').mockImplementation((...args: unknown[]) => void lines.push(args.join(' ')));
    await import('../examples/quickstart.js');
    expect(lines[0]).toMatch(/^trimmed [1-9]\d* weights$/);
    expect(lines.slice(1, 4).map((l) => l.split(':')[0])).toEqual(['conv1/kernel', 'conv2/kernel', 'head/kernel']);
    for (const line of lines.slice(1, 4)) expect(line).toMatch(/scale inflation \d\.\d\d → \d\.\d\d, int4 MSE [\d.]+e-\d → [\d.]+e-\d$/);
    expect(lines[4]).toBe('magnitude pruning: sparsity 0.50');
  });
});
