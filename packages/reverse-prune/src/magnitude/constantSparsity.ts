import { QuantTrimError } from '@quant-trim/errors';
import { constant, sequence } from '@quant-trim/schedulers';
import type { Schedule } from '@quant-trim/schedulers';
import { checkSparsity, describe } from './magnitudeMask.js';

export interface ConstantSparsityOptions {
  /** First pruning step (≥ 0, default 0); the sparsity is 0 before it. */
  beginStep?: number;
}

/**
 * TFMOT's `ConstantSparsity`: 0 before `beginStep`, then `value`, as a `@quant-trim/schedulers`
 * schedule. Why a schedule rather than a number: it round-trips through JSON (`constant`, or a
 * two-segment `sequence` when `beginStep > 0`) and can be saved next to a checkpoint.
 *
 * @example
 * const sparsity = constantSparsity(0.5, { beginStep: 200 });
 * sparsity.at(199); // 0
 * sparsity.at(200); // 0.5
 * JSON.stringify(sparsity);
 * // {"type":"sequence","schedules":[{"type":"constant","value":0},{"type":"constant","value":0.5}],"boundaries":[200]}
 */
export function constantSparsity(value: number, options: ConstantSparsityOptions = {}): Schedule {
  checkSparsity(value, () => 'constantSparsity.value', 'QT_INVALID_SCHEDULE');
  const beginStep = options.beginStep ?? 0;
  if (typeof beginStep !== 'number' || !Number.isFinite(beginStep) || beginStep < 0) {
    throw new QuantTrimError({ code: 'QT_INVALID_SCHEDULE', message: `constantSparsity.beginStep: expected a finite number ≥ 0, got ${describe(beginStep)}` });
  }
  const target = constant({ value });
  return beginStep === 0 ? target : sequence({ schedules: [constant({ value: 0 }), target], boundaries: [beginStep] });
}
