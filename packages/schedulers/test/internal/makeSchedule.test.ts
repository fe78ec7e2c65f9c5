import { describe, expect, it } from 'vitest';
import { constant, cosine, fromJSON, quantTrimCurriculum } from '../../src/index.js';

describe('schedule.at(step)', () => {
  const schedules = [
    constant({ value: 1 }),
    cosine({ start: 1, steps: 10 }),
    quantTrimCurriculum({ totalSteps: 10 }),
    fromJSON({ type: 'constant', value: 2 }),
  ];

  it.each([
    [Number.NaN, 'expected a finite number, got NaN'],
    [Number.POSITIVE_INFINITY, 'expected a finite number, got Infinity'],
    ['3', 'expected a finite number, got string'],
    [-1, 'must be ≥ 0 (schedules start at step 0), got -1'],
    [-1e-9, 'must be ≥ 0 (schedules start at step 0), got -1e-9'],
  ])('rejects %s with QT_INVALID_ARGUMENT', (step, problem) => {
    for (const schedule of schedules) {
      expect(() => schedule.at(step as number)).toThrowError(
        expect.objectContaining({ code: 'QT_INVALID_ARGUMENT', message: `argument \`step\` of \`${schedule.type}.at\`: ${problem}` }),
      );
    }
  });

  it('accepts 0 and fractional steps', () => {
    for (const schedule of schedules) {
      expect(Number.isFinite(schedule.at(0))).toBe(true);
      expect(Number.isFinite(schedule.at(2.5))).toBe(true);
    }
  });
});
