import { QuantTrimError } from '@quant-trim/errors';
import { Histogram } from '../calibrators/Histogram.js';
import { HistogramCalibrator } from '../calibrators/HistogramCalibrator.js';
import { MinMaxCalibrator } from '../calibrators/minMax.js';
import { checkFloat32 } from '../math/checks.js';
import { qparamsForRange } from '../math/computeQParams.js';
import { defaultRegistry, type QuantGridRegistry } from '../registry/createRegistry.js';
import type { QuantScheme } from '../scheme.js';

/**
 * One calibration method of the diagnostic: a registry calibrator name, with options and a label
 * (two percentile settings need two labels). The short form is a built-in name.
 */
export type DisagreementMethod = string | { readonly name: string; readonly label?: string; readonly options?: Record<string, unknown> };

/**
 * The default set, one per backend family: `minmax` (TFLite, ORT, TensorRT MinMax), `mean-minmax`
 * per sample (NNCF; only for raw values with a batch axis), `percentile` 99.99 of |x| (TensorRT),
 * `entropy` (TensorRT KL), `mse` (TensorRT MSE, RKNN), `sqnr` γ = 3 (AIMET tf_enhanced) and `pow2`
 * min-MSE (Vitis).
 */
export const DEFAULT_DISAGREEMENT_METHODS: readonly DisagreementMethod[] = [
  'minmax',
  { name: 'mean-minmax', options: { perSample: true } },
  'percentile',
  'entropy',
  'mse',
  'sqnr',
  'pow2',
];

export interface CalibratorDisagreementOptions {
  /** Calibration methods to compare. Default `DEFAULT_DISAGREEMENT_METHODS`. */
  methods?: readonly DisagreementMethod[];
  /**
   * Shape of `values` (default [n]); with a first (batch) axis of 2 or more, `mean-minmax` with
   * `perSample` averages per-sample extremes (NNCF). Without one it is skipped (it would equal minmax).
   */
  shape?: readonly number[];
  /** Histogram bins per side when the input is raw values. Default 2048 (TensorRT). */
  bins?: number;
  /** Where calibrator names resolve. Default quant-grid's default registry. */
  registry?: QuantGridRegistry;
}

/** What one calibration method chooses for the tensor. */
export interface CalibratorChoice {
  /** Label (the calibrator name unless given). */
  readonly method: string;
  /** Registry calibrator that computed it, and its options. */
  readonly calibrator: string;
  readonly options: Record<string, unknown>;
  /** The range the calibrator chose (before the grid widens it to include 0). */
  readonly range: readonly [number, number];
  /** The range its quantization parameters represent: [s·(qmin − z), s·(qmax − z)]. */
  readonly grid: readonly [number, number];
  readonly scale: number;
  readonly zeroPoint: number;
  /** Share of the values outside `grid` (clipped by the backend). Histogram input: by bin centres. */
  readonly clipped: number;
}

export interface CalibratorDisagreement {
  readonly choices: readonly CalibratorChoice[];
  /** Widest grid width / narrowest grid width over `choices` (1 = every calibrator agrees; ∞ if one collapses to 0). */
  readonly ratio: number;
  readonly widest: string;
  readonly narrowest: string;
  /** Finite values the statistics saw. */
  readonly count: number;
  /** Methods left out, and why. */
  readonly skipped: readonly { readonly method: string; readonly reason: string }[];
}

function invalid(field: string, message: string): never {
  throw new QuantTrimError({ code: 'QT_INVALID_ARGUMENT', message: `calibratorDisagreement: ${field}: ${message}`, details: { field } });
}

/** Share of values outside [lo, hi] (finite values only). */
function clippedShareOfValues(x: Float32Array, lo: number, hi: number, count: number): number {
  let n = 0;
  for (let i = 0; i < x.length; i++) {
    const v = x[i]!;
    if (v < lo || v > hi) n += Number.isFinite(v) ? 1 : 0;
  }
  return count === 0 ? 0 : n / count;
}

/** Share of histogram counts whose bin centre lies outside [lo, hi]. */
function clippedShareOfHistogram(h: Histogram, lo: number, hi: number): number {
  if (h.total === 0) return 0;
  if (h.width === 0) return lo <= 0 && hi >= 0 ? 0 : 1;
  const s = h.signed();
  let n = 0;
  for (let t = 0; t < s.counts.length; t++) {
    const c = s.counts[t]!;
    if (c === 0) continue;
    const centre = s.lo + (t + 0.5) * s.width;
    if (centre < lo || centre > hi) n += c;
  }
  return n / h.total;
}

/**
 * How much backends' calibrators disagree about one activation tensor: each method's chosen range,
 * the grid it gives for `scheme` (read per-tensor: the diagnostic treats the tensor as one group),
 * the share of values it clips, and the headline `ratio` of the widest to the narrowest grid. A
 * tensor with a sparse long tail (post-ReLU activations) gets a large ratio: min/max keeps the
 * tail, entropy / percentile / MSE clip it at a fraction of it.
 *
 * Input: raw values (one `Histogram` of `bins` per side is built from them, every histogram
 * calibrator searches that one histogram), or a `Histogram` gathered elsewhere (then `mean-minmax`
 * is skipped and clipped shares are counted by bin centre). Methods are registry calibrators:
 * `minmax`, `mean-minmax` and any `HistogramCalibrator` (percentile, entropy, mse, sqnr, pow2 and
 * plugins extending it).
 *
 * @example
 * const d = calibratorDisagreement(postRelu, defaultRegistry.scheme('uint8-asym-per-tensor'));
 * d.ratio;                                           // e.g. 8.3: KL keeps an eighth of min/max's range
 * d.choices.map((c) => `${c.method} ${c.grid[1]} clips ${c.clipped}`);
 */
export function calibratorDisagreement(
  input: Float32Array | Histogram,
  scheme: QuantScheme,
  options: CalibratorDisagreementOptions = {},
): CalibratorDisagreement {
  const registry = options.registry ?? defaultRegistry;
  const methods = options.methods ?? DEFAULT_DISAGREEMENT_METHODS;
  if (!Array.isArray(methods) || methods.length === 0) invalid('options.methods', `expected a non-empty array, got ${JSON.stringify(methods)}`);
  if (typeof scheme !== 'object' || scheme === null || typeof scheme.qmin !== 'number') invalid('scheme', 'expected a scheme from createScheme or a registry');
  const flat: QuantScheme = { ...scheme, granularity: { kind: 'per-tensor' } };
  let values: Float32Array | undefined;
  let h: Histogram;
  if (input instanceof Histogram) {
    h = input;
  } else {
    checkFloat32('calibratorDisagreement', 'input', input);
    values = input;
    const bins = options.bins ?? 2048;
    if (!Number.isInteger(bins) || bins < 1) invalid('options.bins', `expected an integer ≥ 1, got ${JSON.stringify(bins)}`);
    h = new Histogram(bins);
    h.observe(values);
  }
  const shape = options.shape;
  if (shape !== undefined && values !== undefined && shape.reduce((a, b) => a * b, 1) !== values.length) {
    invalid('options.shape', `[${shape.join(', ')}] does not hold ${values.length} values`);
  }
  const choices: CalibratorChoice[] = [];
  const skipped: { method: string; reason: string }[] = [];
  const rule = flat.qparamsRule ?? qparamsForRange;
  methods.forEach((m, i) => {
    const spec = typeof m === 'string' ? { name: m } : m;
    if (typeof spec?.name !== 'string') invalid(`options.methods.${i}`, `expected a calibrator name or { name, label?, options? }, got ${JSON.stringify(m)}`);
    const label = spec.label ?? spec.name;
    const calibratorOptions = { ...(spec.options ?? {}) };
    const calibrator = registry
      .calibratorDefinition(spec.name)
      .create({ ...calibratorOptions, ...(options.bins !== undefined && spec.name !== 'minmax' && spec.name !== 'mean-minmax' ? { bins: options.bins } : {}) });
    let range: [number, number];
    let qp: { scale: number; zeroPoint: number };
    if (calibrator instanceof HistogramCalibrator) {
      range = calibrator.rangeForHistogram(h, flat);
      qp = calibrator.qparamsForHistogram(h, flat);
    } else if (spec.name === 'minmax' || spec.name === 'mean-minmax') {
      if (h.total === 0) {
        skipped.push({ method: label, reason: 'no finite value' });
        return;
      }
      if (spec.name === 'minmax') {
        range = [h.min, h.max];
      } else {
        if (values === undefined) {
          skipped.push({ method: label, reason: 'needs raw values (a histogram has no per-batch extremes)' });
          return;
        }
        const batch = shape?.[0] ?? 1;
        if (batch < 2) {
          skipped.push({ method: label, reason: 'needs options.shape with a batch axis of 2 or more (otherwise it equals minmax)' });
          return;
        }
        if (!(calibrator instanceof MinMaxCalibrator))
          invalid(`options.methods.${i}`, `"${spec.name}" is not quant-grid's min/max calibrator in this registry`);
        calibrator.observe(values, shape);
        const r = calibrator.ranges();
        range = [r.min[0]!, r.max[0]!];
      }
      qp = rule(range[0], range[1], flat);
    } else {
      skipped.push({
        method: label,
        reason: `calibrator "${spec.name}" is not a histogram calibrator (the diagnostic supports minmax, mean-minmax and HistogramCalibrator subclasses)`,
      });
      return;
    }
    const grid: [number, number] = [Math.fround((flat.qmin - qp.zeroPoint) * qp.scale), Math.fround((flat.qmax - qp.zeroPoint) * qp.scale)];
    const clipped = values !== undefined ? clippedShareOfValues(values, grid[0], grid[1], h.total) : clippedShareOfHistogram(h, grid[0], grid[1]);
    choices.push({ method: label, calibrator: spec.name, options: calibratorOptions, range, grid, scale: qp.scale, zeroPoint: qp.zeroPoint, clipped });
  });
  if (choices.length === 0) invalid('options.methods', `no method applies to this input (${skipped.map((s) => `${s.method}: ${s.reason}`).join('; ')})`);
  let widest = choices[0]!;
  let narrowest = choices[0]!;
  for (const c of choices) {
    if (c.grid[1] - c.grid[0] > widest.grid[1] - widest.grid[0]) widest = c;
    if (c.grid[1] - c.grid[0] < narrowest.grid[1] - narrowest.grid[0]) narrowest = c;
  }
  const wide = widest.grid[1] - widest.grid[0];
  const narrow = narrowest.grid[1] - narrowest.grid[0];
  const ratio = narrow > 0 ? wide / narrow : wide > 0 ? Infinity : 1;
  return { choices, ratio, widest: widest.method, narrowest: narrowest.method, count: h.total, skipped };
}
