import { describe, expect, it } from 'vitest';
import { formatResult, runFuzz, TARGET_NAMES } from '../../bench/fuzz/run.js';

/**
 * The CI slice of `bench/fuzz.ts`: 1,000 seeded corrupted inputs per reader (the bench runs
 * 10,000). Every case must be read or refused with a coded QuantTrimError: no other throw, no
 * case running past the watchdog's limit, no runaway allocation. Not timing-sensitive: the
 * per-case limit is far above the slowest case (well under 1 s), and the test's own timeout
 * allows for a loaded 2-core machine. Replay a failure with the flags its message prints.
 */
describe('reader fuzzing', () => {
  it('ONNX, config, IDX, CSV and report readers: 1,000 cases each, only coded errors', { timeout: 240_000 }, async () => {
    const results = await runFuzz({ seed: 20_261_207, cases: 1000, timeLimitMs: 10_000 });
    const report = results.map(formatResult).join('\n');
    expect(results.map((r) => r.target)).toEqual([...TARGET_NAMES]);
    for (const r of results) {
      expect(r.failures, report).toEqual([]);
      expect(r.ok + Object.values(r.coded).reduce((a, b) => a + b, 0), report).toBe(1000);
      // Both outcomes occur: the mutations leave some inputs readable and break others.
      expect(r.ok, report).toBeGreaterThan(0);
      expect(Object.keys(r.coded).length, report).toBeGreaterThan(0);
    }
  });

  it('the harness itself: a hang is stopped and resumed after, an uncoded throw and a huge allocation are failures', { timeout: 240_000 }, async () => {
    // selftest: case 1 read, 2 coded, 3 TypeError, 4 never returns, 5 allocates 512 MB; 6–7 read.
    const [r] = await runFuzz({ seed: 1, cases: 7, first: 1, targets: ['selftest'], timeLimitMs: 2000 });
    expect(r!.ok).toBe(3);
    expect(r!.coded).toEqual({ QT_INVALID_ARGUMENT: 1 });
    expect(r!.failures.map((f) => [f.index, f.kind, f.name])).toEqual([
      [3, 'error', 'TypeError'],
      [4, 'hang', 'hang'],
      [5, 'allocation', 'allocation'],
    ]);
  });
});
