import { ROUNDING_MODES } from '@quant-trim/quant-grid';
import { array, boolean, fail, integer, integerIn, isObject, object, oneOf, show } from './checks.js';
import type { ProfileGranularity, ProfileRange, TensorGrid } from './types.js';

export const WEIGHT_BITS: readonly number[] = [4, 8, 16];
export const ACTIVATION_BITS: readonly number[] = [8, 16];

const GRID_FIELDS = ['bits', 'signed', 'symmetric', 'range', 'granularity', 'scale', 'rounding'] as const;

/** The storage range of a `bits`-wide integer. */
export function storageRange(bits: number, signed: boolean): [number, number] {
  return signed ? [-(2 ** (bits - 1)), 2 ** (bits - 1) - 1] : [0, 2 ** bits - 1];
}

function granularity(value: unknown, path: string): ProfileGranularity {
  if (value === 'per-tensor') return 'per-tensor';
  if (!isObject(value)) fail(path, `expected 'per-tensor', { kind: 'per-channel' } or { kind: 'per-group', size }, got ${show(value)}`);
  const kind = oneOf(value.kind, `${path}.kind`, ['per-channel', 'per-group']);
  if (kind === 'per-channel') {
    object(value, path, ['kind']);
    return { kind };
  }
  object(value, path, ['kind', 'size']);
  return { kind, size: integer(value.size, `${path}.size`, 1, 2 ** 20) };
}

function range(value: unknown, path: string, bits: number, signed: boolean): ProfileRange {
  if (typeof value === 'string') {
    const named = oneOf(value, path, ['full', 'narrow', 'reduced']);
    if (named === 'narrow' && !signed) fail(path, "'narrow' drops the most negative code of a signed grid; got signed: false");
    if (named === 'reduced' && bits !== 8) fail(path, `'reduced' means 7-bit codes in 8-bit storage; got bits ${bits}`);
    return named;
  }
  const pair = array(value, path);
  if (pair.length !== 2) fail(path, `expected 'full', 'narrow', 'reduced' or [qmin, qmax], got ${show(value)}`);
  const [lo, hi] = storageRange(bits, signed);
  const qmin = integer(pair[0], `${path}.0`, lo, hi);
  const qmax = integer(pair[1], `${path}.1`, lo, hi);
  if (qmin >= qmax) fail(path, `expected qmin < qmax, got [${qmin}, ${qmax}]`);
  return [qmin, qmax];
}

/** Validates one tensor grid; `bits` lists the widths allowed for this tensor kind. */
export function validateGrid(value: unknown, path: string, bitChoices: readonly number[]): TensorGrid {
  const input = object(value, path, GRID_FIELDS);
  const bits = integerIn(input.bits, `${path}.bits`, bitChoices);
  const signed = boolean(input.signed, `${path}.signed`);
  const symmetric = input.symmetric === 'unsignedIfNonNeg' ? 'unsignedIfNonNeg' : boolean(input.symmetric, `${path}.symmetric`);
  if (symmetric === 'unsignedIfNonNeg' && !signed) {
    fail(`${path}.symmetric`, "'unsignedIfNonNeg' is a signed symmetric grid that turns unsigned when min >= 0; set signed: true");
  }
  return {
    bits,
    signed,
    symmetric,
    range: range(input.range, `${path}.range`, bits, signed),
    granularity: granularity(input.granularity, `${path}.granularity`),
    scale: oneOf(input.scale, `${path}.scale`, ['float32', 'pow2']),
    rounding: oneOf(input.rounding, `${path}.rounding`, ROUNDING_MODES),
  };
}

/** The integer codes a grid can hold, for checks such as fixed output zero points. */
export function gridCodes(grid: TensorGrid): [number, number] {
  if (Array.isArray(grid.range)) return [grid.range[0], grid.range[1]];
  const [lo, hi] = storageRange(grid.bits, grid.signed);
  // An 'unsignedIfNonNeg' grid may also hold the unsigned codes [0, 2^b - 1].
  const top = grid.symmetric === 'unsignedIfNonNeg' ? 2 ** grid.bits - 1 : hi;
  if (grid.range === 'narrow') return [lo + 1, top];
  if (grid.range === 'reduced') return grid.signed ? [-64, 63] : [0, 127];
  return [lo, top];
}
