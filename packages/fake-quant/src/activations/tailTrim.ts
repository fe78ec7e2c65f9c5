import * as tf from '../tf.js';
import { failExpected } from '@quant-trim/errors';
import { stridedSample } from '../parallel/replicaContext.js';

/**
 * Activation tail trimming (the activation analogue of reverse pruning): during the curriculum an
 * activation quantizer clamps its input at a running high quantile (and, for a tensor with a real
 * negative tail, a running low quantile) that trims the share p_t = pMax · strength of each tail,
 * strength following λ_t unless the controller's `activationStrength` says otherwise. The sparse
 * tail that pulls entropy / percentile / MSE calibrators away from min/max is clamped in training
 * and, by default, in the deployed float model, so every calibrator sees the same bounded tensor.
 */
export interface TailTrimConfig {
  /** Share of each tail clamped at full strength, in (0, 0.5). Default 0.005 (reverse pruning's default pMax). */
  pMax?: number;
  /** EMA weight of the running quantile: q ← m·q + (1 − m)·q_batch. Default 0.9. */
  momentum?: number;
  /** Steps (the controller's step) between quantile estimates; the clamp holds in between. Default 4. */
  refreshEvery?: number;
  /**
   * The per-batch quantile is taken on a strided subsample of at most this many values (read
   * back, then selection in O(n)). Default 16384.
   */
  sampleSize?: number;
  /** Also trim the negative tail (applied only where the running low quantile is below 0). Default true. */
  lower?: boolean;
  /**
   * Put the clamp into the deployed float model (`FakeQuant.deployedClamp()`, `clampLayerFor`) and
   * apply it at inference. false: a training-only clamp (the ablation). Default true.
   */
  deploy?: boolean;
}

/** Validated tail-trim settings. */
export interface ResolvedTailTrim {
  readonly pMax: number;
  readonly momentum: number;
  readonly refreshEvery: number;
  readonly sampleSize: number;
  readonly lower: boolean;
  readonly deploy: boolean;
}

/** Clamp bounds: `min` is −Infinity when only the upper tail is trimmed. */
export interface ClampBounds {
  readonly min: number;
  readonly max: number;
}

/** Layout of the `tail_clamp` weight of a FakeQuant: running low quantile, high quantile, share trimmed at the last update, seen flag. */
export const TAIL_CLAMP_SLOTS = 4;

/** The most negative float32, for a clamp without a lower bound (tf.clipByValue wants finite numbers). */
const LOWEST = -3.4028234663852886e38;

function bad(field: string, expected: string, got: unknown): never {
  return failExpected(`observer.tailTrim.${field}`, expected, got);
}

/** Checks a `TailTrimConfig` (`true` = all defaults) and fills in the defaults. */
export function resolveTailTrim(config: TailTrimConfig | true): ResolvedTailTrim {
  const c: TailTrimConfig = config === true ? {} : config;
  if (typeof c !== 'object' || c === null) bad('', 'an options object or true', config);
  const pMax = c.pMax ?? 0.005;
  if (typeof pMax !== 'number' || !(pMax > 0 && pMax < 0.5)) bad('pMax', 'a number in (0, 0.5)', pMax);
  const momentum = c.momentum ?? 0.9;
  if (typeof momentum !== 'number' || !(momentum >= 0 && momentum < 1)) bad('momentum', 'a number in [0, 1)', momentum);
  const refreshEvery = c.refreshEvery ?? 4;
  if (!Number.isInteger(refreshEvery) || refreshEvery < 1) bad('refreshEvery', 'an integer ≥ 1', refreshEvery);
  const sampleSize = c.sampleSize ?? 16384;
  if (!Number.isInteger(sampleSize) || sampleSize < 16) bad('sampleSize', 'an integer ≥ 16', sampleSize);
  const lower = c.lower ?? true;
  if (typeof lower !== 'boolean') bad('lower', 'a boolean', lower);
  const deploy = c.deploy ?? true;
  if (typeof deploy !== 'boolean') bad('deploy', 'a boolean', deploy);
  return { pMax, momentum, refreshEvery, sampleSize, lower, deploy };
}

/**
 * The k-th smallest value (k ≥ 1) of `a`, in place (Hoare selection with a median-of-three pivot,
 * deterministic; average O(n)).
 */
export function kthSmallest(a: Float32Array, k: number): number {
  let lo = 0;
  let hi = a.length - 1;
  const target = k - 1;
  while (hi > lo) {
    const mid = (lo + hi) >>> 1;
    const x = a[lo]!;
    const y = a[mid]!;
    const z = a[hi]!;
    const pivot = x < y ? (y < z ? y : x < z ? z : x) : x < z ? x : y < z ? z : y;
    let i = lo;
    let j = hi;
    while (i <= j) {
      while (a[i]! < pivot) i++;
      while (a[j]! > pivot) j--;
      if (i <= j) {
        const t = a[i]!;
        a[i++] = a[j]!;
        a[j--] = t;
      }
    }
    if (target <= j) hi = j;
    else if (target >= i) lo = i;
    else return a[target]!;
  }
  return a[target]!;
}

/**
 * The per-batch tail quantiles of `x` at share `share`: on a strided subsample s (every
 * ⌈n / sampleSize⌉-th value of the flattened tensor, so at most `sampleSize` values, the only
 * data read back), with k = ⌊share·|s|⌋ + 1, `high` is the k-th largest value of s and `low` the
 * k-th smallest (so at most ⌊share·|s|⌋ values of s lie strictly beyond each), found by selection
 * in O(|s|). `low` is NaN when `lower` is false. NaN values are not expected (they would sort last).
 */
export function batchTailQuantiles(x: tf.Tensor, share: number, sampleSize: number, lower: boolean): { low: number; high: number } {
  const values = stridedSample(x, sampleSize);
  const m = values.length;
  const k = Math.min(m, Math.floor(share * m) + 1);
  const high = kthSmallest(values, m - k + 1);
  const low = lower ? kthSmallest(values, k) : Number.NaN;
  return { low, high };
}

/**
 * The running tail estimate of one quantizer, as the float32 values stored in its `tail_clamp`
 * weight: [low, high, share, seen]. Every arithmetic step is rounded to float32, so a state loaded
 * from a checkpoint continues exactly as the uninterrupted run.
 */
export function updateTailEstimate(previous: Float32Array, batch: { low: number; high: number }, share: number, momentum: number): Float32Array {
  const seen = previous[3] === 1;
  const ema = (old: number, value: number) =>
    Number.isNaN(value) ? old : seen ? Math.fround(Math.fround(momentum * old) + Math.fround((1 - momentum) * value)) : Math.fround(value);
  return Float32Array.of(ema(previous[0]!, batch.low), ema(previous[1]!, batch.high), Math.fround(share), 1);
}

/**
 * The clamp a stored estimate stands for: [min(low, 0), max(high, 0)] (the range always keeps 0,
 * like a quantization range, so an all-positive tensor is never clamped from below), or undefined
 * while nothing has been trimmed (no estimate yet, or share 0 at the last update).
 */
export function clampFromEstimate(estimate: ArrayLike<number>, lower: boolean): ClampBounds | undefined {
  if (estimate[3] !== 1 || !(estimate[2]! > 0)) return undefined;
  return { min: lower ? Math.min(estimate[0]!, 0) : -Infinity, max: Math.max(estimate[1]!, 0) };
}

/**
 * Clamps `x` to `bounds`. Gradient: ∂y/∂x = 1 inside [min, max] (bounds included), 0 outside — the
 * gradient of tf.clipByValue, as ReLU6 / PACT: the loss sees the network through the clamp it will
 * be deployed with, and values in the trimmed tail get no gradient pushing them further out. One
 * custom-gradient op whose backward is dy · (1 − step(x − max)) (· (1 − step(min − x)) with a lower
 * bound): tfjs's own clipByValue gradient (greaterEqual / lessEqual / logicalAnd / where) costs
 * several times more on wasm (measured).
 */
export function applyClamp(x: tf.Tensor, bounds: ClampBounds): tf.Tensor {
  const lower = Number.isFinite(bounds.min);
  const op = tf.customGrad((...args) => {
    const input = args[0] as tf.Tensor;
    const save = args[args.length - 1] as tf.GradSaveFunc;
    save([input]);
    return {
      value: tf.clipByValue(input, lower ? bounds.min : LOWEST, bounds.max),
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
        const v = saved[0]!;
        const below = tf.sub(1, tf.step(tf.sub(v, bounds.max)));
        const mask = lower ? tf.mul(below, tf.sub(1, tf.step(tf.sub(bounds.min, v)))) : below;
        return [tf.mul(dy, mask)];
      },
    };
  });
  return op(x);
}
