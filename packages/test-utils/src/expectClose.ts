import { expect } from 'vitest';

export interface CloseOptions {
  atol?: number;
  rtol?: number;
  /** Label for the failure message. */
  what?: string;
}

/** Element-wise |a − e| ≤ atol + rtol·|e|; reports the first offending index and the worst error. */
export function expectClose(actual: ArrayLike<number>, expected: ArrayLike<number>, options: CloseOptions = {}): void {
  const { atol = 1e-6, rtol = 0, what = 'values' } = options;
  expect(actual.length, `${what}: length`).toBe(expected.length);
  let first = -1;
  let worst = 0;
  for (let i = 0; i < expected.length; i++) {
    const a = actual[i]!;
    const e = expected[i]!;
    const err = Math.abs(a - e);
    const ok = err <= atol + rtol * Math.abs(e) || (Number.isNaN(a) && Number.isNaN(e));
    if (!ok && first < 0) first = i;
    if (err > worst) worst = err;
  }
  if (first >= 0) {
    expect.fail(`${what}: index ${first}: got ${actual[first]}, expected ${expected[first]} (worst |diff| ${worst}, atol ${atol}, rtol ${rtol})`);
  }
}

/** Counts exact (bitwise float32) mismatches; returns indices of the first few. */
export function mismatches(actual: ArrayLike<number>, expected: ArrayLike<number>, limit = 10): { count: number; first: number[] } {
  let count = 0;
  const first: number[] = [];
  for (let i = 0; i < expected.length; i++) {
    const a = actual[i]!;
    const e = expected[i]!;
    if (a !== e && !(Number.isNaN(a) && Number.isNaN(e))) {
      count++;
      if (first.length < limit) first.push(i);
    }
  }
  return { count, first };
}
