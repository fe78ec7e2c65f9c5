import { isQuantTrimError } from '@quant-trim/errors';
import { describe, expect, it } from 'vitest';
import { createScheduleRegistry, defaultScheduleRegistry, defineSchedule, fromJSON, registerBuiltinSchedules } from '../src/index.js';
import type { BuiltinScheduleName, ScheduleConfig } from '../src/index.js';

const builtinNames: BuiltinScheduleName[] = [
  'clamp',
  'constant',
  'cosine',
  'exponential',
  'linear',
  'multistep',
  'piecewise',
  'polynomial',
  'product',
  'quantTrimCurriculum',
  'scale',
  'sequence',
  'step',
  'warmup',
];

const halfConfig = { type: 'half' } as unknown as ScheduleConfig;
const makeHalf = () => defineSchedule({ name: 'half', create: () => ({ at: () => 0.5 }) });

function thrown(fn: () => unknown): unknown {
  try {
    fn();
  } catch (error) {
    return error;
  }
  throw new Error('expected a throw');
}

describe('createScheduleRegistry', () => {
  it('holds every built-in, or none when asked', () => {
    expect(createScheduleRegistry().names()).toEqual(builtinNames);
    expect(defaultScheduleRegistry.names()).toEqual(builtinNames);
    expect(createScheduleRegistry({ builtins: false }).names()).toEqual([]);
  });

  it('registering the same definition twice does nothing', () => {
    const registry = createScheduleRegistry();
    const half = makeHalf();
    registry.register(half);
    expect(registry.register(half)).toBe(half);
    registerBuiltinSchedules(registry);
    expect(registry.names()).toEqual([...builtinNames, 'half'].sort());
  });

  it('a different definition under a taken name throws QT_DUPLICATE_NAME unless override', () => {
    const registry = createScheduleRegistry();
    registry.register(makeHalf());
    const error = thrown(() => registry.register(makeHalf()));
    expect(isQuantTrimError(error, 'QT_DUPLICATE_NAME')).toBe(true);
    expect((error as Error).message).toBe('schedule "half" is already registered with a different definition; pass { override: true } to replace it');

    const cosineClash = defineSchedule({ name: 'cosine', create: () => ({ at: () => 7 }) });
    expect(
      isQuantTrimError(
        thrown(() => registry.register(cosineClash)),
        'QT_DUPLICATE_NAME',
      ),
    ).toBe(true);
    registry.register(cosineClash, { override: true });
    expect(fromJSON({ type: 'cosine', start: 1, steps: 10 }, registry).at(3)).toBe(7);
    expect(fromJSON({ type: 'cosine', start: 1, steps: 10 }).at(10)).toBe(0);
  });

  it('keeps registries isolated from each other and from the default one', () => {
    const a = createScheduleRegistry();
    const b = createScheduleRegistry();
    a.register(makeHalf());
    expect(fromJSON(halfConfig, a).at(1)).toBe(0.5);
    expect(
      isQuantTrimError(
        thrown(() => fromJSON(halfConfig, b)),
        'QT_UNKNOWN_SCHEDULE',
      ),
    ).toBe(true);
    expect(defaultScheduleRegistry.has('half')).toBe(false);
  });

  it('an unknown name lists the registered ones', () => {
    const registry = createScheduleRegistry({ builtins: false });
    registry.register(makeHalf());
    const error = thrown(() => registry.get('missing'));
    expect(isQuantTrimError(error, 'QT_UNKNOWN_SCHEDULE')).toBe(true);
    expect((error as Error).message).toBe('unknown schedule "missing"; registered: half');
  });
});
