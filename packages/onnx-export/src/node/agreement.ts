/** Index of the largest value of `v[from, from + width)`, relative to `from`. */
export function argmax(v: Float32Array, from: number, width: number): number {
  let k = 0;
  for (let j = 1; j < width; j++) if (v[from + j]! > v[from + k]!) k = j;
  return k;
}

/**
 * Top-1 agreement over the samples whose expected top-1 leads the runner-up by more than two
 * steps (outputs within one step of the expected ones cannot change such a sample's arg-max).
 */
export function decisiveTop1(expected: Float32Array, actual: Float32Array, n: number, step: number): { samples: number; agreement: number } {
  const width = expected.length / n;
  let samples = 0;
  let agree = 0;
  for (let s = 0; s < n; s++) {
    const e = argmax(expected, s * width, width);
    let second = -Infinity;
    for (let j = 0; j < width; j++) if (j !== e) second = Math.max(second, expected[s * width + j]!);
    if (width > 1 && expected[s * width + e]! - second <= 2 * step * 1.0001) continue;
    samples++;
    if (argmax(actual, s * width, width) === e) agree++;
  }
  return { samples, agreement: samples === 0 ? 1 : agree / samples };
}
