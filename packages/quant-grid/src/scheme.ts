import { QuantTrimError } from '@quant-trim/errors';

/** Tie rule of the rounding step `R` in `clip(R(x / s) + z, qmin, qmax)`. */
export type RoundingMode = 'half-even' | 'half-away' | 'half-up' | 'floor';

/** `float`: any positive float32 scale. `pow2`: s = 2^e with integer e (Vitis-style), rounded up so nothing extra clips. */
export type ScaleConstraint = 'float' | 'pow2';

/**
 * Which elements share one (scale, zero point):
 * - `per-tensor`: all of them;
 * - `per-channel`: each index along `axis` (negative axes count from the end);
 * - `per-group`: blocks of `groupSize` consecutive indices along `axis` (the last block may be
 *   shorter), laid out like ONNX blocked quantization: the parameter tensor has the data's rank
 *   with `ceil(dim[axis] / groupSize)` at `axis`.
 */
export type Granularity =
  | { readonly kind: 'per-tensor' }
  | { readonly kind: 'per-channel'; readonly axis: number }
  | { readonly kind: 'per-group'; readonly axis: number; readonly groupSize: number };

export const ROUNDING_MODES: readonly RoundingMode[] = ['half-even', 'half-away', 'half-up', 'floor'];
export const SCALE_CONSTRAINTS: readonly ScaleConstraint[] = ['float', 'pow2'];

/** The smallest scale ever produced (float32 machine epsilon, as PyTorch's observers use). */
export const DEFAULT_MIN_SCALE = 1.1920928955078125e-7;

/** What a user writes; every field has a default (int8, signed, symmetric, per-tensor, half-even, float scale). */
export interface SchemeOptions {
  /** Integer width, 2..16. Default 8. */
  bits?: number;
  /** Signed storage (two's complement) or unsigned. Default true. */
  signed?: boolean;
  /** Zero point fixed at 0 (symmetric) or free (asymmetric / affine). Default true. */
  symmetric?: boolean;
  /** Drop the most negative code of a signed grid ([-127, 127] at 8 bits). Default false. */
  narrowRange?: boolean;
  /** Default per-tensor. */
  granularity?: Granularity;
  /** Default 'half-even' (ONNX QuantizeLinear, TensorRT, PyTorch). */
  rounding?: RoundingMode;
  /** Default 'float'. */
  scaleConstraint?: ScaleConstraint;
  /** Lower bound for every scale, so constant tensors never divide by zero. Default float32 eps. */
  minScale?: number;
  /** Optional label carried into reports and exports (a preset or plugin name). */
  name?: string;
}

/** A per-group rule turning a range into (scale, zero point); scheme plugins may supply one. */
export type QParamsRule = (lo: number, hi: number, scheme: QuantScheme) => { scale: number; zeroPoint: number };

/** A validated, frozen grid description with its integer range resolved. */
export interface QuantScheme {
  readonly bits: number;
  readonly signed: boolean;
  readonly symmetric: boolean;
  readonly narrowRange: boolean;
  readonly granularity: Granularity;
  readonly rounding: RoundingMode;
  readonly scaleConstraint: ScaleConstraint;
  readonly minScale: number;
  /** Smallest integer code. */
  readonly qmin: number;
  /** Largest integer code. */
  readonly qmax: number;
  readonly name?: string;
  /** Set by a scheme plugin (see `defineScheme`); not serialised, restored by name. */
  readonly qparamsRule?: QParamsRule;
}

function invalid(field: string, message: string, code: 'QT_INVALID_SCHEME' | 'QT_INVALID_BIT_WIDTH' | 'QT_INVALID_GRANULARITY' = 'QT_INVALID_SCHEME'): never {
  throw new QuantTrimError({ code, message: `scheme.${field}: ${message}`, details: { field } });
}

function checkBoolean(options: SchemeOptions, field: 'signed' | 'symmetric' | 'narrowRange'): void {
  const value = options[field];
  if (value !== undefined && typeof value !== 'boolean') invalid(field, `expected a boolean, got ${JSON.stringify(value)}`);
}

/** Integer range of a grid: signed full, signed narrow, or unsigned. */
export function integerRange(bits: number, signed: boolean, narrowRange = false): { qmin: number; qmax: number } {
  if (!signed) return { qmin: 0, qmax: 2 ** bits - 1 };
  const half = 2 ** (bits - 1);
  return { qmin: narrowRange ? -half + 1 : -half, qmax: half - 1 };
}

function validateGranularity(g: unknown): Granularity {
  if (typeof g !== 'object' || g === null)
    invalid('granularity', `expected { kind: 'per-tensor' | 'per-channel' | 'per-group', ... }, got ${JSON.stringify(g)}`, 'QT_INVALID_GRANULARITY');
  const kind = (g as { kind?: unknown }).kind;
  if (kind === 'per-tensor') return Object.freeze({ kind });
  const axis = (g as { axis?: unknown }).axis;
  if (kind !== 'per-channel' && kind !== 'per-group')
    invalid('granularity.kind', `expected 'per-tensor', 'per-channel' or 'per-group', got ${JSON.stringify(kind)}`, 'QT_INVALID_GRANULARITY');
  if (typeof axis !== 'number' || !Number.isInteger(axis))
    invalid('granularity.axis', `expected an integer axis, got ${JSON.stringify(axis)}`, 'QT_INVALID_GRANULARITY');
  if (kind === 'per-channel') return Object.freeze({ kind, axis });
  const groupSize = (g as { groupSize?: unknown }).groupSize;
  if (typeof groupSize !== 'number' || !Number.isInteger(groupSize) || groupSize < 1) {
    invalid('granularity.groupSize', `expected a positive integer, got ${JSON.stringify(groupSize)}`, 'QT_INVALID_GRANULARITY');
  }
  return Object.freeze({ kind, axis, groupSize });
}

/**
 * Validates options and returns a frozen scheme with `qmin`/`qmax` resolved.
 *
 * @example
 * const w4 = createScheme({ bits: 4, granularity: { kind: 'per-group', axis: 0, groupSize: 32 } });
 * // w4.qmin === -8, w4.qmax === 7
 * createScheme({ bits: 12, signed: false, narrowRange: true }); // fine: narrow only affects signed grids
 * createScheme({ bits: 17 }); // throws QT_INVALID_BIT_WIDTH
 */
export function createScheme(options: SchemeOptions = {}): QuantScheme {
  if (typeof options !== 'object' || options === null) invalid('', `expected an options object, got ${JSON.stringify(options)}`);
  const bits = options.bits ?? 8;
  if (typeof bits !== 'number' || !Number.isInteger(bits) || bits < 2 || bits > 16) {
    invalid('bits', `expected an integer from 2 to 16, got ${JSON.stringify(bits)}`, 'QT_INVALID_BIT_WIDTH');
  }
  checkBoolean(options, 'signed');
  checkBoolean(options, 'symmetric');
  checkBoolean(options, 'narrowRange');
  const signed = options.signed ?? true;
  const symmetric = options.symmetric ?? true;
  const narrowRange = options.narrowRange ?? false;
  const rounding = options.rounding ?? 'half-even';
  if (!ROUNDING_MODES.includes(rounding)) invalid('rounding', `expected one of ${ROUNDING_MODES.join(', ')}, got ${JSON.stringify(rounding)}`);
  const scaleConstraint = options.scaleConstraint ?? 'float';
  if (!SCALE_CONSTRAINTS.includes(scaleConstraint))
    invalid('scaleConstraint', `expected one of ${SCALE_CONSTRAINTS.join(', ')}, got ${JSON.stringify(scaleConstraint)}`);
  const minScale = options.minScale ?? DEFAULT_MIN_SCALE;
  if (typeof minScale !== 'number' || !(minScale > 0) || !Number.isFinite(minScale))
    invalid('minScale', `expected a finite number > 0, got ${JSON.stringify(minScale)}`);
  if (options.name !== undefined && typeof options.name !== 'string') invalid('name', `expected a string, got ${JSON.stringify(options.name)}`);
  const granularity = validateGranularity(options.granularity ?? { kind: 'per-tensor' });
  const { qmin, qmax } = integerRange(bits, signed, narrowRange);
  const scheme: QuantScheme = {
    bits,
    signed,
    symmetric,
    narrowRange,
    granularity,
    rounding,
    scaleConstraint,
    minScale,
    qmin,
    qmax,
    ...(options.name !== undefined ? { name: options.name } : {}),
  };
  return Object.freeze(scheme);
}

/** The options that recreate `scheme` (for JSON). */
export function schemeToJSON(scheme: QuantScheme): Required<Omit<SchemeOptions, 'name'>> & { name?: string } {
  const { qmin: _qmin, qmax: _qmax, qparamsRule: _rule, ...options } = scheme;
  return { ...options, granularity: { ...scheme.granularity } };
}
