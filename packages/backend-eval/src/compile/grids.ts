import { QuantTrimError } from '@quant-trim/errors';
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
  new QuantTrimError({
    code: 'QT_INVALID_ARGUMENT',
    message: `\`compileForBackend\` (${profileId}): ${field}: ${message}`,
    details: { profile: profileId, field },
  });

/** The Q/DQ storage type of a grid: 4, 8 or 16 bits (a `reduced` grid keeps its 8-bit container). */
export function storageFor(grid: TensorGrid, signed: boolean, profileId: string, field: string): Storage {
  const storage = STORAGE[`${signed ? 's' : 'u'}${grid.bits}`];
  if (storage === undefined) throw unsupported(profileId, field, `${grid.bits}-bit grids have no ONNX Q/DQ type (4, 8 or 16 bits)`);
  return storage;
}

/**
 * The quant-grid scheme of a profile grid. `unsignedIfNonNeg` becomes unsigned symmetric when
 * `observedMin ≥ 0`, signed symmetric otherwise. `reduced` is one bit less (7-bit codes in 8-bit
 * storage: int8 [−64, 63], uint8 [0, 127]). An explicit `[qmin, qmax]` keeps the grid's storage and
 * restricts the codes to that range (symmetric grids then take s = max|x| / qmax).
 */
export function schemeFor(
  grid: TensorGrid,
  granularity: Granularity,
  observedMin: number,
  profileId: string,
  field: string,
): { scheme: QuantScheme; storage: Storage } {
  const unsignedSym = grid.symmetric === 'unsignedIfNonNeg';
  const signed = unsignedSym ? !(observedMin >= 0) : grid.signed;
  const storage = storageFor(grid, signed, profileId, field);
  const scheme = createScheme({
    bits: grid.range === 'reduced' ? grid.bits - 1 : grid.bits,
    signed,
    symmetric: grid.symmetric !== false,
    narrowRange: grid.range === 'narrow',
    granularity,
    rounding: grid.rounding,
    scaleConstraint: grid.scale === 'pow2' ? 'pow2' : 'float',
  });
  if (typeof grid.range === 'string') return { scheme, storage };
  const [qmin, qmax] = grid.range;
  if (qmin < scheme.qmin || qmax > scheme.qmax || qmin >= qmax || (grid.symmetric !== false && (qmin > 0 || qmax <= 0))) {
    throw unsupported(
      profileId,
      `${field}.range`,
      `[${qmin}, ${qmax}] does not fit the ${signed ? 'signed' : 'unsigned'} ${grid.bits}-bit grid [${scheme.qmin}, ${scheme.qmax}]${grid.symmetric !== false ? ' with 0 inside' : ''}`,
    );
  }
  return { scheme: Object.freeze({ ...scheme, qmin, qmax }), storage };
}
