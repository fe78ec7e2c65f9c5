import { describe, expect, it } from 'vitest';
import {
  clamp,
  constant,
  cosine,
  createScheduleRegistry,
  defaultScheduleRegistry,
  defineSchedule,
  exponential,
  fromJSON,
  linear,
  multistep,
  piecewise,
  polynomial,
  product,
  quantTrimCurriculum,
  scale,
  sequence,
  step,
  warmup,
} from '../src/index.js';
import type { Schedule, ScheduleConfig } from '../src/index.js';

const steps = Array.from({ length: 131 }, (_, i) => i * 10 + (i % 3) * 0.37);

const builtins: Schedule[] = [
  constant({ value: 0.5 }),
  linear({ start: 1, end: 0, steps: 300 }),
  cosine({ start: 0.1, steps: 1000 }),
  polynomial({ start: 1, end: 0.1, steps: 700, power: 3 }),
  exponential({ start: 1, gamma: 0.5, every: 250 }),
  step({ start: 0.1, gamma: 0.1, every: 300 }),
  multistep({ start: 0.1, gamma: 0.5, milestones: [100, 600, 600] }),
  piecewise({
    points: [
      [100, 0],
      [500, 0.25],
      [850, 1],
    ],
  }),
  warmup({ schedule: cosine({ start: 0.1, steps: 1000 }), steps: 100, start: 0.001 }),
  clamp({ schedule: exponential({ start: 1, gamma: 0.99 }), min: 0.05, max: 0.9 }),
  sequence({ schedules: [constant({ value: 0 }), linear({ start: 0, end: 1, steps: 200 })], boundaries: [300] }),
  product({ schedules: [constant({ value: 2 }), cosine({ start: 1, steps: 800 })] }),
  scale({ schedule: quantTrimCurriculum({ totalSteps: 1000 }), factor: 0.005 }),
  quantTrimCurriculum({ totalSteps: 1300, warmup: 0.05, quarticEnd: 0.4, lambdaAtQuarticEnd: 0.3, fullAt: 0.8 }),
  quantTrimCurriculum({ totalSteps: 1000, unit: 'steps', warmup: 50, quarticEnd: 450, fullAt: 900 }),
];

const nested = sequence({
  schedules: [
    warmup({ schedule: clamp({ schedule: cosine({ start: 1, steps: 400 }), min: 0.2 }), steps: 50 }),
    product({
      schedules: [scale({ schedule: linear({ start: 1, end: 0, steps: 500 }), factor: 0.5 }), quantTrimCurriculum({ totalSteps: 500 })],
    }),
  ],
  boundaries: [400],
});

function expectSameSchedule(original: Schedule, rebuilt: Schedule): void {
  expect(rebuilt.type).toBe(original.type);
  expect(rebuilt.toJSON()).toEqual(original.toJSON());
  for (const at of steps) expect(rebuilt.at(at), `${original.type}.at(${at})`).toBe(original.at(at));
}

describe('fromJSON', () => {
  it('covers every built-in in the round-trip cases below', () => {
    expect([...new Set(builtins.map((schedule) => schedule.type))].sort()).toEqual(defaultScheduleRegistry.names());
  });

  it.each(builtins.map((schedule) => [schedule.type, schedule] as const))('round-trips %s through JSON text', (_type, schedule) => {
    expectSameSchedule(schedule, fromJSON(JSON.parse(JSON.stringify(schedule)) as ScheduleConfig));
  });

  it('round-trips nested compositions', () => {
    const rebuilt = fromJSON(JSON.parse(JSON.stringify(nested)) as ScheduleConfig);
    expectSameSchedule(nested, rebuilt);
    expect(JSON.stringify(rebuilt)).toBe(JSON.stringify(nested));
  });

  it('round-trips a plugin schedule, alone and nested in a built-in', () => {
    const registry = createScheduleRegistry();
    registry.register(
      defineSchedule<{ period: number }>({
        name: 'sawtooth',
        create: ({ period }) => ({ at: (at) => (at % period) / period }),
      }),
    );
    const config = { type: 'warmup', steps: 20, schedule: { type: 'sawtooth', period: 70 } } as unknown as ScheduleConfig;
    const schedule = fromJSON(config, registry);
    expect(schedule.toJSON()).toEqual({ ...config, start: 0 });
    expect(schedule.at(55)).toBeCloseTo(55 / 70, 12);
    expectSameSchedule(schedule, fromJSON(JSON.parse(JSON.stringify(schedule)) as ScheduleConfig, registry));
  });

  it('reports nested errors with their dotted path', () => {
    const cases: Array<[unknown, string]> = [
      [{ type: 'warmup', steps: 10, schedule: { type: 'linear', start: 1, end: '0', steps: 5 } }, 'warmup.schedule.end: expected a finite number, got "0"'],
      [
        {
          type: 'sequence',
          boundaries: [5],
          schedules: [
            { type: 'constant', value: 1 },
            { type: 'multistep', start: 1, gamma: 0.1, milestones: [3, 1] },
          ],
        },
        'sequence.schedules.1.milestones.1: must be ≥ the previous milestone (3), got 1',
      ],
      [{ type: 'scale', factor: 2, schedule: 3 }, 'scale.schedule: expected a schedule config (an object with a string `type`), got 3'],
      [{ type: 'clamp', min: 0, schedule: { value: 1 } }, 'clamp.schedule: expected a schedule config (an object with a string `type`), got an object'],
      [[], 'schedule: expected a schedule config (an object with a string `type`), got an array'],
    ];
    for (const [config, message] of cases) {
      expect(() => fromJSON(config as ScheduleConfig)).toThrowError(expect.objectContaining({ code: 'QT_INVALID_SCHEDULE', message }));
    }
  });

  it('rejects an unknown type, listing the registered names', () => {
    const names = defaultScheduleRegistry.names().join(', ');
    expect(() => fromJSON({ type: 'cosin', start: 1, steps: 1 } as unknown as ScheduleConfig)).toThrowError(
      expect.objectContaining({ code: 'QT_UNKNOWN_SCHEDULE', message: `schedule.type: unknown schedule "cosin"; registered: ${names}` }),
    );
    expect(() => fromJSON({ type: 'product', schedules: [{ type: 'nope' }] } as unknown as ScheduleConfig)).toThrowError(
      expect.objectContaining({
        code: 'QT_UNKNOWN_SCHEDULE',
        message: expect.stringMatching(/^product\.schedules\.0\.type: unknown schedule "nope"; registered: clamp, constant, /),
      }),
    );
    expect(() => fromJSON({ type: 'constant', value: 1 }, createScheduleRegistry({ builtins: false }))).toThrowError(
      'schedule.type: unknown schedule "constant"; registered: (none)',
    );
  });
});
