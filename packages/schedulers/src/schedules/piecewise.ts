import { defineBuiltin, definitionOf } from '../internal/defineBuiltin.js';
import { makeSchedule } from '../internal/makeSchedule.js';
import { show } from '../internal/ParamReader.js';
import type { Schedule, ScheduleConfig } from '../types.js';

/** A breakpoint: the value the schedule takes at that step. */
export type PiecewisePoint = readonly [step: number, value: number];

export interface PiecewiseOptions {
  /** At least one point; steps ≥ 0 and strictly increasing. */
  points: readonly PiecewisePoint[];
}

const builtin = defineBuiltin('piecewise', ['points'], (read) => {
  const points: PiecewisePoint[] = [];
  read.array('points', 1).forEach((point, i) => {
    const pair: readonly unknown[] =
      Array.isArray(point) && point.length === 2 ? point : read.fail(`points.${i}`, `expected a [step, value] pair, got ${show(point)}`);
    const previous = points[i - 1];
    const at = read.check(`points.${i}.0`, pair[0], { min: 0 });
    if (previous !== undefined && at <= previous[0]) {
      read.fail(`points.${i}.0`, `must be > the previous point's step (${previous[0]}), got ${at}`);
    }
    points.push([at, read.check(`points.${i}.1`, pair[1])]);
  });
  return makeSchedule(
    'piecewise',
    () => ({ type: 'piecewise', points: points.map(([at, value]) => [at, value] as const) }),
    (at) => interpolate(points, at),
  );
});

function interpolate(points: readonly PiecewisePoint[], at: number): number {
  let [x0, y0] = points[0] as PiecewisePoint;
  if (at <= x0) return y0;
  for (const [x1, y1] of points) {
    if (at <= x1) return y0 + ((y1 - y0) * (at - x0)) / (x1 - x0);
    [x0, y0] = [x1, y1];
  }
  return y0;
}

/**
 * Straight lines between `[step, value]` points, holding the first value before the first point
 * and the last value after the last. Strictly increasing steps keep it continuous; use
 * `sequence` or `multistep` when a jump is wanted.
 *
 * @example
 * const lambda = piecewise({ points: [[100, 0], [500, 0.25], [850, 1]] });
 * lambda.at(0); // 0
 * lambda.at(300); // 0.125
 * lambda.at(900); // 1
 */
export function piecewise(options: PiecewiseOptions): Schedule<ScheduleConfig<'piecewise'>> {
  return builtin.create(options);
}

/** @internal */
export const piecewiseDefinition = /* @__PURE__ */ definitionOf(builtin);
