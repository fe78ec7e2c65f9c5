import * as tf from '../tf.js';
import { QuantTrimError } from '@quant-trim/errors';
import { checkSparsity, keepMask, magnitudeScores, prunedCount } from './magnitudeMask.js';
import { readMagnitudeOptions } from './readMagnitudeOptions.js';
import type {
  MagnitudePruning,
  MagnitudePruningOptions,
  MagnitudePruningStats,
  MagnitudeStepContext,
  MagnitudeTransformContext,
  MagnitudeWeight,
  MagnitudeWeightStats,
} from './types.js';

/** The mask of one weight: on the CPU for the next refresh and reports, on the device for `apply`. */
interface MaskEntry {
  readonly layer: string;
  readonly weight: string;
  readonly size: number;
  readonly mask: Uint8Array;
  readonly pruned: number;
  /** `tf.keep`'d float32 0/1 tensor in the weight's `view` shape. */
  readonly tensor: tf.Tensor;
  readonly targetSparsity: number;
  readonly step: number;
}

/**
 * Classic magnitude pruning as a weight transform for `@quant-trim/fake-quant`'s `quantizeModel`:
 * the smallest weights are masked to zero, unstructured, per tensor (`scope: 'local'`) or with
 * one threshold across every quantized weight (`'global'`). The opposite of reverse pruning, and
 * here so the two can be compared on the same model and training loop.
 *
 * - Refresh: `beginStep` recomputes the masks at the first call from `startStep` on, then every
 *   `refreshEvery` steps counted from `startStep`, up to `endStep`; after it the masks are kept.
 *   The target is `sparsity.at(step)` (a first call after `endStep`, e.g. on resume, uses
 *   `endStep`). Local: ⌊s·n⌋ pruned per tensor; global: ⌊s·N⌋ of the N weights together (ties:
 *   lowest position first, in `ctx.weights` order then element order; see `magnitudeMask`).
 * - Masks only grow: a pruned weight stays pruned (it is ranked below every kept one), and a
 *   lower target never revives weights. That is classic pruning; reverse pruning's masks are
 *   never permanent.
 * - `apply` returns `w · mask` (+0 at pruned positions, never −0). Its gradient is `dy · mask` (tfjs's own `mul` gradient, with the
 *   kept mask saved by the tape), so pruned variables get exactly 0 and do not drift with plain
 *   SGD (optimizers with momentum may still move them by past momentum; the effective weight stays
 *   0). `apply` runs before the weight scale is computed, so pruned weights enter the quantizer as
 *   zeros and fake-quantize to exactly 0: the masks survive fake-quant training and `stripQuantization`.
 * - Masks are not saved in checkpoints: after a resume they are recomputed from the magnitudes.
 *
 * @example
 * const pruning = createMagnitudePruning({ sparsity: polynomialSparsity({ initial: 0, final: 0.8, beginStep: 0, endStep: 2000 }), scope: 'global' });
 * const q = quantizeModel(model, { weightTransform: pruning });
 * const controller = new QuantTrimController(q, { totalSteps: 3000 });
 * await q.model.fit(xs, ys, { epochs, callbacks: [controller.callback()] });
 * console.log(pruning.stats().sparsity); // 0.8
 * pruning.dispose();
 */
export function createMagnitudePruning(options: MagnitudePruningOptions): MagnitudePruning {
  const config = readMagnitudeOptions(options);
  const entries = new Map<string, MaskEntry>();
  let lastRefresh: number | undefined;
  let lastTarget = 0;

  const period = (step: number) => Math.floor((step - config.startStep) / config.refreshEvery);
  const due = (step: number) => step >= config.startStep && (lastRefresh === undefined || (step <= config.endStep && period(step) > period(lastRefresh)));

  function refresh(context: MagnitudeStepContext): void {
    const { step } = context;
    const target = config.sparsity.at(Math.min(step, config.endStep));
    checkSparsity(target, () => `createMagnitudePruning: sparsity schedule at step ${step}`, 'QT_INVALID_SCHEDULE');
    const weights = context.weights.map((w) => ({ w, key: keyOf(w.layer, w.weight), values: read(w) }));
    const masks =
      config.scope === 'local'
        ? weights.map(({ key, values }) => {
            const previous = entries.get(key);
            return keepMask(magnitudeScores(values, previous?.mask), Math.max(prunedCount(values.length, target), previous?.pruned ?? 0));
          })
        : globalMasks(
            weights.map(({ key, values }) => ({ values, previous: entries.get(key) })),
            target,
          );
    weights.forEach(({ w, key }, i) => update(key, w, masks[i]!, target, step));
    lastRefresh = step;
    lastTarget = target;
  }

  function read(w: MagnitudeWeight): ArrayLike<number> {
    const key = keyOf(w.layer, w.weight);
    const value = w.variable.read();
    const size = w.view.reduce((a, b) => a * b, 1);
    const previous = entries.get(key);
    if (size !== value.size || (previous !== undefined && previous.size !== size)) {
      throw new QuantTrimError({
        code: 'QT_SHAPE_MISMATCH',
        message: `createMagnitudePruning: weight ${key} has ${value.size} elements, view [${w.view.join(', ')}]${previous ? `, mask ${previous.size}` : ''}; use a new pruner per model`,
      });
    }
    return value.dataSync();
  }

  function update(key: string, w: MagnitudeWeight, mask: Uint8Array, target: number, step: number): void {
    const previous = entries.get(key);
    let pruned = 0;
    for (const m of mask) pruned += 1 - m;
    const changed = previous === undefined || previous.pruned !== pruned;
    const tensor = changed ? tf.keep(tf.tensor(Float32Array.from(mask), [...w.view], 'float32')) : previous.tensor;
    if (changed && previous !== undefined) previous.tensor.dispose();
    entries.set(key, { layer: w.layer, weight: w.weight, size: mask.length, mask, pruned, tensor, targetSparsity: target, step });
  }

  return {
    name: 'magnitude-prune',
    beginStep(context: MagnitudeStepContext): void {
      if (due(context.step)) refresh(context);
    },
    apply(weight: tf.Tensor, context: MagnitudeTransformContext): tf.Tensor {
      const entry = entries.get(keyOf(context.layer, context.weight));
      if (entry === undefined) return weight;
      if (weight.size !== entry.size) {
        throw new QuantTrimError({
          code: 'QT_SHAPE_MISMATCH',
          message: `createMagnitudePruning: weight ${keyOf(context.layer, context.weight)} has shape [${weight.shape.join(', ')}], its mask ${entry.size} elements`,
        });
      }
      const sameShape = weight.shape.every((d, i) => d === entry.tensor.shape[i]) && weight.rank === entry.tensor.rank;
      // `+ 0` turns the −0 of a negative weight times 0 into +0: pruned weights are all-zero bits.
      return tf.add(tf.mul(weight, sameShape ? entry.tensor : tf.reshape(entry.tensor, weight.shape)), 0);
    },
    stats(): MagnitudePruningStats {
      const weights: MagnitudeWeightStats[] = [...entries].map(([key, e]) => ({
        key,
        layer: e.layer,
        weight: e.weight,
        size: e.size,
        pruned: e.pruned,
        sparsity: e.size === 0 ? 0 : e.pruned / e.size,
        targetSparsity: e.targetSparsity,
        lastRefreshStep: e.step,
      }));
      const size = weights.reduce((a, w) => a + w.size, 0);
      const pruned = weights.reduce((a, w) => a + w.pruned, 0);
      return {
        scope: config.scope,
        size,
        pruned,
        sparsity: size === 0 ? 0 : pruned / size,
        targetSparsity: lastTarget,
        lastRefreshStep: lastRefresh ?? null,
        weights,
      };
    },
    masks(): Map<string, Uint8Array> {
      return new Map([...entries].map(([key, e]) => [key, e.mask.slice()]));
    },
    dispose(): void {
      for (const e of entries.values()) e.tensor.dispose();
      entries.clear();
      lastRefresh = undefined;
      lastTarget = 0;
    },
  };
}

/** One threshold over the concatenation of every weight: ⌊s·N⌋ pruned (never fewer than already are). */
function globalMasks(weights: readonly { values: ArrayLike<number>; previous: MaskEntry | undefined }[], target: number): Uint8Array[] {
  const total = weights.reduce((a, w) => a + w.values.length, 0);
  const scores = new Float32Array(total);
  let offset = 0;
  let already = 0;
  for (const { values, previous } of weights) {
    magnitudeScores(values, previous?.mask, scores, offset);
    offset += values.length;
    already += previous?.pruned ?? 0;
  }
  const mask = keepMask(scores, Math.max(prunedCount(total, target), already));
  offset = 0;
  return weights.map(({ values }) => {
    const part = mask.slice(offset, offset + values.length);
    offset += values.length;
    return part;
  });
}

function keyOf(layer: string, weight: string): string {
  return `${layer}/${weight}`;
}
