import { cloneModel, defaultOpset, readOnnx, writeOnnx, type OnnxModel, type OnnxNode } from '@quant-trim/onnx-export';
import type { BackendProfile, TensorGrid } from '../profiles/types.js';
import { activationParams, insertActivationQuantizers, type ActivationQParams } from './activations.js';
import { applyBiasCorrection, applyStoredBiasCorrections, type BiasCorrection, type BiasCorrectionSkip } from './biasCorrection.js';
import { calibrate, dataInputsOf, invalid, type CalibrationData, type CalibrationFeed, type CalibrationStats, type FeedCalibrationData } from './calibrate.js';
import { equalize, type Equalization, type EqualizationSkip } from './equalization.js';
import { dynamicNativeModel, insertDynamicQuantizers, insertFloat16Rounding, pruneUnread } from './dynamicAndFloat16.js';
import { planCompile, type CompilePlan, type NodeCoverage } from './plan.js';
import { nameUnnamedNodes, namesInUse } from './nodeNames.js';
import { normalizeGraph } from './normalizeGraph.js';
import { ortNativeModel } from './ortNativeFixes.js';
import { upgradeOpset } from './opsetUpgrade.js';
import { foldBatchNorm } from './prepareGraph.js';
import { quantizeBias, quantizeWeights, type BiasQParams, type WeightQParams } from './weights.js';

export { INTEGER_OPS } from './plan.js';
export type { ActivationQParams } from './activations.js';
export type { BiasCorrection, BiasCorrectionSkip } from './biasCorrection.js';
export type { CalibrationData, CalibrationFeed, FeedCalibrationData, InputSpec } from './calibrate.js';
export type { Equalization, EqualizationSkip } from './equalization.js';
export type { NodeCoverage, NodeNumerics } from './plan.js';
export type { BiasQParams, WeightQParams } from './weights.js';

export interface CompileOptions {
  /** Shape of one calibration sample, without the batch axis (single-input models). Default: the graph input's static shape after its first axis. */
  readonly inputShape?: readonly number[];
  /**
   * Sample shape (without the batch axis) per data input name, for models with several inputs.
   * Default per input: its static declared shape after the first axis.
   */
  readonly inputShapes?: Readonly<Record<string, readonly number[]>>;
  /**
   * Reproduce a non-half-even activation rounding exactly with a float subgraph instead of
   * QuantizeLinear (which always rounds half-even; the two differ at exact ties only). Exact but
   * unfusable: the `native` model always uses QuantizeLinear. Default false.
   */
  readonly emulateRounding?: boolean;
  /** Node names kept in float32 whatever the profile supports (per-op exclusion, as ORT's `nodes_to_exclude`). */
  readonly floatNodes?: readonly string[];
  /**
   * Weight width per node name, for mixed-precision profiles (`profile.mixedPrecision.weightBits`
   * lists the allowed widths). Nodes not listed use `profile.weights.bits`.
   */
  readonly weightBits?: Readonly<Record<string, number>>;
  /**
   * The weight width each node was trained for (QAT with per-layer schemes). A node is deployed at
   * its trained width where the profile allows that width (`mixedPrecision.weightBits`, else the
   * profile's own width); elsewhere at the profile's width, and `approximations` names the nodes
   * the profile forced to another width. `weightBits` entries win over these.
   */
  readonly trainedWeightBits?: Readonly<Record<string, number>>;
  /** Fold inference BatchNormalization into the preceding Conv / Gemm first (docs/backends.md#order-of-steps). Default true. */
  readonly foldBatchNorm?: boolean;
  /**
   * Profiles with `postQuant: ['biasCorrection']` read the calibration data twice (the correction
   * needs the activation parameters, known only after calibration). This returns the same batches
   * again for the second pass, so nothing is buffered. Without it an Array source is iterated again
   * and any other source (generator, async iterable, stream) is buffered: a copy of the model-input
   * samples the calibration pass used (at most `profile.calibration.samples` of them; no
   * intermediate activations) is kept until the second pass ends.
   */
  readonly calibrationAgain?: () => CalibrationData | FeedCalibrationData;
  /**
   * Profiles with `preQuant: ['equalization']`: also equalize pairs whose producer or consumer is a
   * MatMul with a constant 2-D B (B `[K, N]`: output channels are columns, input channels rows).
   * Default false (such pairs are listed as skipped; see `EqualizationOptions.matMul`).
   */
  readonly equalizeMatMul?: boolean;
}

export interface CompiledModel {
  readonly profile: string;
  /** The emulated model (float32 in and out): the profile's numerics with Q/DQ, exact in ORT without QDQ fusion. */
  readonly model: OnnxModel;
  /**
   * The model for ORT's integer kernels: the same QDQ graph (ORT fuses it at optimization level
   * `all`), without rounding emulation; for dynamic profiles the MatMulInteger form.
   */
  readonly native: OnnxModel;
  bytes(mode?: 'emulate' | 'native'): Uint8Array;
  /** One entry per node of the input graph after Constant / Identity folding and BN folding, in graph order. */
  readonly coverage: readonly NodeCoverage[];
  readonly activations: readonly ActivationQParams[];
  readonly weights: readonly WeightQParams[];
  readonly biases: readonly BiasQParams[];
  /** Samples and batches that went through the calibrators (0 for dynamic and weight-only profiles), and the wall time of that pass. */
  readonly calibration: { readonly samples: number; readonly batches: number; readonly seconds: number };
  /** Opset the compiled model imports (raised to 21 for 4/16-bit or blocked Q/DQ). */
  readonly opset: number;
  /** BatchNormalization nodes folded into their producer. */
  readonly foldedBatchNorms: readonly string[];
  /**
   * Biases rewritten by the `biasCorrection` post-quantization transform (profiles listing it in
   * `postQuant`, static integer activations only), in graph order: `b'[c] = b[c] + mean_float[c] −
   * mean_quant[c]` before the bias is quantized (see `compileForBackend`). Empty otherwise.
   */
  readonly biasCorrections: readonly BiasCorrection[];
  /**
   * Producer → [Relu | LeakyRelu | PRelu] → consumer pairs rescaled by the `equalization`
   * pre-quantization transform (profiles listing it in `preQuant`), in graph order: cross-layer
   * equalization with `s[i] = √(r1[i] / r2[i])`, `r1[i] = max|W1[i, …]|` over the producer's output
   * channel i, `r2[i] = max|W2[:, i, …]|` over the consumer's input channel i; `W1[i] /= s[i]`,
   * `b1[i] /= s[i]`, `W2[:, i] *= s[i]` (see `equalize`). `maxScale` / `minScale` are the extremes of
   * the total `s` over all passes. Runs after BatchNorm folding and before calibration, on the float
   * model every later step (calibration, weight quantization, the float nodes) reads. Empty otherwise.
   */
  readonly equalized: readonly Equalization[];
  /** Profile features this compiler approximates or does not apply (free text, for reports). */
  readonly approximations: readonly string[];
  /**
   * Per weight-quantized Conv / Gemm / MatMul of a static integer profile, in graph order: the
   * activation tensors quantized at its input and at its output (after a fused activation chain),
   * as named in `activations`. Empty for dynamic and weight-only profiles.
   */
  readonly layerTensors: readonly LayerTensors[];
}

/** The activation tensors a quantized layer reads and writes (names as in `CompiledModel.activations`). */
export interface LayerTensors {
  readonly node: string;
  /** The activation nodes fused into the layer (quantized once, after the last of them), in order. */
  readonly fused: readonly string[];
  readonly input?: string;
  readonly output?: string;
}

/**
 * Compiles a float ONNX model the way `profile`'s post-training quantizer would (docs/backends.md#order-of-steps):
 * 0. reads exporter graphs as vendor converters do (`normalizeGraph`: Constant nodes to
 *    initializers, Identity bypassed); shape computations, leftover Identity and a layout Transpose
 *    at the graph input / output are transparent to placement; If / Loop / Scan subgraphs' outer
 *    reads count as reads in every pass;
 * 1. folds BatchNormalization, marks every node against `profile.ops` and the fallback policy
 *    (`per-op`, `single-cut`: the first unsupported node and everything after it, `graph-cut`: the
 *    unsupported nodes are cut to the host) and the target (`float32`; `fp16`: tensors rounded to
 *    float16; `cpu-int8`: quantized numerics kept);
 * 1b. `preQuant: ['equalization']`: cross-layer equalization (Nagel et al. 2019, as AIMET / the Hailo
 *    Dataflow Compiler apply it) of Conv → [act] → Conv and Gemm / MatMul → [act] → Gemm / MatMul pairs,
 *    act a positively homogeneous Relu / LeakyRelu / PRelu or nothing (Clip, Sigmoid, GELU… are skipped),
 *    on the float weights, in up to `EQUALIZATION_PASSES` passes in graph order (all nodes, whatever
 *    their placement: the float function is unchanged); reported in `equalized`, skips in `approximations`;
 * 2. static profiles: streams up to `profile.calibration.samples` calibration samples through the
 *    float model in onnxruntime-node (one thread, calls of at most 1,048,576 input values) and
 *    the profile's quant-grid calibrator, one per tensor or per shared-scale group; fused producer→activation pairs are quantized once, after the activation;
 *    fixed output parameters and `minRange` applied;
 * 3. quantizes weights offline with the profile's grid and rounding (per-tensor, per-channel on the
 *    output axis, or per-group blocks along the input axis; mixed widths per node) and biases to
 *    integers at `sIn·sW[c]`;
 * 3b. `postQuant: ['biasCorrection']` (static integer profiles; NNCF fast bias correction,
 *    docs/backends.md#bias-correction): a second pass over the calibration samples (same `calibration.samples` cut) runs the float
 *    model and, for every weight-quantized integer Conv / Gemm with static input parameters, sets
 *    `b'[c] = b[c] + mean_float[c] − mean_quant[c]` before quantizing the bias. `mean_float[c]` is the
 *    per-channel mean (over samples and output positions) of the layer output for the float model's
 *    input `x`, the float `W` and `b`; `mean_quant[c]` the same for `x̂ = (clamp(R_even(x/s) + zp) −
 *    zp)·s` (the node's own input parameters, as QuantizeLinear), the dequantized `Ŵ` and quantized
 *    `b̂`. Exact via the mean im2col patch (`mean = W[c]·mean patch + b[c]`, padding taps read zeros,
 *    grouped / depthwise Conv per group; Gemm transA = 0). A Conv / Gemm without a bias gets a zero
 *    bias; MatMul (no bias input) is not corrected. The second pass iterates `options.calibrationAgain()`
 *    when given, an Array source again, and otherwise the buffered model-input samples of the first
 *    pass (a one-shot generator works; memory: samples × input size). Reported in `biasCorrections`;
 * 4. writes Q/DQ (static), DynamicQuantizeLinear (dynamic) or float16 rounding (weight-only /
 *    float16 activations), raising the opset to 21 when 4/16-bit or blocked Q/DQ need it.
 *
 * Every node of any op type is accepted: ops a profile does not support stay float (coverage
 * says why). Models may have several data inputs and several outputs: `calibration` then yields
 * one `{ [inputName]: Float32Array }` feed per batch (a single-input model also takes plain
 * Float32Array batches), every input float32 with the batch on its first axis and the same sample
 * count per batch; activation quantization is planned on every path, whichever output it leads
 * to. Coded errors (`QT_INVALID_ARGUMENT`, naming the input where one is at fault) for a
 * non-float32 data input, a feed missing an input or naming an unknown one, opsets below 13, a
 * static profile without a calibration method, and bad calibration batches.
 */
export async function compileForBackend(
  fp: Uint8Array | OnnxModel,
  profile: BackendProfile,
  calibration: CalibrationData | FeedCalibrationData,
  options: CompileOptions = {},
): Promise<CompiledModel> {
  return (await compileWithStats(fp, profile, calibration, options)).compiled;
}

/** What a compile hands to a later compile of the same model for the same profile and data. */
export interface CompileReuse {
  /** The calibration statistics of every tensor it calibrated. */
  readonly stats: CalibrationStats;
  /** The bias corrections it applied (profiles with `postQuant: ['biasCorrection']`). */
  readonly biasCorrections: readonly BiasCorrection[];
}

/**
 * `compileForBackend`, also returning what a later compile can reuse. With `reuse` (from an earlier
 * compile of the same model for the same profile and calibration data), tensors found there are
 * not calibrated again and the stored bias corrections are applied without a second pass:
 * per-layer sensitivity compiles the model once per layer with the others kept float, and each of
 * those compiles then quantizes its layer with exactly the parameters (and corrected bias) of the
 * full compile, without reading the calibration data. Only tensors missing from `reuse` are calibrated.
 */
export async function compileWithStats(
  fp: Uint8Array | OnnxModel,
  profile: BackendProfile,
  calibration: CalibrationData | FeedCalibrationData,
  options: CompileOptions = {},
  previous?: CompileReuse,
): Promise<{ compiled: CompiledModel; reuse: CompileReuse }> {
  const reuse = previous?.stats;
  const source = fp instanceof Uint8Array ? readOnnx(fp) : fp;
  const base = cloneModel(source);
  const { graph } = base;
  const opset = defaultOpset(base);
  if (opset < 13) throw invalid(profile, `the model imports opset ${opset}; per-axis Q/DQ needs opset 13 (re-export at 13 or later)`, { opset });
  // Checked now (names, element types); sample shapes are needed only to calibrate.
  dataInputsOf(base, profile, options.inputShape, options.inputShapes, false);
  const actGrid = 'bits' in profile.activations ? profile.activations : undefined;
  const dynamic = profile.activationMode === 'dynamic';
  if (actGrid !== undefined && !dynamic && profile.calibration.method === 'none')
    throw invalid(profile, "calibration method 'none' cannot give static activation parameters");
  if (actGrid !== undefined && actGrid.granularity !== 'per-tensor') throw invalid(profile, 'only per-tensor activation grids are supported');
  if (dynamic && (actGrid === undefined || actGrid.bits !== 8 || actGrid.signed || actGrid.symmetric !== false)) {
    throw invalid(profile, 'dynamic activations are emulated with DynamicQuantizeLinear, which is uint8 asymmetric only');
  }

  const taken = namesInUse(base);
  nameUnnamedNodes(base, taken);
  normalizeGraph(base);
  const foldedBatchNorms = options.foldBatchNorm === false ? [] : foldBatchNorm(base, taken);
  const equalization = profile.preQuant?.includes('equalization') === true ? equalize(base, { matMul: options.equalizeMatMul === true }) : undefined;
  const widths = deployedWeightBits(profile, options, graph.nodes);
  const plan = planCompile(base, profile, { floatNodes: new Set(options.floatNodes ?? []), weightBits: widths.bits });

  const needed = opsetNeeded(profile, actGrid, plan);
  if (needed.opset > defaultOpset(base)) upgradeOpset(base, needed.opset, needed.why, taken);

  // biasCorrection needs a second pass: keep the first pass's input samples unless the source can be read again.
  const correctsBias = profile.postQuant?.includes('biasCorrection') === true && !dynamic && actGrid !== undefined;
  const statsFree = dynamic || actGrid === undefined;
  const toCalibrate = statsFree ? [] : plan.activationTensors.filter((t) => reuse?.get(t) === undefined);
  // A compile that reuses every tensor's statistics never reads `calibration`: bias correction reads it fresh.
  const readsData = reuse === undefined || toCalibrate.length > 0;
  const storedCorrections = correctsBias ? previous?.biasCorrections : undefined;
  const kept =
    correctsBias && storedCorrections === undefined && readsData && options.calibrationAgain === undefined && !Array.isArray(calibration)
      ? ([] as CalibrationFeed[])
      : undefined;
  const calibrationStart = performance.now();
  const calibrates = !statsFree && plan.activationTensors.length > 0;
  const inputs = dataInputsOf(base, profile, options.inputShape, options.inputShapes, calibrates);
  let stats: CalibrationStats = { get: () => undefined, samples: 0, batches: 0 };
  if (!statsFree && readsData) stats = await calibrate(base, inputs, toCalibrate, plan.group, profile, calibration, kept);
  if (reuse !== undefined && !statsFree) {
    const fresh = stats;
    stats = {
      get: (t) => reuse.get(t) ?? fresh.get(t),
      samples: readsData ? fresh.samples : reuse.samples,
      batches: readsData ? fresh.batches : reuse.batches,
    };
  }
  const calibrationSeconds = (performance.now() - calibrationStart) / 1000;

  let biasCorrection: { corrections: BiasCorrection[]; skipped: BiasCorrectionSkip[] } | undefined;
  if (storedCorrections !== undefined) {
    const quantized = new Set(plan.nodes.filter((p) => p.quantizeWeight).map((p) => p.node.name));
    biasCorrection = { corrections: applyStoredBiasCorrections(base, storedCorrections, quantized, taken), skipped: [] };
  } else if (correctsBias && stats.samples > 0 && actGrid !== undefined) {
    const { params } = activationParams(plan, stats, profile, actGrid);
    biasCorrection = await applyBiasCorrection({
      model: base,
      inputs,
      plan,
      params,
      profile,
      data: options.calibrationAgain?.() ?? kept ?? calibration,
      samples: stats.samples,
      taken,
    });
  }

  const emit = (emulateRounding: boolean) => {
    const model = cloneModel(base);
    const nodeOf = new Map(model.graph.nodes.map((n) => [n.name, n]));
    const planned = plan.nodes.map((p) => ({ ...p, node: nodeOf.get(p.node.name)! }));
    const localPlan: CompilePlan = { ...plan, nodes: planned };
    const localTaken = new Set(taken);
    const { weights, byNode } =
      profile.weights === null ? { weights: [], byNode: new Map<OnnxNode, WeightQParams>() } : quantizeWeights(model, planned, profile, localTaken);
    const biases: BiasQParams[] = [];
    let activations: ActivationQParams[] = [];
    if (dynamic) insertDynamicQuantizers(model, planned, localTaken);
    else if (actGrid !== undefined) {
      const { params, report } = activationParams(localPlan, stats, profile, actGrid);
      activations = report;
      if (profile.bias !== null) {
        for (const { node, quantizeWeight } of planned) {
          const w = byNode.get(node);
          const inScale = params.get(node.inputs[0]!)?.scale;
          if (!quantizeWeight || w === undefined || inScale === undefined) continue;
          const b = quantizeBias(model, node, w, inScale, profile.bias, localTaken);
          if (b !== undefined) biases.push(b);
        }
      }
      insertActivationQuantizers(model, localPlan, params, actGrid.rounding, emulateRounding, localTaken);
    }
    insertFloat16Rounding(model, planned, localTaken);
    pruneUnread(model);
    for (const t of localTaken) taken.add(t);
    return { model, weights, biases, activations, byNode, planned };
  };

  const rounding = actGrid?.rounding ?? 'half-even';
  const emulateRounding = options.emulateRounding === true && rounding !== 'half-even' && !dynamic && actGrid !== undefined;
  const main = emit(emulateRounding);
  const native = dynamic
    ? dynamicNativeModel(main.model, main.planned, main.byNode, taken)
    : ortNativeModel(emulateRounding ? emit(false).model : main.model, taken);

  const compiled: CompiledModel = {
    profile: profile.id,
    model: main.model,
    native,
    bytes: (mode = 'emulate') => writeOnnx(mode === 'native' ? native : main.model),
    coverage: plan.nodes.map((p) => p.coverage),
    activations: main.activations,
    weights: main.weights,
    biases: main.biases,
    calibration: { samples: stats.samples, batches: stats.batches, seconds: calibrationSeconds },
    opset: defaultOpset(main.model),
    foldedBatchNorms,
    biasCorrections: biasCorrection?.corrections ?? [],
    equalized: equalization?.equalized ?? [],
    approximations: [...approximationsOf(profile, actGrid, plan, main.biases, emulateRounding, biasCorrection, equalization), ...widths.notes],
    layerTensors: layerTensorsOf(base, plan),
  };
  return { compiled, reuse: { stats, biasCorrections: compiled.biasCorrections } };
}

/** For each weight-quantized layer, its quantized input tensor and its output tensor after any fused activation chain. */
function layerTensorsOf(model: OnnxModel, plan: CompilePlan): LayerTensors[] {
  const quantized = new Set(plan.activationTensors);
  if (quantized.size === 0) return [];
  const consumer = new Map<string, OnnxNode>();
  for (const n of model.graph.nodes) for (const i of n.inputs) if (!consumer.has(i)) consumer.set(i, n);
  const out: LayerTensors[] = [];
  for (const p of plan.nodes) {
    if (!p.quantizeWeight) continue;
    const input = p.node.inputs[0];
    let output = p.node.outputs[0];
    const fused: string[] = [];
    for (let hops = 0; output !== undefined && plan.fused.has(output) && hops < 8; hops++) {
      const next = consumer.get(output);
      if (next !== undefined) fused.push(next.name);
      output = next?.outputs[0];
    }
    out.push({
      node: p.node.name,
      fused,
      ...(input !== undefined && quantized.has(input) ? { input } : {}),
      ...(output !== undefined && quantized.has(output) ? { output } : {}),
    });
  }
  return out;
}

/**
 * The coverage `compileForBackend` would report, without calibrating or emitting anything: which
 * nodes of `fp` run on the profile's accelerator, with which numerics, and why others fall back
 * (after BatchNormalization folding). For `inspect`-style tools.
 */
export function coverageFor(
  fp: Uint8Array | OnnxModel,
  profile: BackendProfile,
  options: Pick<CompileOptions, 'floatNodes' | 'weightBits' | 'trainedWeightBits' | 'foldBatchNorm'> = {},
): NodeCoverage[] {
  const model = cloneModel(fp instanceof Uint8Array ? readOnnx(fp) : fp);
  const taken = namesInUse(model);
  nameUnnamedNodes(model, taken);
  normalizeGraph(model);
  if (options.foldBatchNorm !== false) foldBatchNorm(model, taken);
  const { bits } = deployedWeightBits(profile, options, model.graph.nodes);
  return planCompile(model, profile, { floatNodes: new Set(options.floatNodes ?? []), weightBits: bits }).nodes.map((p) => p.coverage);
}

/**
 * The weight width of each node the profile deploys away from its own width: `weightBits` (each
 * must be allowed) and the allowed `trainedWeightBits`; `notes` say which trained widths the
 * profile forced to its own width.
 */
function deployedWeightBits(
  profile: BackendProfile,
  options: Pick<CompileOptions, 'weightBits' | 'trainedWeightBits'>,
  nodes: readonly OnnxNode[],
): { bits: Map<string, number>; notes: string[] } {
  const bits = new Map<string, number>();
  const allowed = profile.mixedPrecision?.weightBits ?? (profile.weights ? [profile.weights.bits] : []);
  const known = (name: string, field: string) => {
    if (!nodes.some((n) => n.name === name)) throw invalid(profile, `options.${field}.${name}: no node of that name`);
  };
  for (const [name, b] of Object.entries(options.weightBits ?? {})) {
    known(name, 'weightBits');
    if (!allowed.includes(b))
      throw invalid(profile, `options.weightBits.${name}: ${b}-bit weights are not allowed by ${profile.id} (allowed: ${allowed.join(', ')})`);
    bits.set(name, b);
  }
  const forced = new Map<number, string[]>();
  for (const [name, b] of Object.entries(options.trainedWeightBits ?? {})) {
    known(name, 'trainedWeightBits');
    if (bits.has(name) || profile.weights === null) continue;
    if (allowed.includes(b)) bits.set(name, b);
    else forced.set(b, [...(forced.get(b) ?? []), name]);
  }
  const notes = [...forced].map(
    ([b, names]) =>
      `${names.length} node(s) trained at ${b}-bit weights deployed at ${profile.weights!.bits}-bit: ${profile.id} allows ${allowed.join(' / ')}-bit weights only (${names.join(', ')})`,
  );
  return { bits, notes };
}

function opsetNeeded(profile: BackendProfile, actGrid: TensorGrid | undefined, plan: CompilePlan): { opset: number; why: string } {
  const reasons: string[] = [];
  if (actGrid !== undefined && actGrid.bits !== 8 && plan.activationTensors.length > 0) reasons.push(`${actGrid.bits}-bit activations`);
  const bits = new Set(plan.nodes.filter((p) => p.quantizeWeight).map((p) => p.coverage.weightBits!));
  for (const b of bits) if (b !== 8) reasons.push(`${b}-bit weights`);
  const g = profile.weights?.granularity;
  if (typeof g === 'object' && g.kind === 'per-group' && bits.size > 0) reasons.push('blocked (per-group) weights');
  return reasons.length > 0 ? { opset: 21, why: `${reasons.join(' and ')} (Q/DQ)` } : { opset: 13, why: '' };
}

function approximationsOf(
  profile: BackendProfile,
  actGrid: TensorGrid | undefined,
  plan: CompilePlan,
  biases: readonly BiasQParams[],
  emulateRounding: boolean,
  biasCorrection: { corrections: readonly BiasCorrection[]; skipped: readonly BiasCorrectionSkip[] } | undefined,
  equalization: { equalized: readonly Equalization[]; skipped: readonly EqualizationSkip[]; passes: number } | undefined,
): string[] {
  const notes: string[] = [];
  const fallbacks = plan.nodes.filter((p) => !p.coverage.onAccelerator).length;
  if (profile.fallback.target === 'fp16' && fallbacks > 0)
    notes.push('fp16 fallback: tensors rounded to float16 between ops, arithmetic inside ops in float32');
  if (profile.fallback.target === 'cpu-int8' && fallbacks > 0)
    notes.push('cpu-int8 fallback: ops after the cut keep the profile numerics (no CPU kernel differences modelled)');
  if (profile.fallback.policy === 'graph-cut' && fallbacks > 0)
    notes.push(`graph-cut: ${fallbacks} node(s) cut out to the host in float32; the vendor flow needs these cuts made by hand`);
  if (actGrid !== undefined && actGrid.rounding !== 'half-even' && !emulateRounding && profile.activationMode === 'static') {
    notes.push(
      `activation rounding ${actGrid.rounding} emulated by QuantizeLinear (half-even): differs at exact ties only (compile with emulateRounding for exact ties)`,
    );
  }
  if (!('bits' in profile.activations) && profile.activations.kind === 'float16')
    notes.push('float16 activations: tensors rounded to float16 between ops, arithmetic inside ops in float32');
  if (profile.requant !== 'float') notes.push(`requant ${profile.requant}: integer requantization emulated with float rescaling (LSB differences possible)`);
  if (profile.accumulator !== undefined && profile.accumulator.bits < 32) notes.push(`${profile.accumulator.bits}-bit accumulator saturation not modelled`);
  const wide = biases.filter((b) => b.stored === 'float32');
  if (wide.length > 0) notes.push(`${wide[0]!.bits}-bit biases baked as float32 q·s (no ${wide[0]!.bits}-bit DequantizeLinear)`);
  const clamped = biases.reduce((a, b) => a + b.clamped, 0);
  if (clamped > 0) notes.push(`${clamped} bias value(s) clamped to the ${profile.bias?.bits}-bit bias range`);
  const notApplied = [...(profile.preQuant ?? []), ...(profile.postQuant ?? [])].filter(
    (t) => !(t === 'biasCorrection' && biasCorrection !== undefined) && !(t === 'equalization' && equalization !== undefined),
  );
  if (notApplied.length > 0) notes.push(`transforms not applied: ${notApplied.join(', ')}`);
  if (equalization !== undefined) {
    const { equalized, skipped, passes } = equalization;
    notes.push(
      equalized.length === 0
        ? 'equalization: applied to nothing (no Conv → [Relu | LeakyRelu | PRelu] → Conv or Gemm/MatMul → [Relu | LeakyRelu | PRelu] → Gemm/MatMul pair with private constant weights)'
        : `equalization: ${equalized.length} layer pair(s) equalized in ${passes} pass(es) (cross-layer scaling s = √(r1/r2) of the float weights, AIMET formula; no high-bias absorption; ` +
            'pairs through MaxPool / Flatten / Add and grouped consumers are not equalized, whereas the vendor tool may)',
    );
    if (skipped.length > 0)
      notes.push(
        `equalization skipped ${skipped.length} pair(s): ${skipped.map((s) => `${s.producer}${s.consumer !== undefined ? ` → ${s.consumer}` : ''} (${s.reason})`).join(', ')}`,
      );
  }
  if (biasCorrection !== undefined) {
    const { corrections, skipped } = biasCorrection;
    const added = corrections.filter((c) => c.added).length;
    notes.push(
      `biasCorrection: ${corrections.length} Conv/Gemm bias(es) corrected${added > 0 ? ` (${added} zero bias(es) added)` : ''} by exact per-channel mean matching over the calibration samples ` +
        '(float input vs its fake-quantized value, all output positions); NNCF instead runs the quantized layer on its per-channel mean float input, keeps a shift only when max|shift/b| < 2 and leaves bias-less layers alone, so its corrections can differ',
    );
    if (skipped.length > 0) notes.push(`biasCorrection skipped ${skipped.length} node(s): ${skipped.map((s) => `${s.node} (${s.reason})`).join(', ')}`);
  }
  if (profile.mixedPrecision !== undefined)
    notes.push(
      `mixed precision (${profile.mixedPrecision.weightBits.join('/')}-bit weights): widths per node from options.weightBits, otherwise ${profile.weights?.bits}-bit`,
    );
  if (plan.uncheckedLimits.length > 0) notes.push(`op limits not checked: ${plan.uncheckedLimits.join(', ')}`);
  return notes;
}
