import { defineBuiltin, definitionOf } from '../internal/defineBuiltin.js';
import { makeSchedule } from '../internal/makeSchedule.js';
import type { Schedule, ScheduleConfig } from '../types.js';

export interface ConstantOptions {
  /** The value at every step. */
  value: number;
}

const builtin = defineBuiltin('constant', ['value'], (read) => {
  const value = read.number('value');
  return makeSchedule(
    'constant',
    () => ({ type: 'constant', value }),
    () => value,
  );
});

/**
 * The same value at every step. Useful on its own (a fixed learning rate, λ = 1 for plain QAT)
 * and as a factor inside `product` or a segment of `sequence`.
 *
 * @example
 * const qat = constant({ value: 1 });
 * qat.at(0); // 1
 */
export function constant(options: ConstantOptions): Schedule<ScheduleConfig<'constant'>> {
  return builtin.create(options);
}

/** @internal */
export const constantDefinition = /* @__PURE__ */ definitionOf(builtin);
