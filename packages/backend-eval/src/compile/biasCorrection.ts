import { addOutputs, cloneModel, uniqueName, writeOnnx, type OnnxModel, type OnnxNode } from '@quant-trim/onnx-export';
import { roundHalfEven } from '@quant-trim/quant-grid';
import type { BackendProfile } from '../profiles/types.js';
import type { ActivationParams } from './activations.js';
import {
  calibrationFeeds,
  COMPILE_SESSION,
  fixedBatchOf,
  invalid,
  ortFeeds,
  type CalibrationData,
  type CalibrationProgress,
  type FeedCalibrationData,
  type InputSpec,
} from './calibrate.js';
import type { CompilePlan } from './plan.js';
import { biasCodes, quantizeWeights, type WeightQParams } from './weights.js';
import { ortCall } from '../runtime/sessions.js';

/** One bias rewritten by the `biasCorrection` post-quantization transform. */
export interface BiasCorrection {
  /** The corrected Conv / Gemm. */
  readonly node: string;
  /** The float bias initializer the node reads after correction (then quantized as usual). */
  readonly tensor: string;
  /** True when the node had no bias and a zero bias was added to carry the correction. */
  readonly added: boolean;
  /** Output channels. */
  readonly channels: number;
  /** `b'[c] − b[c] = mean_float[c] − mean_quant[c]` (float32). */
  readonly shift: Float32Array;
  /** `max_c |shift[c]|`. */
  readonly maxAbsShift: number;
}

/** A Conv / Gemm / MatMul the transform leaves alone, and why. */
export interface BiasCorrectionSkip {
  readonly node: string;
  readonly reason: string;
}

const intAttr = (node: OnnxNode, name: string, fallback: number): number => {
  const a = node.attributes[name];
  return a?.type === 'int' ? a.value : fallback;
};
const intsAttr = (node: OnnxNode, name: string): number[] | undefined => {
  const a = node.attributes[name];
  return a?.type === 'ints' ? a.value : undefined;
};
const stringAttr = (node: OnnxNode, name: string, fallback: string): string => {
  const a = node.attributes[name];
  return a?.type === 'string' ? a.value : fallback;
};

/** Per-tensor fake quantization as QuantizeLinear → DequantizeLinear computes it (half-even, saturating), in float32. */
export function fakeQuantizeValue(x: number, p: Pick<ActivationParams, 'scale' | 'zeroPoint' | 'qmin' | 'qmax'>): number {
  const q = Math.min(p.qmax, Math.max(p.qmin, roundHalfEven(Math.fround(x / p.scale)) + p.zeroPoint));
  return Math.fround((q - p.zeroPoint) * p.scale);
}

/**
 * Which input positions each kernel tap reads along one spatial axis of a Conv: `mask[k][i] = 1`
 * when `i = o·stride − padBegin + k·dilation` for some output position `o ∈ [0, outSize)` and
 * `0 ≤ i < size` (taps landing in the padding read zeros and are not counted). `outSize` and
 * `padBegin` follow ONNX Conv (explicit pads, or `auto_pad` SAME_UPPER / SAME_LOWER / VALID).
 */
export function convAxisMasks(
  size: number,
  kernel: number,
  stride: number,
  dilation: number,
  padBegin: number,
  padEnd: number,
  autoPad = 'NOTSET',
): { masks: Float64Array[]; outSize: number } {
  const span = (kernel - 1) * dilation + 1;
  let outSize: number;
  let begin = padBegin;
  if (autoPad === 'SAME_UPPER' || autoPad === 'SAME_LOWER') {
    outSize = Math.ceil(size / stride);
    const total = Math.max(0, (outSize - 1) * stride + span - size);
    begin = autoPad === 'SAME_UPPER' ? Math.floor(total / 2) : Math.ceil(total / 2);
  } else if (autoPad === 'VALID') {
    begin = 0;
    outSize = Math.floor((size - span) / stride) + 1;
  } else {
    outSize = Math.floor((size + padBegin + padEnd - span) / stride) + 1;
  }
  const masks = Array.from({ length: kernel }, (_, k) => {
    const m = new Float64Array(size);
    for (let o = 0; o < outSize; o++) {
      const i = o * stride - begin + k * dilation;
      if (i >= 0 && i < size) m[i] = 1;
    }
    return m;
  });
  return { masks, outSize: Math.max(0, outSize) };
}

/** Contracts `axis` of a row-major `data` of `shape` with `mask` (K × shape[axis]): that axis becomes K. */
function contractAxis(data: Float64Array, shape: readonly number[], axis: number, mask: readonly Float64Array[]): { data: Float64Array; shape: number[] } {
  const outer = shape.slice(0, axis).reduce((a, b) => a * b, 1);
  const inner = shape.slice(axis + 1).reduce((a, b) => a * b, 1);
  const size = shape[axis]!;
  const k = mask.length;
  const out = new Float64Array(outer * k * inner);
  for (let o = 0; o < outer; o++)
    for (let j = 0; j < k; j++) {
      const m = mask[j]!;
      const to = (o * k + j) * inner;
      for (let s = 0; s < size; s++) {
        const f = m[s]!;
        if (f === 0) continue;
        const from = (o * size + s) * inner;
        for (let i = 0; i < inner; i++) out[to + i]! += f * data[from + i]!;
      }
    }
  const next = [...shape];
  next[axis] = k;
  return { data: out, shape: next };
}

/** Geometry of a Conv for a given input sample shape `[C, S1..Sd]`. */
export interface ConvGeometry {
  /** Per spatial axis: tap masks over the input positions. */
  readonly masks: readonly (readonly Float64Array[])[];
  /** Output positions per sample: Π outSize. */
  readonly positions: number;
}

export function convGeometry(node: OnnxNode, weightDims: readonly number[], sampleShape: readonly number[]): ConvGeometry {
  const spatial = sampleShape.slice(1);
  const d = spatial.length;
  const kernel = intsAttr(node, 'kernel_shape') ?? weightDims.slice(2);
  const strides = intsAttr(node, 'strides') ?? new Array<number>(d).fill(1);
  const dilations = intsAttr(node, 'dilations') ?? new Array<number>(d).fill(1);
  const pads = intsAttr(node, 'pads') ?? new Array<number>(2 * d).fill(0);
  const autoPad = stringAttr(node, 'auto_pad', 'NOTSET');
  let positions = 1;
  const masks = spatial.map((size, a) => {
    const r = convAxisMasks(size, kernel[a]!, strides[a]!, dilations[a]!, pads[a]!, pads[a + d]!, autoPad);
    positions *= r.outSize;
    return r.masks;
  });
  return { masks, positions };
}

/**
 * Sum over all output positions of the im2col patch of one sample-summed input `[C, S1..Sd]`:
 * `P[ci, k1..kd] = Σ_positions x[ci, o1·s1 − p1 + k1·d1, …]` (padding contributes zeros).
 */
export function convPatchSums(sums: Float64Array, sampleShape: readonly number[], geometry: ConvGeometry): Float64Array {
  let t = { data: sums, shape: [...sampleShape] };
  geometry.masks.forEach((m, a) => {
    t = contractAxis(t.data, t.shape, a + 1, m);
  });
  return t.data;
}

/**
 * Per-output-channel mean of a Conv output from the mean input patch: `mean[m] = Σ_{j,k}
 * W[m, j, k]·P[g·Cg + j, k] / count + b[m]`, with `g = ⌊m / (M/groups)⌋` and `Cg = C/groups` (each
 * output channel sees only its group's input channels).
 */
export function convChannelMeans(
  patch: Float64Array,
  count: number,
  w: Float32Array,
  weightDims: readonly number[],
  groups: number,
  bias: ArrayLike<number>,
): Float64Array {
  const [m, cg] = weightDims as [number, number];
  const taps = weightDims.slice(2).reduce((a, b) => a * b, 1);
  const perGroup = m / groups;
  const out = new Float64Array(m);
  for (let oc = 0; oc < m; oc++) {
    const g = Math.floor(oc / perGroup);
    let acc = 0;
    for (let j = 0; j < cg; j++) {
      const pBase = (g * cg + j) * taps;
      const wBase = (oc * cg + j) * taps;
      for (let k = 0; k < taps; k++) acc += w[wBase + k]! * patch[pBase + k]!;
    }
    out[oc] = acc / count + bias[oc]!;
  }
  return out;
}

/** Per-output-channel mean of a Gemm (transA = 0, alpha = beta = 1) from the summed input rows: `mean[c] = Σ_k W(k, c)·R[k] / rows + b[c]`. */
export function gemmChannelMeans(
  rowSums: Float64Array,
  rows: number,
  w: Float32Array,
  weightDims: readonly number[],
  transB: boolean,
  bias: ArrayLike<number>,
): Float64Array {
  const [k, n] = transB ? [weightDims[1]!, weightDims[0]!] : [weightDims[0]!, weightDims[1]!];
  const out = new Float64Array(n);
  for (let c = 0; c < n; c++) {
    let acc = 0;
    for (let i = 0; i < k; i++) acc += w[transB ? c * k + i : i * n + c]! * rowSums[i]!;
    out[c] = acc / rows + bias[c]!;
  }
  return out;
}

/** Dequantized weight of `entry` as its DequantizeLinear computes it: `fround((q − zp)·s)`, per tensor, per axis or per block. */
function dequantizedWeight(model: OnnxModel, entry: WeightQParams): Float32Array {
  const dq = model.graph.nodes.find((n) => n.outputs[0] === entry.dequantized)!;
  const codes = model.graph.initializers.get(dq.inputs[0]!)!;
  const dims = codes.dims;
  const out = new Float32Array(codes.data.length);
  const axis = entry.axis;
  const inner = axis === undefined ? 1 : dims.slice(axis + 1).reduce((a, b) => a * b, 1);
  const len = axis === undefined ? 1 : dims[axis]!;
  const block = entry.blockSize;
  const blocks = block === undefined ? 0 : Math.ceil(len / block);
  for (let i = 0; i < out.length; i++) {
    let p = 0;
    if (axis !== undefined) {
      const ca = Math.floor(i / inner) % len;
      p = block === undefined ? ca : (Math.floor(i / (inner * len)) * blocks + Math.floor(ca / block)) * inner + (i % inner);
    }
    out[i] = Math.fround((Number(codes.data[i]) - entry.zeroPoint[p]!) * entry.scale[p]!);
  }
  return out;
}

interface Target {
  readonly node: OnnxNode;
  readonly input: string;
  readonly params: ActivationParams;
  readonly w: Float32Array;
  readonly wq: Float32Array;
  readonly wDims: readonly number[];
  readonly bias: Float32Array;
  /** The quantized bias the compiled model adds (b itself when the profile keeps it float). */
  readonly biasQ: Float32Array;
  readonly biasName: string | undefined;
  readonly channels: number;
}

/** Running sums over samples of one corrected layer input (float and fake-quantized). */
interface InputSums {
  readonly params: ActivationParams;
  float: Float64Array | undefined;
  quant: Float64Array | undefined;
  /** Per-sample shape (Conv `[C, S..]`, Gemm `[K]`), rows per sample. */
  shape: readonly number[] | undefined;
  rows: number;
}

export interface BiasCorrectionInput {
  /** The BN-folded float model (modified in place: corrected biases written, zero biases added). */
  readonly model: OnnxModel;
  /** The model's data inputs and their sample shapes. */
  readonly inputs: readonly InputSpec[];
  readonly plan: CompilePlan;
  readonly params: ReadonlyMap<string, ActivationParams>;
  readonly profile: BackendProfile;
  /** The data of the second pass (the same batches as calibration, cut at the same sample count). */
  readonly data: CalibrationData | FeedCalibrationData;
  /** Samples the calibration pass used: the second pass must see the same number. */
  readonly samples: number;
  readonly taken: Set<string>;
}

/**
 * NNCF-style fast bias correction (docs/backends.md#bias-correction), exact over the calibration samples.
 * For every weight-quantized integer Conv / Gemm whose input has static activation parameters:
 * `b'[c] = b[c] + mean_float[c] − mean_quant[c]`, where `mean_float` is the per-channel mean of the
 * layer output over samples and positions for the float model's input `x`, float `W` and `b`, and
 * `mean_quant` the same for `x̂ = fq(x)` (the input fake-quantized with the node's own input
 * parameters, half-even as QuantizeLinear), the dequantized weight `Ŵ` and the quantized bias `b̂`.
 * A linear layer's mean output is `W[c]·(mean input patch) + b[c]`, so one pass accumulates only
 * `Σ_n x[n]` and `Σ_n x̂[n]` per input tensor; the mean patches follow from the tap masks. A node
 * without a bias gets a zero bias to carry the correction. The model is changed in place; weights
 * are quantized here on a scratch copy only to read `Ŵ`.
 */
export async function applyBiasCorrection(input: BiasCorrectionInput): Promise<{ corrections: BiasCorrection[]; skipped: BiasCorrectionSkip[] }> {
  const { model, inputs, plan, params, profile, taken } = input;
  const { graph } = model;
  const scratch = cloneModel(model);
  const scratchNodes = new Map(scratch.graph.nodes.map((n) => [n.name, n]));
  const scratchPlan = plan.nodes.map((p) => ({ ...p, node: scratchNodes.get(p.node.name)! }));
  const { byNode } = quantizeWeights(scratch, scratchPlan, profile, new Set(taken));
  const readers = readersOf(model);

  const targets: Target[] = [];
  const skipped: BiasCorrectionSkip[] = [];
  for (const [i, p] of plan.nodes.entries()) {
    const node = p.node;
    if (!p.quantizeWeight || p.coverage.numerics !== 'integer') continue;
    const skip = (reason: string) => skipped.push({ node: node.name, reason });
    if (node.opType === 'MatMul') {
      skip('MatMul has no bias input');
      continue;
    }
    const entry = byNode.get(scratchPlan[i]!.node);
    const ap = params.get(node.inputs[0]!);
    if (entry === undefined || ap === undefined) {
      skip('input not statically quantized');
      continue;
    }
    const wInit = graph.initializers.get(node.inputs[1]!)!;
    const wDims = wInit.dims;
    const channels = node.opType === 'Conv' ? wDims[0]! : intAttr(node, 'transB', 0) !== 0 ? wDims[0]! : wDims[1]!;
    if (node.opType === 'Conv' && (wDims.length < 3 || channels % intAttr(node, 'group', 1) !== 0)) {
      skip('unsupported Conv weight');
      continue;
    }
    const bName = node.inputs[2];
    let bias: Float32Array;
    if (bName === undefined || bName === '') bias = new Float32Array(channels);
    else {
      const b = graph.initializers.get(bName);
      if (b === undefined || b.dataType !== 1 || b.dims.length !== 1 || b.data.length !== channels) {
        skip('the bias is not a 1-D float32 initializer of one value per output channel');
        continue;
      }
      bias = b.data as Float32Array;
    }
    const codes = profile.bias === null ? undefined : biasCodes(bias, entry, ap.scale, profile.bias);
    const biasQ = codes === undefined ? bias : Float32Array.from(codes.codes, (q, c) => Math.fround(q * codes.scale[c]!));
    targets.push({
      node,
      input: node.inputs[0]!,
      params: ap,
      w: wInit.data as Float32Array,
      wq: dequantizedWeight(scratch, entry),
      wDims,
      bias,
      biasQ,
      biasName: bName === '' ? undefined : bName,
      channels,
    });
  }
  if (targets.length === 0) return { corrections: [], skipped };

  // One accumulator per (input tensor, activation params).
  const sums = new Map<string, InputSums>();
  const keyOf = (t: Target) => `${t.input}\u0000${t.params.scale}\u0000${t.params.zeroPoint}\u0000${t.params.qmin}\u0000${t.params.qmax}`;
  for (const t of targets) if (!sums.has(keyOf(t))) sums.set(keyOf(t), { params: t.params, float: undefined, quant: undefined, shape: undefined, rows: 0 });
  const tensors = [...new Set(targets.map((t) => t.input))];

  const shapes = new Map(inputs.map((v) => [v.name, v.sampleShape]));
  const ort = await import('onnxruntime-node');
  const session = await ortCall('onnxruntime-node', 'load the float model', () =>
    ort.InferenceSession.create(
      writeOnnx(
        addOutputs(
          model,
          tensors.filter((t) => !shapes.has(t)),
        ),
      ),
      COMPILE_SESSION,
    ),
  );
  const progress: CalibrationProgress = { samples: 0, batches: 0 };
  try {
    for await (const feed of calibrationFeeds(input.data, profile, inputs, fixedBatchOf(model, inputs), progress)) {
      const { feeds, rows: n } = ortFeeds(ort, feed, inputs);
      const out = await ortCall('onnxruntime-node', 'run the float model', () => session.run(feeds));
      for (const [key, s] of sums) {
        const name = key.slice(0, key.indexOf('\u0000'));
        const shape = shapes.get(name);
        const value = shape !== undefined ? feed[name]! : (out[name]!.data as Float32Array);
        const dims = shape !== undefined ? [n, ...shape] : out[name]!.dims.map(Number);
        // Gemm input [rows, K] (rows = samples here, but any leading size is summed); Conv [n, C, S..].
        const inner = dims.slice(1);
        const per = inner.reduce((a, b) => a * b, 1);
        if (s.shape === undefined) {
          s.shape = inner;
          s.float = new Float64Array(per);
          s.quant = new Float64Array(per);
        } else if (s.shape.join() !== inner.join()) {
          throw invalid(
            profile,
            `biasCorrection: the shape of '${name}' changed between calibration chunks ([${s.shape.join(', ')}] vs [${inner.join(', ')}])`,
          );
        }
        const f = s.float!;
        const q = s.quant!;
        for (let r = 0; r < dims[0]!; r++) {
          const base = r * per;
          for (let i = 0; i < per; i++) {
            const v = value[base + i]!;
            f[i]! += v;
            q[i]! += fakeQuantizeValue(v, s.params);
          }
        }
        s.rows += dims[0]!;
      }
    }
  } finally {
    await session.release();
  }
  if (progress.samples !== input.samples) {
    throw invalid(
      profile,
      `biasCorrection: the second pass over the calibration data saw ${progress.samples} samples, the calibration pass ${input.samples}; options.calibrationAgain must yield the same batches again`,
      {
        samples: progress.samples,
        expected: input.samples,
      },
    );
  }

  const corrections: BiasCorrection[] = [];
  for (const t of targets) {
    const s = sums.get(keyOf(t))!;
    let meanF: Float64Array;
    let meanQ: Float64Array;
    if (t.node.opType === 'Conv') {
      const groups = intAttr(t.node, 'group', 1);
      const geometry = convGeometry(t.node, t.wDims, s.shape!);
      const count = s.rows * geometry.positions;
      meanF = convChannelMeans(convPatchSums(s.float!, s.shape!, geometry), count, t.w, t.wDims, groups, t.bias);
      meanQ = convChannelMeans(convPatchSums(s.quant!, s.shape!, geometry), count, t.wq, t.wDims, groups, t.biasQ);
    } else {
      if (s.shape!.length !== 1) {
        skipped.push({ node: t.node.name, reason: 'Gemm input is not 2-D' });
        continue;
      }
      const transB = intAttr(t.node, 'transB', 0) !== 0;
      meanF = gemmChannelMeans(s.float!, s.rows, t.w, t.wDims, transB, t.bias);
      meanQ = gemmChannelMeans(s.quant!, s.rows, t.wq, t.wDims, transB, t.biasQ);
    }
    const shift = new Float32Array(t.channels);
    const corrected = new Float32Array(t.channels);
    let maxAbsShift = 0;
    for (let c = 0; c < t.channels; c++) {
      shift[c] = Math.fround(meanF[c]! - meanQ[c]!);
      corrected[c] = Math.fround(t.bias[c]! + shift[c]!);
      maxAbsShift = Math.max(maxAbsShift, Math.abs(shift[c]!));
    }
    const name = writeBias(model, t.node, t.biasName, corrected, readers, taken);
    corrections.push({ node: t.node.name, tensor: name, added: t.biasName === undefined, channels: t.channels, shift, maxAbsShift });
  }
  return { corrections, skipped };
}

/**
 * Applies the corrections an earlier `applyBiasCorrection` computed on the same model (same
 * calibration data and activation parameters) to the nodes of `model` they name, without another
 * pass over the data: a layer's correction depends only on its float input, its own input
 * parameters and its own weight and bias, so it is the same whichever other nodes are quantized.
 * Biases are rewritten or added exactly as `applyBiasCorrection` does; nodes not in `nodes` or
 * without a stored correction are left alone.
 */
export function applyStoredBiasCorrections(
  model: OnnxModel,
  stored: readonly BiasCorrection[],
  nodes: ReadonlySet<string>,
  taken: Set<string>,
): BiasCorrection[] {
  const { graph } = model;
  const readers = readersOf(model);
  const byNode = new Map(graph.nodes.map((n) => [n.name, n]));
  const out: BiasCorrection[] = [];
  for (const c of stored) {
    const node = byNode.get(c.node);
    if (node === undefined || !nodes.has(c.node)) continue;
    const bName = node.inputs[2] === '' ? undefined : node.inputs[2];
    const bias = bName === undefined ? new Float32Array(c.channels) : (graph.initializers.get(bName)!.data as Float32Array);
    const corrected = Float32Array.from(c.shift, (d, i) => Math.fround(bias[i]! + d));
    out.push({ ...c, tensor: writeBias(model, node, bName, corrected, readers, taken) });
  }
  return out;
}

/** How many nodes (and graph outputs) read each tensor. */
function readersOf(model: OnnxModel): Map<string, number> {
  const readers = new Map<string, number>();
  for (const n of model.graph.nodes) for (const i of n.inputs) readers.set(i, (readers.get(i) ?? 0) + 1);
  for (const o of model.graph.outputs) readers.set(o.name, (readers.get(o.name) ?? 0) + 1);
  return readers;
}

/**
 * Makes `node` read `corrected` as its bias: rewritten in place when only this node reads the bias
 * initializer, otherwise (or without a bias) as a new initializer. Returns the name it reads.
 */
function writeBias(
  model: OnnxModel,
  node: OnnxNode,
  biasName: string | undefined,
  corrected: Float32Array,
  readers: ReadonlyMap<string, number>,
  taken: Set<string>,
): string {
  const { graph } = model;
  const inPlace = biasName !== undefined && readers.get(biasName) === 1 && !graph.inputs.some((v) => v.name === biasName);
  const name = inPlace ? biasName : uniqueName(taken, biasName === undefined ? `${node.name}_bias` : `${biasName}_corrected`);
  graph.initializers.set(name, { name, dataType: 1, dims: [corrected.length], data: corrected });
  node.inputs[2] = name;
  return name;
}
