/**
 * Type-level tests, checked by `npm run typecheck` (tsc over src, tests included): every
 * `@ts-expect-error` line must be an error, or tsc fails. It also runs under vitest, as a plugin
 * package would use this package: through its public name, with a declaration-merged name.
 */
import { describe, expect, expectTypeOf, it } from 'vitest';
import { cosine, createScheduleRegistry, defineSchedule, fromJSON, quantTrimCurriculum, warmup } from '@quant-trim/schedulers';
import type { BuiltinScheduleName, Schedule, ScheduleConfig, ScheduleName } from '@quant-trim/schedulers';

interface SineWaveParams {
  period: number;
  amplitude?: number;
}

declare module '@quant-trim/schedulers' {
  interface ScheduleRegistry {
    sineWave: SineWaveParams;
  }
}

const sineWave = defineSchedule<SineWaveParams>({
  name: 'sineWave',
  create: ({ period, amplitude = 1 }) => ({ at: (step) => amplitude * Math.sin((2 * Math.PI * step) / period) }),
});

describe('typed schedule names', () => {
  it('adds an augmented plugin name to ScheduleName and ScheduleConfig', () => {
    expectTypeOf<ScheduleName>().toEqualTypeOf<BuiltinScheduleName | 'sineWave'>();
    const config: ScheduleConfig = { type: 'warmup', steps: 10, schedule: { type: 'sineWave', period: 40 } };
    const registry = createScheduleRegistry();
    registry.register(sineWave);
    const schedule = fromJSON(config, registry);
    expect([schedule.at(5), schedule.at(10)]).toEqual([expect.closeTo(0.5, 12), expect.closeTo(1, 12)]);
    expect(fromJSON(schedule.toJSON(), registry).at(7)).toBe(schedule.at(7));
  });

  it('rejects unknown names, wrong params and unknown fields at compile time', () => {
    const configs: ScheduleConfig[] = [
      // @ts-expect-error: not a registered name
      { type: 'sinWave', period: 10 },
      // @ts-expect-error: period must be a number
      { type: 'sineWave', period: '10' },
      // @ts-expect-error: cosine needs `steps`
      { type: 'cosine', start: 1 },
      // @ts-expect-error: `edn` is not a cosine param
      { type: 'cosine', start: 1, steps: 10, edn: 0 },
      // @ts-expect-error: nested configs are checked too
      { type: 'warmup', steps: 10, schedule: { type: 'linear', start: 0, end: 1 } },
    ];
    expect(configs).toHaveLength(5);
    expect(() => fromJSON(configs[0] as ScheduleConfig)).toThrowError(/unknown schedule "sinWave"/);
  });

  it('types factories: built schedules in options, typed JSON out', () => {
    const lr = cosine({ start: 0.1, steps: 100 });
    expectTypeOf(lr).toExtend<Schedule>();
    expectTypeOf(lr.toJSON()).toEqualTypeOf<ScheduleConfig<'cosine'>>();
    expectTypeOf(lr.toJSON().type).toEqualTypeOf<'cosine'>();
    // @ts-expect-error: factories take schedules, not configs (fromJSON builds configs)
    expect(() => warmup({ schedule: { type: 'cosine', start: 0.1, steps: 100 }, steps: 10 })).toThrowError(/warmup\.schedule: expected a schedule/);
    // @ts-expect-error: unit is 'fraction' or 'steps'
    expect(() => quantTrimCurriculum({ totalSteps: 100, unit: 'percent' })).toThrowError(/unit/);
  });
});
