import { QuantTrimError } from '@quant-trim/errors';
import type { TrimCriterion, TrimGradient, TrimGranularity, TrimOperation } from './types.js';

const fmt = (v: unknown): string => (typeof v === 'string' ? JSON.stringify(v) : typeof v === 'object' && v !== null ? JSON.stringify(v) : String(v));

function invalid(
  fn: string,
  arg: string,
  expected: string,
  got: unknown,
  code: 'QT_INVALID_ARGUMENT' | 'QT_INVALID_GRANULARITY' = 'QT_INVALID_ARGUMENT',
): never {
  throw new QuantTrimError({ code, message: `argument \`${arg}\` of \`${fn}\`: expected ${expected}, got ${fmt(got)}`, details: { argument: arg } });
}

/**
 * Validates a trim criterion at a public boundary, so internals can trust it. Errors name the
 * field: "argument `options.criterion.p` of `trimThresholds`: expected a number in [0, 1), got 1".
 *
 * @example
 * checkCriterion({ kind: 'sigma', k: 4 }, 'trimThresholds', 'options.criterion');
 */
export function checkCriterion(c: unknown, fn: string, arg: string): TrimCriterion {
  if (typeof c !== 'object' || c === null) invalid(fn, arg, "{ kind: 'quantile' | 'sigma' | 'median-ratio', ... }", c);
  const kind = (c as { kind?: unknown }).kind;
  if (kind === 'quantile') {
    const p = (c as { p?: unknown }).p;
    if (typeof p !== 'number' || !(p >= 0 && p < 1)) invalid(fn, `${arg}.p`, 'a number in [0, 1)', p);
    return { kind, p };
  }
  if (kind === 'sigma') {
    const k = (c as { k?: unknown }).k;
    if (typeof k !== 'number' || !Number.isFinite(k) || k <= 0) invalid(fn, `${arg}.k`, 'a finite number > 0', k);
    return { kind, k };
  }
  if (kind === 'median-ratio') {
    const ratio = (c as { ratio?: unknown }).ratio;
    if (typeof ratio !== 'number' || !Number.isFinite(ratio) || ratio <= 0) invalid(fn, `${arg}.ratio`, 'a finite number > 0', ratio);
    return { kind, ratio };
  }
  return invalid(fn, `${arg}.kind`, "'quantile', 'sigma' or 'median-ratio'", kind);
}

/** Validates a granularity's form (axis ranges are checked against the shape later). */
export function checkGranularity(g: unknown, fn: string, arg: string): TrimGranularity {
  if (g === undefined) return { kind: 'per-tensor' };
  if (typeof g !== 'object' || g === null) invalid(fn, arg, "{ kind: 'per-tensor' | 'per-channel' | 'per-group', ... }", g, 'QT_INVALID_GRANULARITY');
  const { kind, axis, groupSize } = g as { kind?: unknown; axis?: unknown; groupSize?: unknown };
  if (kind === 'per-tensor') return { kind };
  if (kind !== 'per-channel' && kind !== 'per-group') invalid(fn, `${arg}.kind`, "'per-tensor', 'per-channel' or 'per-group'", kind, 'QT_INVALID_GRANULARITY');
  if (!Number.isInteger(axis)) invalid(fn, `${arg}.axis`, 'an integer', axis, 'QT_INVALID_GRANULARITY');
  if (kind === 'per-channel') return { kind, axis: axis as number };
  if (!Number.isInteger(groupSize) || (groupSize as number) < 1) invalid(fn, `${arg}.groupSize`, 'an integer ≥ 1', groupSize, 'QT_INVALID_GRANULARITY');
  return { kind, axis: axis as number, groupSize: groupSize as number };
}

/** Validates `operation` (default 'clamp'). */
export function checkOperation(op: unknown, fn: string, arg: string): TrimOperation {
  if (op === undefined) return 'clamp';
  if (op !== 'clamp' && op !== 'zero') invalid(fn, arg, "'clamp' or 'zero'", op);
  return op;
}

/** Validates `gradient` (default 'straight-through'). */
export function checkGradient(g: unknown, fn: string, arg: string): TrimGradient {
  if (g === undefined) return 'straight-through';
  if (g !== 'straight-through' && g !== 'masked') invalid(fn, arg, "'straight-through' or 'masked'", g);
  return g;
}

/** Validates that `w` is a Float32Array whose length matches `shape`. */
export function checkData(w: unknown, shape: unknown, fn: string, arg = 'w'): void {
  if (!(w instanceof Float32Array)) invalid(fn, arg, 'a Float32Array', (w as object | undefined)?.constructor?.name ?? w);
  if (!Array.isArray(shape) || shape.some((d) => !Number.isInteger(d) || d < 0)) invalid(fn, 'shape', 'an array of non-negative integers', shape);
  const size = (shape as number[]).reduce((a, b) => a * b, 1);
  if (size !== w.length) {
    throw new QuantTrimError({
      code: 'QT_SHAPE_MISMATCH',
      message: `argument \`${arg}\` of \`${fn}\`: shape [${(shape as number[]).join(', ')}] holds ${size} elements but the data has ${w.length}`,
      details: { argument: arg },
    });
  }
}
