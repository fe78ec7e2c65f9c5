import * as tf from './tf.js';
import { QuantTrimError, failExpected } from '@quant-trim/errors';
import type { Schedule } from '@quant-trim/schedulers';
import { applyTrim, type TrimMask } from './trim/applyTrim.js';
import { checkGradient, checkOperation } from './trim/checkTrimOptions.js';
import { criterionAt, groupLength, resolveTrimGranularity, type ReversePruneGranularity } from './trim/resolveTrimGranularity.js';
import { computeTrim } from './trim/trimTensor.js';
import type { ReversePruneStats, WeightTrimStats } from './trim/TrimStats.js';
import type { TrimContext, TrimCriterion, TrimGradient, TrimOperation, TrimStepContext, TrimTransform } from './trim/types.js';

/** Options of `createReversePrune`; every field has a default (docs/method.md#reverse-pruning). */
export interface ReversePruneOptions {
  /** Trim share per group at full strength for the quantile criterion (0.005). */
  pMax?: number;
  /** 'quantile' (default), 'sigma' (τ = k·σ) or 'median-ratio' (τ = ratio·median|w|). */
  criterion?: 'quantile' | 'sigma' | 'median-ratio';
  /** k of the sigma criterion (3). */
  k?: number;
  /** ratio of the median-ratio criterion (5). */
  ratio?: number;
  operation?: TrimOperation;
  gradient?: TrimGradient;
  /** 'per-channel' (output channels, default), 'per-tensor' or blocks `{ groupSize, axis? }`. */
  granularity?: ReversePruneGranularity;
  /** Recompute masks every this many steps (100; 1 = every step). */
  refreshEvery?: number;
  /** Strength override: s_t = strength.at(step) instead of the controller's strength (λ_t). */
  strength?: Pick<Schedule, 'at'>;
}

/** The transform `createReversePrune` returns: a fake-quant `WeightTransform` with statistics. */
export interface ReversePrune extends TrimTransform {
  readonly name: 'reverse-prune';
  apply(weight: tf.Tensor, context: TrimContext): tf.Tensor;
  beginStep(context: TrimStepContext): void;
  /** Per-weight trim statistics as JSON-safe data. */
  stats(): ReversePruneStats;
  /** Frees the cached masks; later calls trim on the fly until the next `beginStep`. */
  dispose(): void;
}

interface Entry {
  trim: TrimMask | undefined;
  stats: WeightTrimStats;
  signature: number;
}

function bad(field: string, expected: string, got: unknown): never {
  return failExpected(`argument \`options.${field}\` of \`createReversePrune\``, expected, got, { argument: `options.${field}` });
}

function baseCriterion(o: ReversePruneOptions): TrimCriterion {
  const kind = o.criterion ?? 'quantile';
  if (kind === 'quantile') return { kind, p: 0 };
  if (kind === 'sigma') {
    const k = o.k ?? 3;
    if (typeof k !== 'number' || !Number.isFinite(k) || k <= 0) bad('k', 'a finite number > 0', k);
    return { kind, k };
  }
  if (kind !== 'median-ratio') bad('criterion', "'quantile', 'sigma' or 'median-ratio'", kind);
  const ratio = o.ratio ?? 5;
  if (typeof ratio !== 'number' || !Number.isFinite(ratio) || ratio <= 0) bad('ratio', 'a finite number > 0', ratio);
  return { kind, ratio };
}

function checkGranularityOption(g: unknown): ReversePruneGranularity {
  if (g === undefined) return 'per-channel';
  if (g === 'per-tensor' || g === 'per-channel') return g;
  const { groupSize, axis } = (typeof g === 'object' && g !== null ? g : {}) as { groupSize?: unknown; axis?: unknown };
  if (!Number.isInteger(groupSize) || (groupSize as number) < 1) {
    throw new QuantTrimError({
      code: 'QT_INVALID_GRANULARITY',
      message: `argument \`options.granularity\` of \`createReversePrune\`: expected 'per-tensor', 'per-channel' or { groupSize: integer ≥ 1, axis? }, got ${JSON.stringify(g)}`,
    });
  }
  if (axis !== undefined && !Number.isInteger(axis)) {
    throw new QuantTrimError({
      code: 'QT_INVALID_GRANULARITY',
      message: `argument \`options.granularity.axis\` of \`createReversePrune\`: expected an integer, got ${JSON.stringify(axis)}`,
    });
  }
  return axis === undefined ? { groupSize: groupSize as number } : { groupSize: groupSize as number, axis: axis as number };
}

/**
 * Reverse pruning as a fake-quant weight transform: the largest |w| of each group (by default the
 * top p_t = p_max·λ_t per output channel) are clamped to the group's threshold before the weight's
 * scale is computed, so the grid fits the bulk. Masks are refreshed every `refreshEvery` steps
 * from the current weights (and whenever the strength changes how many weights a group trims, so
 * masks clear as soon as the schedule drops to 0); nothing is permanent.
 *
 * @example
 * const trim = createReversePrune({ pMax: 0.005, refreshEvery: 100 });
 * const quantized = quantizeModel(model, { weightTransform: trim });
 * const controller = new QuantTrimController(quantized, { totalSteps }); // strength = λ_t
 * // ... model.fit(..., { callbacks: [controller.callback()] }); then trim.stats()
 */
export function createReversePrune(options: ReversePruneOptions = {}): ReversePrune {
  const pMax = options.pMax ?? 0.005;
  if (typeof pMax !== 'number' || !(pMax > 0 && pMax < 1)) bad('pMax', 'a number in (0, 1)', pMax);
  const refreshEvery = options.refreshEvery ?? 100;
  if (!Number.isInteger(refreshEvery) || refreshEvery < 1) bad('refreshEvery', 'an integer ≥ 1', refreshEvery);
  if (options.strength !== undefined && typeof options.strength?.at !== 'function') bad('strength', 'a schedule with at(step)', options.strength);
  const base = baseCriterion(options);
  const operation = checkOperation(options.operation, 'createReversePrune', 'options.operation');
  const gradient = checkGradient(options.gradient, 'createReversePrune', 'options.gradient');
  const granularity = checkGranularityOption(options.granularity);
  const cache = new Map<string, Entry>();
  let lastStep: number | null = null;

  const strengthAt = (step: number, controller: number): number => (options.strength === undefined ? controller : options.strength.at(step));
  const disposeTrim = (t: TrimMask | undefined): void => {
    if (t !== undefined) tf.dispose([t.mask, t.tau, t.keep]);
  };

  return {
    name: 'reverse-prune',

    beginStep(ctx: TrimStepContext): void {
      lastStep = ctx.step;
      const s = strengthAt(ctx.step, ctx.strength);
      const pending: { key: string; info: TrimStepContext['weights'][number]; trim: TrimMask | undefined; numbers: tf.Tensor; signature: number }[] = [];
      for (const info of ctx.weights) {
        const key = `${info.layer}/${info.weight}`;
        const entry = cache.get(key);
        const g = resolveTrimGranularity(granularity, info.view, info.channelAxis);
        const { criterion, signature } = criterionAt(base, pMax, s, groupLength(info.view, g));
        const due =
          entry === undefined || signature !== entry.signature || ctx.step < entry.stats.refreshedAt || ctx.step - entry.stats.refreshedAt >= refreshEvery;
        if (!due) continue;
        const result = tf.tidy(() => {
          const prev = entry?.trim;
          if (criterion === undefined) {
            const cameBack = prev === undefined ? tf.scalar(0) : tf.sum(tf.cast(prev.mask, 'float32'));
            return { trim: undefined, numbers: tf.stack([tf.scalar(0), cameBack, tf.scalar(0), tf.scalar(0), tf.scalar(0)]) };
          }
          const w = info.variable.read().reshape(info.view as number[]);
          const t = computeTrim(w, criterion, g, `reverse-prune ${key}`);
          const cameBack = prev === undefined ? tf.scalar(0) : tf.sum(tf.cast(tf.logicalAnd(prev.mask, t.keep.cast('bool')), 'float32'));
          const numbers = tf.stack([tf.sum(tf.cast(t.mask, 'float32')), cameBack, tf.min(t.thresholds), tf.mean(t.thresholds), tf.max(t.thresholds)]);
          return { trim: { mask: tf.keep(t.mask), tau: tf.keep(t.tau), keep: tf.keep(t.keep) }, numbers };
        });
        pending.push({ key, info, trim: result.trim, numbers: result.numbers, signature });
      }
      if (pending.length === 0) return;
      const all = tf.tidy(() => tf.concat(pending.map((p) => p.numbers)));
      const values = all.dataSync();
      tf.dispose([all, ...pending.map((p) => p.numbers)]);
      pending.forEach((p, i) => {
        const [trimmed, cameBack, min, mean, max] = Array.from(values.subarray(5 * i, 5 * i + 5));
        const size = p.info.view.reduce((a, b) => a * b, 1);
        disposeTrim(cache.get(p.key)?.trim);
        const stats: WeightTrimStats = {
          layer: p.info.layer,
          weight: p.info.weight,
          shape: [...p.info.view],
          size,
          trimmed: trimmed!,
          share: size === 0 ? 0 : trimmed! / size,
          cameBack: cameBack!,
          refreshedAt: ctx.step,
          strength: s,
          thresholds: p.trim === undefined ? null : { min: min!, mean: mean!, max: max! },
        };
        cache.set(p.key, { trim: trimmed! > 0 ? p.trim : undefined, stats, signature: p.signature });
        if (trimmed === 0) disposeTrim(p.trim);
      });
    },

    apply(w: tf.Tensor, ctx: TrimContext): tf.Tensor {
      const entry = cache.get(`${ctx.layer}/${ctx.weight}`);
      if (entry !== undefined && entry.stats.size === w.size) {
        const trim = entry.trim;
        if (trim === undefined) return w;
        if (w.shape.length === trim.mask.shape.length && w.shape.every((d, i) => d === trim.mask.shape[i])) return applyTrim(w, trim, { operation, gradient });
        return applyTrim(w.reshape(trim.mask.shape), trim, { operation, gradient }).reshape(w.shape);
      }
      // No mask yet (no controller, or before the first beginStep): trim on the fly, uncached.
      const g = resolveTrimGranularity(granularity, w.shape, ctx.channelAxis);
      const { criterion } = criterionAt(base, pMax, strengthAt(ctx.step, ctx.strength), groupLength(w.shape, g));
      if (criterion === undefined) return w;
      return tf.tidy(() => applyTrim(w, computeTrim(w, criterion, g, `reverse-prune ${ctx.layer}/${ctx.weight}`), { operation, gradient }));
    },

    stats(): ReversePruneStats {
      const weights = [...cache.values()].map((e) => e.stats);
      const trimmed = weights.reduce((a, w) => a + w.trimmed, 0);
      const size = weights.reduce((a, w) => a + w.size, 0);
      return {
        name: 'reverse-prune',
        step: lastStep,
        trimmed,
        size,
        share: size === 0 ? 0 : trimmed / size,
        cameBack: weights.reduce((a, w) => a + w.cameBack, 0),
        weights,
      };
    },

    dispose(): void {
      for (const e of cache.values()) disposeTrim(e.trim);
      cache.clear();
      lastStep = null;
    },
  };
}
