import type { CalibratorName, RoundingMode } from '@quant-trim/quant-grid';

/**
 * Backend profile ids added by plugins. Augment it so your ids type-check wherever a backend id is
 * accepted:
 * ```ts
 * declare module '@quant-trim/backend-eval' {
 *   interface BackendRegistry { 'acme-npu': true }
 * }
 * ```
 */
// biome-ignore lint: an empty interface is the augmentation point
export interface BackendRegistry {}

/** Which elements share one (scale, zero point). Weight axes are chosen per op by the compiler (output channels). */
export type ProfileGranularity = 'per-tensor' | { readonly kind: 'per-channel' } | { readonly kind: 'per-group'; readonly size: number };

/**
 * `full`: the whole storage range; `narrow`: signed without the most negative code; `reduced`:
 * 7-bit codes in 8-bit storage (ORT `reduce_range`, NNCF overflow fix); `[qmin, qmax]`: explicit.
 */
export type ProfileRange = 'full' | 'narrow' | 'reduced' | readonly [qmin: number, qmax: number];

/** An integer grid for one tensor kind (docs/backends.md#profile-fields). Maps onto quant-grid `SchemeOptions`. */
export interface TensorGrid {
  /** Weights 4, 8 or 16; activations 8 or 16. */
  readonly bits: number;
  readonly signed: boolean;
  /** zp 0; free zp; or zp 0 on an unsigned grid when the observed min is ≥ 0 (signed otherwise). */
  readonly symmetric: boolean | 'unsignedIfNonNeg';
  readonly range: ProfileRange;
  readonly granularity: ProfileGranularity;
  /** Any positive float32 scale, or s = 2^e. */
  readonly scale: 'float32' | 'pow2';
  readonly rounding: RoundingMode;
}

/** Activations left in floating point (weight-only profiles). */
export interface FloatActivations {
  readonly kind: 'float16' | 'float32';
}

export interface BiasSpec {
  /** Storage width of the integer bias, 8..64. */
  readonly bits: number;
  /** `product`: s = sA·sW[c] (zp 0); `pow2`: the bias's own power-of-two scale from its range, no overflow (Vitis DPU fixed point). */
  readonly scale: 'product' | 'pow2';
  readonly rounding: RoundingMode;
}

export interface CalibrationSpec {
  /** A quant-grid calibrator name, or `none` (dynamic or float activations). */
  readonly method: CalibratorName | 'none';
  /** Options passed to the quant-grid calibrator (JSON values). */
  readonly options?: Readonly<Record<string, unknown>>;
  /** Calibration inputs: an integer ≥ 1, or 0 when `method` is `none`. */
  readonly samples: number;
}

/** Output (scale, zero point) forced regardless of statistics. */
export interface FixedOutputParams {
  readonly scale: number;
  readonly zeroPoint: number;
}

/** Per-op limits: keys are ONNX op types, or `*` for limits on every op. */
export type OpLimits = Readonly<Record<string, number | boolean | string>>;

export interface OpCoverage {
  /** ONNX op types the accelerator runs quantized. */
  readonly supported: readonly string[];
  readonly limits?: Readonly<Record<string, OpLimits>>;
}

export interface FallbackSpec {
  /** per-op: only that op; single-cut: first unsupported op and every later op; graph-cut: user cuts before compiling. */
  readonly policy: 'per-op' | 'single-cut' | 'graph-cut';
  readonly target: 'float32' | 'fp16' | 'cpu-int8';
}

export interface AccumulatorSpec {
  /** MAC width, 16..64. */
  readonly bits: number;
  readonly saturating: boolean;
}

/** Weight widths a toolchain mixes per layer (Hailo `compression_level`). */
export interface MixedPrecisionSpec {
  /** Allowed weight widths; must contain `weights.bits`. */
  readonly weightBits: readonly number[];
  /** How layers are assigned a width (free text for reports). */
  readonly rule: string;
}

export type QuantTransform = 'equalization' | 'biasCorrection' | 'adaround' | 'finetune';

/** Precision a multiply-accumulate runs at (the keys of the report's `MacBreakdown`). */
export type MacPrecision = 'int4' | 'int8' | 'int16' | 'float16' | 'float32';

/** Device figures a `DeviceSpec` can cite a source for (`DeviceSpec.sources` keys). */
export type DeviceFigure = 'tops' | 'precisionTops' | 'watts' | 'priceUsd' | 'memoryGBps' | 'utilization' | 'linkGBps' | 'overheadMs';

/** Where a node runs on a device: its accelerator, or the host processor that runs what the accelerator cannot. */
export type Placement = 'accelerator' | 'host';

/**
 * The processor that runs the nodes a profile leaves off the accelerator (host fallback), with the
 * figures the estimate prices them at. Same meaning as the `DeviceSpec` fields of the same names.
 */
export interface HostSpec {
  readonly name: string;
  /** Peak dense INT8 throughput of the host, TOPS (integer fallback kernels, e.g. TFLite on the CPU). */
  readonly tops?: number;
  readonly precisionTops?: Readonly<Partial<Record<Exclude<MacPrecision, 'int8'>, number>>>;
  readonly memoryGBps?: number;
  readonly utilization?: number;
  readonly source?: string;
  readonly sources?: Readonly<Partial<Record<'tops' | 'precisionTops' | 'memoryGBps' | 'utilization', string>>>;
}

/**
 * The device a profile deploys to, with the datasheet figures the cost estimate (`estimateCost`)
 * reads. Every figure is optional so plugins can give what they know; the estimate needs `tops`.
 */
export interface DeviceSpec {
  readonly name: string;
  /** Peak dense INT8 throughput in tera-operations per second (one MAC = 2 operations; not the sparse figure). */
  readonly tops?: number;
  /**
   * Peak throughput (TOPS / TFLOPS) of MACs at other precisions on this device. Nodes placed off
   * the accelerator run at `host`'s figures when the device gives a host, else at these. Missing
   * entries take `estimateCost`'s documented defaults.
   */
  readonly precisionTops?: Readonly<Partial<Record<Exclude<MacPrecision, 'int8'>, number>>>;
  /** Typical power draw under inference load, W. */
  readonly watts?: number;
  /** Unit price, USD. */
  readonly priceUsd?: number;
  /** Bandwidth of the memory weights and activations stream from, GB/s; absent when they stay on chip. */
  readonly memoryGBps?: number;
  /** Share of peak throughput a typical CNN sustains, in (0, 1]. */
  readonly utilization?: number;
  /**
   * The processor that runs nodes placed off the accelerator (a USB / PCIe accelerator's host CPU,
   * an SoC's application cores). Absent: the device runs them itself, at `precisionTops`.
   */
  readonly host?: HostSpec;
  /**
   * Bandwidth of the link tensors cross between host memory and the accelerator, GB/s (USB, PCIe);
   * absent when both share memory (no copy priced).
   */
  readonly linkGBps?: number;
  /**
   * Fixed cost of one accelerator invocation (driver call, transfer set-up, completion), ms: paid
   * once per run of consecutive accelerator nodes, so each host fallback in the middle of the
   * graph adds one.
   */
  readonly overheadMs?: number;
  /** Main datasheet or product page. */
  readonly source?: string;
  /** Per-figure source: each names a present figure and holds an http(s) URL (plus notes on how sure it is). */
  readonly sources?: Readonly<Partial<Record<DeviceFigure, string>>>;
}

export interface ProfileSource {
  /** Reference key, e.g. `TFL1` (docs/backends.md#references). */
  readonly id: string;
  readonly url: string;
}

/** vendor documentation or source; third-party only (3p); uncertain or inferred (?). */
export type Evidence = 'vendor' | 'third-party' | 'uncertain';

/** Every numeric choice of one vendor toolchain (docs/backends.md#profile-fields), as validated, frozen data. */
export interface BackendProfile {
  /** Kebab-case id, the registry key. */
  readonly id: string;
  readonly name: string;
  readonly vendor: string;
  readonly description: string;
  /** `null` only when weights are never quantized. */
  readonly weights: TensorGrid | null;
  readonly activations: TensorGrid | FloatActivations;
  /** `null` for weight-only profiles and for dynamic profiles that add biases in float. */
  readonly bias: BiasSpec | null;
  /** int32 accumulator → output grid: float multiply, or Q31 multiplier + shift (double or single rounding). */
  readonly requant: 'float' | 'fixed-double' | 'fixed-single';
  /** Activation range estimation; weights use their own values (per the weight grid). */
  readonly calibration: CalibrationSpec;
  readonly activationMode: 'static' | 'dynamic';
  /** Degenerate-range guard (> 0). */
  readonly minRange?: number;
  /** ONNX op type → output params. */
  readonly fixedOutput?: Readonly<Record<string, FixedOutputParams>>;
  /** ONNX op types whose inputs and output carry identical (s, zp). */
  readonly sharedScale?: readonly string[];
  /** Producer+activation patterns (`Conv+Relu`) quantized once, after the activation. */
  readonly fusedActivations?: readonly string[];
  readonly ops: OpCoverage;
  readonly fallback: FallbackSpec;
  readonly accumulator?: AccumulatorSpec;
  readonly mixedPrecision?: MixedPrecisionSpec;
  readonly preQuant?: readonly QuantTransform[];
  readonly postQuant?: readonly QuantTransform[];
  readonly device?: DeviceSpec;
  /** Non-empty; where the numbers come from. */
  readonly sources: readonly ProfileSource[];
  /** Dotted field path (e.g. `activations.rounding`) → evidence, for fields that are not plain vendor facts. */
  readonly evidence: Readonly<Record<string, Evidence>>;
}
