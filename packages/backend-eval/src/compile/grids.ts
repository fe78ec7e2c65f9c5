import { QuantTrimError } from '@quant-trim/internal';
import { createScheme, type Granularity, type QuantScheme } from '@quant-trim/quant-grid';
import type { TensorGrid } from '../profiles/types.js';

/** ONNX Q/DQ storage of one grid: TensorProto type, typed-array constructor, minimum opset. */
export interface Storage {
  readonly elemType: 'uint8' | 'int8' | 'uint16' | 'int16' | 'uint4' | 'int4';
  readonly dataType: number;
  readonly ctor: Int8ArrayConstructor | Uint8ArrayConstructor | Int16ArrayConstructor | Uint16ArrayConstructor;
  readonly opset: number;
}

const STORAGE: Record<string, Storage> = {
  u4: { elemType: 'uint4', dataType: 21, ctor: Uint8Array, opset: 21 },
  s4: { elemType: 'int4', dataType: 22, ctor: Int8Array, opset: 21 },
  u8: { elemType: 'uint8', dataType: 2, ctor: Uint8Array, opset: 13 },
  s8: { elemType: 'int8', dataType: 3, ctor: Int8Array, opset: 13 },
  u16: { elemType: 'uint16', dataType: 4, ctor: Uint16Array, opset: 21 },
  s16: { elemType: 'int16', dataType: 5, ctor: Int16Array, opset: 21 },
};

const unsupported = (profileId: string, field: string, message: string): QuantTrimError =>
  new QuantTrimError({ code: 'QT_INVALID_ARGUMENT', message: `\`compileForBackend\` (${profileId}): ${field}: ${message}`, details: { profile: profileId, field } });

/** The Q/DQ storage type of a grid: 4, 8 or 16 bits (a `reduced` grid keeps its 8-bit container). */
export function storageFor(grid: TensorGrid, signed: boolean, profileId: string, field: string): Storage {
  const storage = STORAGE[`${signed ? 's' : 'u'}${grid.bits}`];
  if (storage === undefined) throw unsupported(profileId, field, `${grid.bits}-bit grids have no ONNX Q/DQ type (4, 8 or 16 bits)`);
  return storage;
}

/**
 * The quant-grid scheme of a profile grid. `unsignedIfNonNeg` becomes unsigned symmetric when
 * `observedMin ≥ 0`, signed symmetric otherwise. `reduced` is one bit less (7-bit codes in 8-bit
 * storage: int8 [−64, 63], uint8 [0, 127]). Explicit `[qmin, qmax]` ranges and per-group grids are
 * not handled by this compiler yet and throw `QT_INVALID_ARGUMENT`.
 */
export function schemeFor(grid: TensorGrid, granularity: Granularity, observedMin: number, profileId: string, field: string): { scheme: QuantScheme; storage: Storage } {
  if (typeof grid.range !== 'string') throw unsupported(profileId, `${field}.range`, 'explicit [qmin, qmax] ranges are not supported by compileForBackend yet');
  const unsignedSym = grid.symmetric === 'unsignedIfNonNeg';
  const signed = unsignedSym ? !(observedMin >= 0) : grid.signed;
  const scheme = createScheme({
    bits: grid.range === 'reduced' ? grid.bits - 1 : grid.bits,
    signed,
    symmetric: grid.symmetric !== false,
    narrowRange: grid.range === 'narrow',
    granularity,
    rounding: grid.rounding,
    scaleConstraint: grid.scale === 'pow2' ? 'pow2' : 'float',
  });
  return { scheme, storage: storageFor(grid, signed, profileId, field) };
}
