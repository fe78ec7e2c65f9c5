import { gaussian, mulberry32 } from '@quant-trim/test-utils';

/**
 * N(0, std) weights of `shape` with a share `rate` of outliers at ±`factor`·std·(1…1.5), placed at
 * random positions (seeded). Returns the values and the outlier positions.
 */
export function plantedOutliers(
  shape: readonly number[],
  options: { std?: number; rate?: number; factor?: number; seed?: number } = {},
): { values: Float32Array; outliers: Uint8Array } {
  const std = options.std ?? 0.05;
  const rand = mulberry32(options.seed ?? 7);
  const g = gaussian(rand);
  const n = shape.reduce((a, b) => a * b, 1);
  const values = new Float32Array(n);
  for (let i = 0; i < n; i++) values[i] = std * g();
  const outliers = new Uint8Array(n);
  const count = Math.round(n * (options.rate ?? 0.005));
  for (let placed = 0; placed < count; ) {
    const i = Math.floor(rand() * n);
    if (outliers[i] === 1) continue;
    outliers[i] = 1;
    values[i] = (rand() < 0.5 ? -1 : 1) * std * (options.factor ?? 20) * (1 + 0.5 * rand());
    placed++;
  }
  return { values, outliers };
}
