import { QuantTrimError } from '@quant-trim/errors';
import { constant, polynomial, sequence } from '@quant-trim/schedulers';
import type { Schedule } from '@quant-trim/schedulers';
import { checkSparsity, describe } from './magnitudeMask.js';

export interface PolynomialSparsityOptions {
  /** Sparsity at `beginStep`, in [0, 1]. */
  initial: number;
  /** Sparsity at `endStep` and after, in [0, 1]. */
  final: number;
  /** First pruning step (≥ 0); the sparsity is 0 before it. */
  beginStep: number;
  /** Step where `final` is reached (> `beginStep`). */
  endStep: number;
  /** Exponent of the decay (> 0, default 3, TFMOT's default). */
  power?: number;
  /**
   * Hold the value between update steps `beginStep + k·frequency` (integer ≥ 1), as TFMOT's
   * masks only change there. As in TFMOT, `final` is reached only if `endStep − beginStep` is a
   * multiple of `frequency`. Default: a smooth curve.
   */
  frequency?: number;
}

/**
 * TFMOT's `PolynomialDecay` sparsity as a `@quant-trim/schedulers` schedule:
 * s_t = final + (initial − final)·(1 − (t − begin)/(end − begin))^power for begin ≤ t ≤ end,
 * `final` after end, and 0 before begin (TFMOT does not prune before `begin_step`).
 *
 * Why a schedule built from built-ins: it is plain `sequence`/`polynomial`/`constant` JSON, so it
 * is saved with a checkpoint and rebuilt by `fromJSON` with no plugin to register. With
 * `frequency`, the JSON is one `constant` per update step (⌊(end − begin)/frequency⌋ + 1 of them).
 *
 * @example
 * const sparsity = polynomialSparsity({ initial: 0, final: 0.8, beginStep: 1000, endStep: 5000 });
 * sparsity.at(500); // 0
 * sparsity.at(3000); // 0.8 − 0.8·0.5³ = 0.7
 * fromJSON(JSON.parse(JSON.stringify(sparsity))).at(3000); // 0.7
 */
export function polynomialSparsity(options: PolynomialSparsityOptions): Schedule {
  const { initial, final, beginStep, endStep, power = 3, frequency } = options;
  const where = (field: string) => () => `polynomialSparsity.${field}`;
  checkSparsity(initial, where('initial'), 'QT_INVALID_SCHEDULE');
  checkSparsity(final, where('final'), 'QT_INVALID_SCHEDULE');
  if (!isStep(beginStep)) fail('beginStep', `expected a finite number ≥ 0, got ${describe(beginStep)}`);
  if (!isStep(endStep) || endStep <= beginStep) fail('endStep', `expected a finite number > beginStep (${beginStep}), got ${describe(endStep)}`);
  if (typeof power !== 'number' || !Number.isFinite(power) || power <= 0) fail('power', `expected a finite number > 0, got ${describe(power)}`);
  if (frequency !== undefined && (!Number.isInteger(frequency) || frequency < 1)) fail('frequency', `expected an integer ≥ 1, got ${describe(frequency)}`);

  const decay = polynomial({ start: initial, end: final, steps: endStep - beginStep, power });
  const segments: Schedule[] = [];
  const boundaries: number[] = [];
  if (beginStep > 0) segments.push(constant({ value: 0 }));
  if (frequency === undefined) {
    segments.push(decay);
    if (beginStep > 0) boundaries.push(beginStep);
  } else {
    for (let t = 0; t <= endStep - beginStep; t += frequency) {
      segments.push(constant({ value: decay.at(t) }));
      if (segments.length > 1) boundaries.push(beginStep + t);
    }
  }
  return segments.length === 1 ? segments[0]! : sequence({ schedules: segments, boundaries });
}

function isStep(value: unknown): value is number {
  return typeof value === 'number' && Number.isFinite(value) && value >= 0;
}

function fail(field: string, problem: string): never {
  throw new QuantTrimError({ code: 'QT_INVALID_SCHEDULE', message: `polynomialSparsity.${field}: ${problem}` });
}
