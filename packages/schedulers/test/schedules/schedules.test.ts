import { describe, expect, it } from 'vitest';
import { clamp, constant, cosine, exponential, linear, multistep, piecewise, polynomial, product, scale, sequence, step, warmup } from '../../src/index.js';
import type { Schedule } from '../../src/index.js';

/** Expected values by step, checked to 12 decimals. */
type Expected = Record<number, number>;

const endpoints: Array<[string, Schedule, Expected]> = [
  ['constant', constant({ value: 0.3 }), { 0: 0.3, 1e9: 0.3 }],
  ['linear', linear({ start: 0, end: 1, steps: 100 }), { 0: 0, 25: 0.25, 100: 1, 1000: 1 }],
  ['linear with 0 steps', linear({ start: 5, end: 1, steps: 0 }), { 0: 1, 10: 1 }],
  ['cosine', cosine({ start: 1, end: 0.1, steps: 100 }), { 0: 1, 50: 0.55, 100: 0.1, 200: 0.1 }],
  ['cosine, default end 0', cosine({ start: 2, steps: 10 }), { 0: 2, 5: 1, 10: 0 }],
  ['polynomial', polynomial({ start: 1, end: 0, steps: 100, power: 2 }), { 0: 1, 50: 0.25, 100: 0, 150: 0 }],
  ['polynomial, default power 1', polynomial({ start: 1, end: 0.5, steps: 10 }), { 0: 1, 5: 0.75, 10: 0.5 }],
  ['exponential', exponential({ start: 2, gamma: 0.5, every: 10 }), { 0: 2, 5: Math.SQRT2, 10: 1, 30: 0.25 }],
  ['exponential, default every 1', exponential({ start: 1, gamma: 0.5 }), { 0: 1, 3: 0.125 }],
  ['step', step({ start: 1, gamma: 0.1, every: 30 }), { 0: 1, 29.9: 1, 30: 0.1, 60: 0.01 }],
  ['multistep', multistep({ start: 1, gamma: 0.5, milestones: [10, 10, 40] }), { 0: 1, 9: 1, 10: 0.25, 40: 0.125, 1e6: 0.125 }],
  ['multistep without milestones', multistep({ start: 3, gamma: 0.5, milestones: [] }), { 0: 3, 100: 3 }],
  [
    'piecewise',
    piecewise({
      points: [
        [10, 1],
        [20, 3],
        [40, -1],
      ],
    }),
    { 0: 1, 10: 1, 15: 2, 20: 3, 30: 1, 40: -1, 100: -1 },
  ],
  ['piecewise with one point', piecewise({ points: [[5, 2]] }), { 0: 2, 50: 2 }],
  ['warmup (not shifted)', warmup({ schedule: linear({ start: 1, end: 0, steps: 100 }), steps: 20 }), { 0: 0, 10: 0.4, 20: 0.8, 50: 0.5, 100: 0 }],
  ['warmup from a start value', warmup({ schedule: constant({ value: 1 }), steps: 10, start: 0.5 }), { 0: 0.5, 5: 0.75, 10: 1 }],
  ['warmup with 0 steps', warmup({ schedule: constant({ value: 1 }), steps: 0, start: 0.5 }), { 0: 1, 10: 1 }],
  ['clamp', clamp({ schedule: linear({ start: 0, end: 10, steps: 10 }), min: 2, max: 8 }), { 0: 2, 5: 5, 10: 8 }],
  ['clamp, min only', clamp({ schedule: exponential({ start: 1, gamma: 0.1 }), min: 0.01 }), { 0: 1, 1: 0.1, 5: 0.01 }],
  [
    'sequence (shifted)',
    sequence({
      schedules: [constant({ value: 1 }), linear({ start: 1, end: 0, steps: 10 }), constant({ value: 0.2 })],
      boundaries: [5, 15],
    }),
    { 0: 1, 4.5: 1, 5: 1, 10: 0.5, 14: 0.1, 15: 0.2, 1000: 0.2 },
  ],
  ['sequence of one', sequence({ schedules: [constant({ value: 4 })], boundaries: [] }), { 0: 4 }],
  ['product', product({ schedules: [constant({ value: 2 }), linear({ start: 0, end: 1, steps: 10 })] }), { 0: 0, 5: 1, 10: 2 }],
  ['scale', scale({ schedule: cosine({ start: 1, steps: 10 }), factor: 3 }), { 0: 3, 5: 1.5, 10: 0 }],
];

describe('built-in schedules', () => {
  it.each(endpoints)('%s takes its documented values', (_label, schedule, expected) => {
    for (const [at, value] of Object.entries(expected)) expect(schedule.at(Number(at)), `at(${at})`).toBeCloseTo(value, 12);
  });

  const decays: Array<[string, Schedule]> = [
    ['linear', linear({ start: 1, end: 0.1, steps: 500 })],
    ['cosine', cosine({ start: 1, end: 0, steps: 500 })],
    ['polynomial, power 0.5', polynomial({ start: 1, steps: 500, power: 0.5 })],
    ['polynomial, power 3', polynomial({ start: 1, steps: 500, power: 3 })],
    ['exponential', exponential({ start: 1, gamma: 0.99 })],
    ['step', step({ start: 1, gamma: 0.5, every: 70 })],
    ['multistep', multistep({ start: 1, gamma: 0.5, milestones: [100, 300] })],
  ];
  it.each(decays)('%s decays monotonically', (_label, schedule) => {
    let previous = schedule.at(0);
    for (let at = 0.5; at <= 700; at += 0.5) {
      const value = schedule.at(at);
      expect(value, `at(${at})`).toBeLessThanOrEqual(previous);
      previous = value;
    }
  });

  const continuous: Array<[string, Schedule, number[]]> = [
    [
      'piecewise',
      piecewise({
        points: [
          [10, 1],
          [20, 3],
          [40, -1],
        ],
      }),
      [10, 20, 40],
    ],
    ['warmup', warmup({ schedule: cosine({ start: 0.1, steps: 1000 }), steps: 100, start: 0.01 }), [100]],
    ['linear', linear({ start: 0, end: 1, steps: 100 }), [100]],
    ['cosine', cosine({ start: 1, steps: 100 }), [100]],
  ];
  it.each(continuous)('%s is continuous at its breakpoints', (_label, schedule, breakpoints) => {
    for (const b of breakpoints) {
      expect(Math.abs(schedule.at(b) - schedule.at(b - 1e-7)), `at ${b}`).toBeLessThan(1e-6);
      expect(Math.abs(schedule.at(b + 1e-7) - schedule.at(b)), `after ${b}`).toBeLessThan(1e-6);
    }
  });

  it('serialises with defaults filled in, through JSON.stringify too', () => {
    expect(cosine({ start: 1, steps: 10 }).toJSON()).toEqual({ type: 'cosine', start: 1, end: 0, steps: 10 });
    expect(JSON.parse(JSON.stringify(warmup({ schedule: constant({ value: 1 }), steps: 5 })))).toEqual({
      type: 'warmup',
      schedule: { type: 'constant', value: 1 },
      steps: 5,
      start: 0,
    });
    expect(clamp({ schedule: constant({ value: 1 }), max: 0.5 }).toJSON()).toEqual({
      type: 'clamp',
      schedule: { type: 'constant', value: 1 },
      max: 0.5,
    });
  });

  it('is immutable: editing the options or the JSON changes nothing', () => {
    const milestones = [10, 20];
    const schedule = multistep({ start: 1, gamma: 0.5, milestones });
    milestones.push(0);
    schedule.toJSON().milestones = [];
    expect(schedule.at(100)).toBe(0.25);
    expect(schedule.toJSON().milestones).toEqual([10, 20]);
    expect(Object.isFrozen(schedule)).toBe(true);
  });
});

describe('invalid options', () => {
  const invalid: Array<[string, () => unknown, string]> = [
    ['non-number', () => constant({ value: '1' as never }), 'constant.value: expected a finite number, got "1"'],
    ['NaN', () => linear({ start: NaN, end: 0, steps: 1 }), 'linear.start: expected a finite number, got NaN'],
    ['negative steps', () => cosine({ start: 1, steps: -1 }), 'cosine.steps: must be ≥ 0, got -1'],
    ['power 0', () => polynomial({ start: 1, steps: 10, power: 0 }), 'polynomial.power: must be > 0, got 0'],
    ['gamma 0', () => exponential({ start: 1, gamma: 0 }), 'exponential.gamma: must be > 0, got 0'],
    ['every 0', () => step({ start: 1, gamma: 0.1, every: 0 }), 'step.every: must be > 0, got 0'],
    [
      'decreasing milestones',
      () => multistep({ start: 1, gamma: 0.1, milestones: [10, 30, 20] }),
      'multistep.milestones.2: must be ≥ the previous milestone (30), got 20',
    ],
    // @ts-expect-error: milestones must be an array
    ['milestones not an array', () => multistep({ start: 1, gamma: 0.1, milestones: 5 }), 'multistep.milestones: expected an array, got 5'],
    ['no points', () => piecewise({ points: [] }), 'piecewise.points: expected at least 1 item, got 0'],
    // @ts-expect-error: a point must be a [step, value] pair
    ['a point that is not a pair', () => piecewise({ points: [[0, 1], [5]] }), 'piecewise.points.1: expected a [step, value] pair, got an array'],
    [
      'repeated point step',
      () =>
        piecewise({
          points: [
            [0, 1],
            [0, 2],
          ],
        }),
      "piecewise.points.1.0: must be > the previous point's step (0), got 0",
    ],
    ['bad point value', () => piecewise({ points: [[0, Infinity]] }), 'piecewise.points.0.1: expected a finite number, got Infinity'],
    // @ts-expect-error: a config where a schedule is expected
    ['warmup of a config', () => warmup({ schedule: { type: 'constant', value: 1 }, steps: 1 }), 'warmup.schedule: expected a schedule'],
    ['clamp without bounds', () => clamp({ schedule: constant({ value: 1 }) }), 'clamp: expected `min`, `max` or both'],
    ['clamp max < min', () => clamp({ schedule: constant({ value: 1 }), min: 1, max: 0 }), 'clamp.max: must be ≥ min (1), got 0'],
    ['sequence without schedules', () => sequence({ schedules: [], boundaries: [] }), 'sequence.schedules: expected at least 1 item, got 0'],
    [
      'sequence boundary count',
      () => sequence({ schedules: [constant({ value: 1 }), constant({ value: 2 })], boundaries: [] }),
      'sequence.boundaries: expected 1 (one fewer than schedules), got 0',
    ],
    [
      'sequence boundaries decreasing',
      () => sequence({ schedules: [constant({ value: 1 }), constant({ value: 2 }), constant({ value: 3 })], boundaries: [5, 4] }),
      'sequence.boundaries.1: must be ≥ the previous boundary (5), got 4',
    ],
    // @ts-expect-error: a number where a schedule is expected
    ['product of a non-schedule', () => product({ schedules: [constant({ value: 1 }), 2] }), 'product.schedules.1: expected a schedule'],
    // @ts-expect-error: factor is missing
    ['scale without factor', () => scale({ schedule: constant({ value: 1 }) }), 'scale.factor: expected a finite number, got undefined'],
    // @ts-expect-error: an unknown field
    ['unknown field', () => cosine({ start: 1, steps: 10, edn: 0 }), 'cosine.edn: unknown field; expected one of start, end, steps'],
    ['options not an object', () => constant(null as never), 'constant: expected an object, got null'],
  ];
  it.each(invalid)('%s is a coded error naming the field', (_label, build, message) => {
    expect(build).toThrowError(expect.objectContaining({ code: 'QT_INVALID_SCHEDULE', message: expect.stringContaining(message) }));
  });
});
