import { fromJSON, type ScheduleConfig } from '@quant-trim/schedulers';
import { errorCode } from '@quant-trim/test-utils';
import { describe, expect, it } from 'vitest';
import { constantSparsity } from '../../src/magnitude/constantSparsity.js';
import { polynomialSparsity } from '../../src/magnitude/polynomialSparsity.js';

/** TFMOT's PolynomialDecay sparsity, with 0 before begin_step (no pruning there). */
function tfmot(step: number, o: { initial: number; final: number; beginStep: number; endStep: number; power: number }): number {
  if (step < o.beginStep) return 0;
  const p = Math.min(1, Math.max(0, (step - o.beginStep) / (o.endStep - o.beginStep)));
  return o.final + (o.initial - o.final) * (1 - p) ** o.power;
}

const roundTrip = (s: { toJSON(): unknown }) => fromJSON(JSON.parse(JSON.stringify(s)) as ScheduleConfig);

describe('polynomialSparsity', () => {
  it("matches TFMOT's PolynomialDecay at sample steps and round-trips through JSON", () => {
    for (const o of [
      { initial: 0, final: 0.8, beginStep: 100, endStep: 1100, power: 3 },
      { initial: 0.2, final: 0.9, beginStep: 0, endStep: 500, power: 2 },
      { initial: 0.5, final: 0.5, beginStep: 10, endStep: 20, power: 1 },
    ]) {
      const schedule = polynomialSparsity(o);
      const again = roundTrip(schedule);
      expect(again.toJSON()).toEqual(schedule.toJSON());
      for (const step of [0, 50, 99, 100, 101, 350, 600, 1099, 1100, 5000]) {
        expect(schedule.at(step)).toBeCloseTo(tfmot(step, o), 12);
        expect(again.at(step)).toBe(schedule.at(step));
      }
    }
  });

  it('defaults power to 3 and is built from built-in schedules only', () => {
    const schedule = polynomialSparsity({ initial: 0, final: 0.8, beginStep: 1000, endStep: 5000 });
    expect(schedule.at(3000)).toBeCloseTo(0.7, 12);
    expect(JSON.stringify(schedule)).toBe(
      '{"type":"sequence","schedules":[{"type":"constant","value":0},{"type":"polynomial","start":0,"end":0.8,"steps":4000,"power":3}],"boundaries":[1000]}',
    );
  });

  it('with frequency, holds the value between update steps begin + k·frequency', () => {
    const o = { initial: 0.1, final: 0.7, beginStep: 20, endStep: 120, power: 3 };
    const schedule = polynomialSparsity({ ...o, frequency: 30 });
    expect(roundTrip(schedule).toJSON()).toEqual(schedule.toJSON());
    for (let step = 0; step <= 200; step += 1) {
      const update = step < 20 ? step : 20 + 30 * Math.floor((Math.min(step, 120) - 20) / 30);
      expect(schedule.at(step)).toBeCloseTo(tfmot(update, o), 12);
    }
    // 100 steps is not a multiple of 30: as in TFMOT the last update is at step 110, below final.
    expect(schedule.at(1000)).toBeLessThan(0.7);
    expect(polynomialSparsity({ ...o, frequency: 25 }).at(1000)).toBeCloseTo(0.7, 12);
  });

  it('rejects bad options with QT_INVALID_SCHEDULE', () => {
    const base = { initial: 0, final: 0.5, beginStep: 0, endStep: 10 };
    expect(errorCode(() => polynomialSparsity({ ...base, final: 1.2 }))).toBe('QT_INVALID_SCHEDULE');
    expect(errorCode(() => polynomialSparsity({ ...base, endStep: 0 }))).toBe('QT_INVALID_SCHEDULE');
    expect(errorCode(() => polynomialSparsity({ ...base, beginStep: -1 }))).toBe('QT_INVALID_SCHEDULE');
    expect(errorCode(() => polynomialSparsity({ ...base, power: 0 }))).toBe('QT_INVALID_SCHEDULE');
    expect(errorCode(() => polynomialSparsity({ ...base, frequency: 0.5 }))).toBe('QT_INVALID_SCHEDULE');
  });
});

describe('constantSparsity', () => {
  it('is 0 before beginStep, then the value, and round-trips through JSON', () => {
    const delayed = constantSparsity(0.5, { beginStep: 200 });
    expect([0, 199, 200, 10_000].map((t) => delayed.at(t))).toEqual([0, 0, 0.5, 0.5]);
    expect(roundTrip(delayed).toJSON()).toEqual(delayed.toJSON());
    expect(constantSparsity(0.3).toJSON()).toEqual({ type: 'constant', value: 0.3 });
    expect(errorCode(() => constantSparsity(-0.1))).toBe('QT_INVALID_SCHEDULE');
    expect(errorCode(() => constantSparsity(0.5, { beginStep: NaN }))).toBe('QT_INVALID_SCHEDULE');
  });
});
