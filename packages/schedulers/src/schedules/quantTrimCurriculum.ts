import { defineBuiltin, definitionOf } from '../internal/defineBuiltin.js';
import { makeSchedule } from '../internal/makeSchedule.js';
import type { Schedule, ScheduleConfig } from '../types.js';

/** How the curriculum's breakpoints are given. */
export type CurriculumUnit = 'fraction' | 'steps';

export interface QuantTrimCurriculumOptions {
  /** T, the length of training in steps (> 0); progress is u = step / T. */
  totalSteps: number;
  /**
   * `'fraction'` (default): `warmup`, `quarticEnd` and `fullAt` are fractions of training in
   * [0, 1]. `'steps'`: they are step counts in [0, totalSteps]. Never guessed from the values.
   */
  unit?: CurriculumUnit;
  /** u_w, the end of the FP32 warm-up (λ = 0 before it). Default 0.10 of training. */
  warmup?: number;
  /** u_q, the end of the quartic ramp, ≥ `warmup`. Default 0.50 of training. */
  quarticEnd?: number;
  /** λ_q, the value of λ at `quarticEnd`, in [0, 1]. Default 0.25. */
  lambdaAtQuarticEnd?: number;
  /** u_f, where λ reaches 1 and holds, ≥ `quarticEnd`. Default 0.85 of training. */
  fullAt?: number;
}

/**
 * The defaults of the λ curriculum (docs/method.md#the-lambda-curriculum), as fractions of training. They are project choices (the paper
 * gives the shape, not the breakpoints), so they are written into every `toJSON`.
 */
export const quantTrimCurriculumDefaults = /* @__PURE__ */ Object.freeze({
  warmup: 0.1,
  quarticEnd: 0.5,
  lambdaAtQuarticEnd: 0.25,
  fullAt: 0.85,
});

const keys = ['totalSteps', 'unit', 'warmup', 'quarticEnd', 'lambdaAtQuarticEnd', 'fullAt'];

const builtin = defineBuiltin('quantTrimCurriculum', keys, (read) => {
  const totalSteps = read.number('totalSteps', { above: 0 });
  const unit = read.oneOf<CurriculumUnit>('unit', ['fraction', 'steps'], 'fraction');
  const upper = unit === 'fraction' ? 1 : totalSteps;
  const breakpoint = (key: 'warmup' | 'quarticEnd' | 'fullAt', floor: number, floorName?: string): number => {
    const value = read.number(key, { min: 0, fallback: quantTrimCurriculumDefaults[key] * upper });
    if (floorName !== undefined && value < floor) read.fail(key, `must be ≥ ${floorName} (${floor}), got ${value}`);
    if (value > upper) {
      read.fail(
        key,
        unit === 'fraction'
          ? `must be ≤ 1 (a fraction of training; pass unit: "steps" for step counts), got ${value}`
          : `must be ≤ totalSteps (${totalSteps}), got ${value}`,
      );
    }
    return value;
  };
  const warmup = breakpoint('warmup', 0);
  const quarticEnd = breakpoint('quarticEnd', warmup, 'warmup');
  const fullAt = breakpoint('fullAt', quarticEnd, 'quarticEnd');
  const lambdaQ = read.number('lambdaAtQuarticEnd', { min: 0, max: 1, fallback: quantTrimCurriculumDefaults.lambdaAtQuarticEnd });

  // Breakpoints in steps. Each branch is reached only when its interval is non-empty, so equal
  // breakpoints never divide by zero.
  const toSteps = unit === 'fraction' ? totalSteps : 1;
  const [w, q, f] = [warmup * toSteps, quarticEnd * toSteps, fullAt * toSteps];
  return makeSchedule(
    'quantTrimCurriculum',
    () => ({ type: 'quantTrimCurriculum', totalSteps, unit, warmup, quarticEnd, lambdaAtQuarticEnd: lambdaQ, fullAt }),
    (step) => {
      if (step < w) return 0;
      if (step < q) return lambdaQ * ((step - w) / (q - w)) ** 4;
      if (step < f) return lambdaQ + (1 - lambdaQ) * ((step - q) / (f - q)) ** 2;
      return 1;
    },
  );
});

/**
 * The Quant-Trim λ curriculum (docs/method.md#the-lambda-curriculum): the blend between FP and the integer grid.
 * λ is 0 during an FP32 warm-up, rises gently along a quartic ramp to λ_q, then quadratically to
 * 1, and holds at 1 so the final weights train under full fake quantization. With u = step / T:
 *
 *     u < u_w            λ = 0
 *     u_w ≤ u < u_q      λ = λ_q · ((u − u_w)/(u_q − u_w))^4
 *     u_q ≤ u < u_f      λ = λ_q + (1 − λ_q) · ((u − u_q)/(u_f − u_q))^2
 *     u ≥ u_f            λ = 1
 *
 * λ is non-decreasing and continuous at every breakpoint. When two breakpoints are equal, the
 * ramp between them has zero length and λ steps there (from 0 to λ_q, or from λ_q to 1).
 *
 * @example
 * const lambda = quantTrimCurriculum({ totalSteps: 1000 }); // u_w 0.1, u_q 0.5, λ_q 0.25, u_f 0.85
 * lambda.at(300); // 0.015625 = 0.25 · 0.5^4
 * lambda.at(675); // 0.4375 = 0.25 + 0.75 · 0.5^2
 * quantTrimCurriculum({ totalSteps: 1000, unit: 'steps', warmup: 100, quarticEnd: 500, fullAt: 850 }); // the same curve
 */
export function quantTrimCurriculum(options: QuantTrimCurriculumOptions): Schedule<ScheduleConfig<'quantTrimCurriculum'>> {
  return builtin.create(options);
}

/** @internal */
export const quantTrimCurriculumDefinition = /* @__PURE__ */ definitionOf(builtin);
