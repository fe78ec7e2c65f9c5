import { describe, expect, it, vi } from 'vitest';
import { constant, createScheduleRegistry, defineSchedule, fromJSON } from '../src/index.js';
import type { ScheduleConfig } from '../src/index.js';

const sineWave = defineSchedule<{ period: number; amplitude?: number }>({
  name: 'sineWave',
  validate: (params) => (typeof params.period === 'number' && params.period > 0 ? undefined : 'period: must be a number > 0'),
  create: ({ period, amplitude = 1 }) => ({ at: (step) => amplitude * Math.sin((2 * Math.PI * step) / period) }),
});

/** A plugin that wraps another schedule, to show nesting through `context.build`. */
const delayed = defineSchedule<{ schedule: unknown; by: number }>({
  name: 'delayed',
  create: (params, context) => {
    const inner = context.build(params.schedule, 'schedule');
    return { at: (step) => (step < params.by ? inner.at(0) : inner.at(step - params.by)) };
  },
});

const registry = createScheduleRegistry();
registry.register(sineWave);
registry.register(delayed);
const config = (json: object) => json as ScheduleConfig;

describe('defineSchedule', () => {
  it('returns the definition unchanged and registers nothing', () => {
    const definition = { name: 'once', create: () => ({ at: () => 1 }) };
    expect(defineSchedule(definition)).toBe(definition);
    expect(createScheduleRegistry().has('once')).toBe(false);
  });

  it.each([
    [null, 'defineSchedule: expected an object, got null'],
    [{ create: () => ({ at: () => 1 }) }, 'defineSchedule: expected a non-empty string `name`'],
    [{ name: 'x' }, 'defineSchedule: schedule "x": `create` must be a function'],
    [{ name: 'x', create: () => ({ at: () => 1 }), validate: 1 }, 'defineSchedule: schedule "x": `validate` must be a function when given'],
  ])('rejects a malformed definition with QT_INVALID_PLUGIN (%#)', (definition, message) => {
    expect(() => defineSchedule(definition as never)).toThrowError(expect.objectContaining({ code: 'QT_INVALID_PLUGIN', message }));
  });

  it('builds from params without `type` and serialises back to its config', () => {
    const create = vi.fn(sineWave.create);
    const spy = createScheduleRegistry();
    spy.register({ ...sineWave, create });
    const wave = fromJSON(config({ type: 'sineWave', period: 100, amplitude: 2 }), spy);
    expect(create).toHaveBeenCalledWith({ period: 100, amplitude: 2 }, expect.objectContaining({ path: 'sineWave' }));
    expect(wave.type).toBe('sineWave');
    expect(wave.at(25)).toBeCloseTo(2, 12);
    expect(wave.toJSON()).toEqual({ type: 'sineWave', period: 100, amplitude: 2 });
  });

  it('prefixes validate() messages with the dotted path', () => {
    expect(() => fromJSON(config({ type: 'sineWave', period: 0 }), registry)).toThrowError(
      expect.objectContaining({ code: 'QT_INVALID_SCHEDULE', message: 'sineWave.period: must be a number > 0' }),
    );
    expect(() => fromJSON(config({ type: 'warmup', steps: 3, schedule: { type: 'sineWave' } }), registry)).toThrowError(
      'warmup.schedule.period: must be a number > 0',
    );
  });

  it('nests schedules through context.build, with paths and round trip', () => {
    const json = { type: 'delayed', by: 10, schedule: { type: 'linear', start: 0, end: 1, steps: 10 } };
    const schedule = fromJSON(config(json), registry);
    expect([schedule.at(0), schedule.at(10), schedule.at(15), schedule.at(30)]).toEqual([0, 0, 0.5, 1]);
    expect(schedule.toJSON()).toEqual(json);
    expect(() => fromJSON(config({ ...json, schedule: { type: 'linear', start: 0, end: 1 } }), registry)).toThrowError(
      'delayed.schedule.steps: expected a finite number, got undefined',
    );
  });

  it('keeps a snapshot of its params, serialising schedules given as objects', () => {
    const params = { type: 'delayed', by: 1, schedule: constant({ value: 3 }) };
    const schedule = fromJSON(config(params), registry);
    params.by = 100;
    expect(schedule.toJSON()).toEqual({ type: 'delayed', by: 1, schedule: { type: 'constant', value: 3 } });
  });

  it('checks the step before the plugin sees it, and the value it returns', () => {
    const at = vi.fn((step: number) => (step > 5 ? Number.NaN : step));
    const local = createScheduleRegistry();
    local.register(defineSchedule({ name: 'broken', create: () => ({ at }) }));
    const broken = fromJSON(config({ type: 'broken' }), local);
    expect(() => broken.at(-1)).toThrowError(expect.objectContaining({ code: 'QT_INVALID_ARGUMENT' }));
    expect(at).not.toHaveBeenCalled();
    expect(broken.at(2)).toBe(2);
    expect(() => broken.at(6)).toThrowError(
      expect.objectContaining({ code: 'QT_INVALID_PLUGIN', message: 'schedule "broken": at(6) returned NaN; expected a finite number' }),
    );
  });

  it('rejects a create() that returns no evaluator', () => {
    const local = createScheduleRegistry();
    // @ts-expect-error: an evaluator without at() is refused at run time
    local.register(defineSchedule({ name: 'empty', create: () => ({}) }));
    expect(() => fromJSON(config({ type: 'empty' }), local)).toThrowError(
      expect.objectContaining({
        code: 'QT_INVALID_PLUGIN',
        message: 'schedule "empty": create() must return an object with an at(step) method, got an object',
      }),
    );
  });
});
