import { QuantTrimError } from '@quant-trim/errors';

/**
 * The keep-mask of classic magnitude pruning for one array of weights: 1 where a weight is kept,
 * 0 where it is one of the ⌊sparsity·n⌋ smallest in absolute value. It is the typed-array twin of
 * what `createMagnitudePruning` computes on tensors (the same code), for reports and tests.
 *
 * Why exact counts and a tie rule: a threshold alone (`|w| <= τ`) prunes every weight tied with
 * τ, so quantized or freshly initialised weights with many equal magnitudes would overshoot the
 * target. Here the count is always exact: among weights of equal magnitude, the lower index is
 * pruned first. NaN counts as larger than every number (pruned last). When sparsity·n is within
 * floating-point noise of an integer it counts as that integer (0.29 of 100 prunes 29, not 28).
 *
 * @example
 * magnitudeMask(new Float32Array([0.5, -0.1, 0.1, 2, -0.3]), 0.4);
 * // Uint8Array [1, 0, 0, 1, 1]: |−0.1| and |0.1| tie, both fit in the 2 pruned
 * magnitudeMask(new Float32Array([0.1, 0.1, 0.1]), 0.5);
 * // Uint8Array [0, 1, 1]: ⌊1.5⌋ = 1, the tie goes to the lowest index
 */
export function magnitudeMask(values: Float32Array, sparsity: number): Uint8Array {
  if (!(values instanceof Float32Array)) {
    throw new QuantTrimError({
      code: 'QT_INVALID_ARGUMENT',
      message: `argument \`values\` of \`magnitudeMask\`: expected a Float32Array, got ${describe(values)}`,
    });
  }
  checkSparsity(sparsity, () => 'argument `sparsity` of `magnitudeMask`', 'QT_INVALID_ARGUMENT');
  return keepMask(magnitudeScores(values), prunedCount(values.length, sparsity));
}

/** @internal Throws unless `value` is a finite number in [0, 1]; `where` names it in the message. */
export function checkSparsity(value: unknown, where: () => string, code: 'QT_INVALID_ARGUMENT' | 'QT_INVALID_SCHEDULE'): asserts value is number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0 || value > 1) {
    throw new QuantTrimError({ code, message: `${where()}: expected a sparsity in [0, 1], got ${describe(value)}` });
  }
}

/** @internal ⌊sparsity·n⌋, taking a product within floating-point noise of an integer as that integer. */
export function prunedCount(n: number, sparsity: number): number {
  const exact = sparsity * n;
  const nearest = Math.round(exact);
  return Math.abs(exact - nearest) <= 1e-9 * Math.max(1, n) ? nearest : Math.floor(exact);
}

/**
 * @internal The pruning order of `values`, written into `into` at `offset`: |w|, NaN as +Infinity,
 * and positions already pruned in `previous` (0) as -Infinity so they are always selected first.
 */
export function magnitudeScores(values: ArrayLike<number>, previous?: Uint8Array, into = new Float32Array(values.length), offset = 0): Float32Array {
  for (let i = 0; i < values.length; i += 1) {
    const v = Math.abs(values[i]!);
    into[offset + i] = previous !== undefined && previous[i] === 0 ? -Infinity : Number.isNaN(v) ? Infinity : v;
  }
  return into;
}

/**
 * @internal A keep-mask (1 kept) pruning exactly `count` positions: the smallest scores, and among
 * scores equal to the cut-off the lowest indices. Scores hold no NaN.
 */
export function keepMask(scores: Float32Array, count: number): Uint8Array {
  const n = scores.length;
  const mask = new Uint8Array(n).fill(1);
  if (count <= 0) return mask;
  if (count >= n) return mask.fill(0);
  // Native numeric sort of a copy: O(n log n), fast enough at refresh steps, and exact.
  const threshold = scores.slice().sort()[count - 1]!;
  let ties = count;
  for (let i = 0; i < n; i += 1) if (scores[i]! < threshold) ties -= 1;
  for (let i = 0; i < n; i += 1) {
    const s = scores[i]!;
    if (s < threshold) mask[i] = 0;
    else if (s === threshold && ties > 0) {
      mask[i] = 0;
      ties -= 1;
    }
  }
  return mask;
}

/** @internal A short description of a bad argument for an error message. */
export function describe(value: unknown): string {
  if (value === null) return 'null';
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'object') return (value as object).constructor?.name ?? 'object';
  return typeof value;
}
