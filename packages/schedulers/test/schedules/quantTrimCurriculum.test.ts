import { describe, expect, it } from 'vitest';
import { quantTrimCurriculum, quantTrimCurriculumDefaults } from '../../src/index.js';
import type { QuantTrimCurriculumOptions, Schedule } from '../../src/index.js';

/**
 * λ(step) for T = 1000 and the defaults (u_w 0.1, u_q 0.5, λ_q 0.25, u_f 0.85), worked out by
 * hand from docs/method.md#the-lambda-curriculum: quartic 0.25·((t−100)/400)^4 on [100, 500), quadratic
 * 0.25 + 0.75·((t−500)/350)^2 on [500, 850).
 */
const expectedCurve: Array<[step: number, lambda: number]> = [
  [0, 0],
  [50, 0],
  [100, 0],
  [150, 0.00006103515625], // 0.25 · 0.125^4
  [200, 0.0009765625], // 0.25 · 0.25^4
  [300, 0.015625], // 0.25 · 0.5^4
  [400, 0.0791015625], // 0.25 · 0.75^4
  [450, 0.14654541015625], // 0.25 · 0.875^4
  [500, 0.25],
  [535, 0.2575], // 0.25 + 0.75 · 0.1^2
  [570, 0.28], // 0.25 + 0.75 · 0.2^2
  [605, 0.3175], // 0.25 + 0.75 · 0.3^2
  [640, 0.37], // 0.25 + 0.75 · 0.4^2
  [675, 0.4375], // 0.25 + 0.75 · 0.5^2
  [710, 0.52], // 0.25 + 0.75 · 0.6^2
  [780, 0.73], // 0.25 + 0.75 · 0.8^2
  [815, 0.8575], // 0.25 + 0.75 · 0.9^2
  [850, 1],
  [900, 1],
  [1000, 1],
  [1200, 1], // past the end of training λ holds at 1
];

const sweep = (schedule: Schedule, to: number, by: number) => Array.from({ length: Math.floor(to / by) + 1 }, (_, i) => schedule.at(i * by));

describe('quantTrimCurriculum', () => {
  it('follows docs/method.md#the-lambda-curriculum with the documented defaults', () => {
    const lambda = quantTrimCurriculum({ totalSteps: 1000 });
    expect(lambda.toJSON()).toEqual({
      type: 'quantTrimCurriculum',
      totalSteps: 1000,
      unit: 'fraction',
      warmup: 0.1,
      quarticEnd: 0.5,
      lambdaAtQuarticEnd: 0.25,
      fullAt: 0.85,
    });
    expect(quantTrimCurriculumDefaults).toEqual({ warmup: 0.1, quarticEnd: 0.5, lambdaAtQuarticEnd: 0.25, fullAt: 0.85 });
    expect(expectedCurve.map(([at]) => [at, lambda.at(at)])).toEqual(expectedCurve.map(([at, value]) => [at, expect.closeTo(value, 12)]));
  });

  it('takes breakpoints as step counts with unit "steps", defaulting to the same fractions', () => {
    const fractions = quantTrimCurriculum({ totalSteps: 1000 });
    const steps = quantTrimCurriculum({ totalSteps: 1000, unit: 'steps', warmup: 100, quarticEnd: 500, fullAt: 850 });
    const defaults = quantTrimCurriculum({ totalSteps: 1000, unit: 'steps' });
    expect(defaults.toJSON()).toMatchObject({ unit: 'steps', warmup: 100, quarticEnd: 500, fullAt: 850 });
    for (let at = 0; at <= 1100; at += 7) {
      expect(steps.at(at), `at(${at})`).toBeCloseTo(fractions.at(at), 12);
      expect(defaults.at(at), `at(${at})`).toBeCloseTo(fractions.at(at), 12);
    }
  });

  const shapes: Array<[string, QuantTrimCurriculumOptions]> = [
    ['defaults', { totalSteps: 1000 }],
    ['odd length', { totalSteps: 777, warmup: 0.05, quarticEnd: 0.3, lambdaAtQuarticEnd: 0.6, fullAt: 0.9 }],
    ['in steps', { totalSteps: 5000, unit: 'steps', warmup: 0, quarticEnd: 1234, lambdaAtQuarticEnd: 0, fullAt: 5000 }],
    ['λ_q = 1', { totalSteps: 100, lambdaAtQuarticEnd: 1 }],
  ];

  it.each(shapes)('is continuous at every breakpoint (%s)', (_label, options) => {
    const lambda = quantTrimCurriculum(options);
    const json = lambda.toJSON();
    const toSteps = json.unit === 'fraction' ? json.totalSteps : 1;
    for (const b of [json.warmup, json.quarticEnd, json.fullAt].map((u) => (u as number) * toSteps)) {
      const before = lambda.at(Math.max(0, b - 1e-6));
      expect(Math.abs(lambda.at(b) - before), `at ${b}`).toBeLessThan(1e-6);
      expect(Math.abs(lambda.at(b + 1e-6) - lambda.at(b)), `after ${b}`).toBeLessThan(1e-6);
    }
  });

  it.each(shapes)('has no jump anywhere: steps between samples stay under the steepest slope (%s)', (_label, options) => {
    const json = quantTrimCurriculum(options).toJSON();
    const toSteps = json.unit === 'fraction' ? json.totalSteps : 1;
    const [w, q, f] = [json.warmup, json.quarticEnd, json.fullAt].map((u) => (u as number) * toSteps) as [number, number, number];
    const lambdaQ = json.lambdaAtQuarticEnd as number;
    // The quartic's slope peaks at 4·λ_q/(q − w), the quadratic's at 2·(1 − λ_q)/(f − q).
    const steepest = Math.max((4 * lambdaQ) / (q - w), (2 * (1 - lambdaQ)) / (f - q));
    const by = 0.25;
    const values = sweep(quantTrimCurriculum(options), options.totalSteps * 1.2, by);
    const largestStep = Math.max(...values.slice(1).map((value, i) => Math.abs(value - (values[i] as number))));
    expect(largestStep).toBeLessThanOrEqual(steepest * by * (1 + 1e-9));
  });

  it.each(shapes)('is non-decreasing from 0 to 1 over every step (%s)', (_label, options) => {
    const by = 0.25;
    const values = sweep(quantTrimCurriculum(options), options.totalSteps * 1.2, by);
    const decreasesAt = values.flatMap((value, i) => (i > 0 && value < (values[i - 1] as number) ? [i * by] : []));
    expect(decreasesAt).toEqual([]);
    expect([values[0], Math.min(...values), Math.max(...values), values.at(-1)]).toEqual([0, 0, 1, 1]);
  });

  it('handles equal breakpoints without dividing by zero (λ steps there)', () => {
    const collapsed = quantTrimCurriculum({ totalSteps: 100, warmup: 0.5, quarticEnd: 0.5, fullAt: 0.5 });
    expect(sweep(collapsed, 100, 0.5).every(Number.isFinite)).toBe(true);
    expect([collapsed.at(49.9), collapsed.at(50), collapsed.at(100)]).toEqual([0, 1, 1]);

    const noQuartic = quantTrimCurriculum({ totalSteps: 100, warmup: 0.2, quarticEnd: 0.2 });
    expect([noQuartic.at(19.99), noQuartic.at(20)]).toEqual([0, 0.25]);
    const allFromStart = quantTrimCurriculum({ totalSteps: 100, warmup: 0, quarticEnd: 0, fullAt: 0 });
    expect(allFromStart.at(0)).toBe(1);
  });

  const invalid: Array<[string, QuantTrimCurriculumOptions, string]> = [
    ['quarticEnd before warmup', { totalSteps: 1000, quarticEnd: 0.05 }, 'quantTrimCurriculum.quarticEnd: must be ≥ warmup (0.1), got 0.05'],
    ['fullAt before quarticEnd', { totalSteps: 1000, fullAt: 0.4 }, 'quantTrimCurriculum.fullAt: must be ≥ quarticEnd (0.5), got 0.4'],
    ['negative warmup', { totalSteps: 1000, warmup: -0.1 }, 'quantTrimCurriculum.warmup: must be ≥ 0, got -0.1'],
    [
      'a step count given as a fraction',
      { totalSteps: 1000, warmup: 100 },
      'quantTrimCurriculum.warmup: must be ≤ 1 (a fraction of training; pass unit: "steps" for step counts), got 100',
    ],
    ['fullAt past the end', { totalSteps: 1000, unit: 'steps', fullAt: 1200 }, 'quantTrimCurriculum.fullAt: must be ≤ totalSteps (1000), got 1200'],
    ['λ_q above 1', { totalSteps: 1000, lambdaAtQuarticEnd: 1.5 }, 'quantTrimCurriculum.lambdaAtQuarticEnd: must be ≤ 1, got 1.5'],
    ['λ_q below 0', { totalSteps: 1000, lambdaAtQuarticEnd: -0.5 }, 'quantTrimCurriculum.lambdaAtQuarticEnd: must be ≥ 0, got -0.5'],
    ['no totalSteps', {} as QuantTrimCurriculumOptions, 'quantTrimCurriculum.totalSteps: expected a finite number, got undefined'],
    ['zero totalSteps', { totalSteps: 0 }, 'quantTrimCurriculum.totalSteps: must be > 0, got 0'],
    // @ts-expect-error: an unknown unit is refused at run time
    ['unknown unit', { totalSteps: 10, unit: 'percent' }, 'quantTrimCurriculum.unit: expected "fraction" or "steps", got "percent"'],
  ];
  it.each(invalid)('rejects %s, naming the field', (_label, options, message) => {
    expect(() => quantTrimCurriculum(options)).toThrowError(expect.objectContaining({ code: 'QT_INVALID_SCHEDULE', message }));
  });
});
