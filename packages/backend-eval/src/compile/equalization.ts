import { implicitInputs, type OnnxModel, type OnnxNode, type OnnxTensor } from '@quant-trim/onnx-export';
import { inputAxis, outputAxis } from './weights.js';

/** One producer → [activation] → consumer pair rescaled by the `equalization` pre-quantization transform. */
export interface Equalization {
  /** The Conv / Gemm / MatMul whose output channels were divided by `s`. */
  readonly producer: string;
  /** The positively homogeneous activation between the two (Relu, LeakyRelu, PRelu), absent when the producer feeds the consumer directly. */
  readonly activation?: string;
  /** The Conv / Gemm / MatMul whose input channels were multiplied by `s`. */
  readonly consumer: string;
  /** Channels between the two layers (the length of `s`). */
  readonly channels: number;
  /** `max_i s[i]` / `min_i s[i]` of the total scale applied over all passes (1 for channels left alone). */
  readonly maxScale: number;
  readonly minScale: number;
}

/** A candidate pair the transform leaves alone, and why. */
export interface EqualizationSkip {
  readonly producer: string;
  readonly consumer?: string;
  readonly reason: string;
}

export interface EqualizationOptions {
  /**
   * Also equalize pairs with a MatMul (constant 2-D B) producer or consumer. Default false: AIMET's
   * cross-layer scaling covers Conv layers only, and an ONNX MatMul with a constant B is mostly a
   * projection of a rank-3 tensor (bias in a separate Add, attention blocks), so such pairs are
   * listed as skipped unless asked for.
   */
  readonly matMul?: boolean;
}

/** Most passes over the pairs (stops earlier once a pass changes no scale by more than `PASS_TOLERANCE`). */
export const EQUALIZATION_PASSES = 8;
/** A pass after the first leaves a pair alone when every `|ln s[i]|` is below this. */
const PASS_TOLERANCE = 1e-3;

/** Activations with `f(s·x) = s·f(x)` for every `s > 0` (elementwise; a PRelu slope is per channel, so unchanged). */
const HOMOGENEOUS = new Set(['Relu', 'LeakyRelu', 'PRelu']);
/** Elementwise ops between two layers that break the scaling (reported as skips; Hailo skips GELU the same way, docs/backends.md#hailo8-w4a8). */
const NON_HOMOGENEOUS = new Set([
  'Clip',
  'Sigmoid',
  'HardSigmoid',
  'HardSwish',
  'Tanh',
  'Gelu',
  'Erf',
  'Elu',
  'Selu',
  'Celu',
  'Softplus',
  'Softsign',
  'Mish',
  'ThresholdedRelu',
  'Exp',
  'Log',
  'Sqrt',
]);
const MAC = new Set(['Conv', 'Gemm', 'MatMul']);

const intAttr = (node: OnnxNode, name: string, fallback: number): number => {
  const a = node.attributes[name];
  return a?.type === 'int' ? a.value : fallback;
};

/** The side of a layer that gets scaled: channel `i` is the slice `i` of `weight` along `axis` (and `bias[i]` for producers). */
interface Side {
  readonly node: OnnxNode;
  readonly weight: string;
  readonly axis: number;
  readonly channels: number;
  readonly bias?: string;
  /** Conv tensors carry channels on axis 1, Gemm / MatMul tensors on the last axis. */
  readonly layout: 'conv' | 'linear';
}

interface Pair {
  readonly producer: Side;
  readonly activation?: OnnxNode;
  readonly consumer: Side;
  /** Total scale per channel over all passes (float64). */
  readonly total: Float64Array;
}

/**
 * Checks the weight of a Conv / Gemm / MatMul: a constant float32 initializer read by this node only.
 * Returns the reason when it is not.
 */
function weightProblem(model: OnnxModel, node: OnnxNode, readers: ReadonlyMap<string, number>): string | undefined {
  const name = node.inputs[1] ?? '';
  const w = model.graph.initializers.get(name);
  if (w === undefined || w.dataType !== 1) return `${node.name}: the weight is not a constant float32 initializer`;
  if ((readers.get(name) ?? 0) > 1) return `${node.name}: the weight '${name}' is shared with another node`;
  if (node.inputs[0] === name) return `${node.name}: the weight is also the data input`;
  if (node.opType !== 'Conv' && w.dims.length !== 2) return `${node.name}: ${w.dims.length}-D ${node.opType} weight (2-D only)`;
  if (node.opType === 'Conv' && w.dims.length < 3) return `${node.name}: Conv weight of rank ${w.dims.length}`;
  if (node.opType === 'Gemm' && intAttr(node, 'transA', 0) !== 0) return `${node.name}: Gemm with transA`;
  return undefined;
}

/** The output-channel side of a producer (any Conv group: output channel i is always W[i] and b[i]). */
function producerSide(model: OnnxModel, node: OnnxNode, readers: ReadonlyMap<string, number>): Side | string {
  const problem = weightProblem(model, node, readers);
  if (problem !== undefined) return problem;
  const w = model.graph.initializers.get(node.inputs[1]!)!;
  const axis = outputAxis(node);
  const channels = w.dims[axis]!;
  const biasName = node.inputs[2];
  if (node.opType === 'MatMul' || biasName === undefined || biasName === '')
    return { node, weight: w.name, axis, channels, layout: node.opType === 'Conv' ? 'conv' : 'linear' };
  const bias = model.graph.initializers.get(biasName);
  if (bias === undefined || bias.dataType !== 1) return `${node.name}: the bias is not a constant float32 initializer`;
  if ((readers.get(biasName) ?? 0) > 1) return `${node.name}: the bias '${biasName}' is shared with another node`;
  if (bias.data.length !== channels || (bias.dims.length > 0 && bias.dims[bias.dims.length - 1] !== channels))
    return `${node.name}: the bias is not one value per output channel`;
  return { node, weight: w.name, axis, channels, bias: biasName, layout: node.opType === 'Conv' ? 'conv' : 'linear' };
}

/** The input-channel side of a consumer (Conv group 1 only: a grouped / depthwise Conv mixes no channels). */
function consumerSide(model: OnnxModel, node: OnnxNode, readers: ReadonlyMap<string, number>): Side | string {
  const problem = weightProblem(model, node, readers);
  if (problem !== undefined) return problem;
  if (node.opType === 'Conv' && intAttr(node, 'group', 1) !== 1) return `${node.name}: grouped / depthwise Conv consumer (group ${intAttr(node, 'group', 1)})`;
  const w = model.graph.initializers.get(node.inputs[1]!)!;
  const axis = inputAxis(node);
  return { node, weight: w.name, axis, channels: w.dims[axis]!, layout: node.opType === 'Conv' ? 'conv' : 'linear' };
}

/** `max_i |t[slice i along axis]|` per channel, in float64. */
function channelRanges(t: OnnxTensor, axis: number): Float64Array {
  const channels = t.dims[axis]!;
  const inner = t.dims.slice(axis + 1).reduce((a, b) => a * b, 1);
  const out = new Float64Array(channels);
  const data = t.data as Float32Array;
  for (let e = 0; e < data.length; e++) {
    const c = Math.floor(e / inner) % channels;
    const v = Math.abs(data[e]!);
    if (v > out[c]!) out[c] = v;
  }
  return out;
}

/** `t[slice i along axis] · f[i]`, rounded to float32 once. */
function scaleChannels(t: OnnxTensor, axis: number, f: Float64Array): OnnxTensor {
  const inner = t.dims.slice(axis + 1).reduce((a, b) => a * b, 1);
  const data = t.data as Float32Array;
  const out = new Float32Array(data.length);
  for (let e = 0; e < data.length; e++) out[e] = data[e]! * f[Math.floor(e / inner) % f.length]!;
  return { ...t, data: out };
}

/**
 * Cross-layer equalization (Nagel et al. 2019, "Data-Free Quantization"; AIMET cross-layer scaling,
 * the Hailo Dataflow Compiler's `equalization`), in place, on a BatchNorm-folded float model
 * (docs/backends.md#order-of-steps, step 3; the float function is unchanged up to float32 rounding).
 *
 * Pairs: producer → [activation] → consumer where
 * - the producer is a Conv (any group: output channel i is `W1[i]`, `b1[i]`), a Gemm (transA 0; output
 *   channel on weight axis `transB ? 0 : 1`) or a MatMul with a 2-D weight (axis 1), whose weight (and
 *   bias) is a constant float32 initializer read only by it;
 * - its output is read by exactly one node and is no graph output; that node is the consumer, or a
 *   positively homogeneous activation (Relu, LeakyRelu, PRelu: `f(s·x) = s·f(x)` for `s > 0`) whose
 *   output is in turn read by the consumer only. Clip / Relu6 (finite bound), HardSwish, Sigmoid, Tanh,
 *   GELU… are skipped with a reason, as Hailo skips non-homogeneous activations;
 * - the consumer is a Conv with group 1 (input channel i is `W2[:, i]`), or a Gemm (transA 0; input
 *   channel on axis `transB ? 1 : 0`) or MatMul (axis 0, the rows of B `[K, N]`) whose weight is a
 *   constant float32 initializer read only by it, with as many input channels as the producer has
 *   output channels; Conv pairs with Conv, Gemm / MatMul with Gemm / MatMul (a Conv output carries its
 *   channels on axis 1, Gemm / MatMul contract the last axis).
 *
 * Per pair, with `r1[i] = max|W1[i, …]|` and `r2[i] = max|W2[:, i, …]|`: `s[i] = √(r1[i] / r2[i])`
 * (AIMET's `(1/r2)·√(r1·r2)`; 1 when r1 or r2 is 0), `W1[i] /= s[i]`, `b1[i] /= s[i]`, `W2[:, i] *= s[i]`,
 * after which both ranges equal `√(r1·r2)`. Scales are computed in float64 and each weight is rounded to
 * float32 once per rescale.
 *
 * A layer can be the consumer of one pair and the producer of the next (Conv → Relu → Conv → Relu →
 * Conv), and scaling the second pair's producer rows changes the first pair's consumer ranges, so the
 * pairs are rescaled in graph order in up to `EQUALIZATION_PASSES` passes (Nagel et al. iterate to
 * convergence); a pass after the first leaves a pair alone when all its `|ln s[i]|` < 1e-3, and the
 * loop stops once a pass changes nothing. Isolated pairs are balanced exactly by the first pass.
 * Gemm `alpha` / `beta` commute with the scaling, so any values are accepted. MatMul pairs only with
 * `options.matMul`.
 */
export function equalize(model: OnnxModel, options: EqualizationOptions = {}): { equalized: Equalization[]; skipped: EqualizationSkip[]; passes: number } {
  const { graph } = model;
  const readers = new Map<string, number>();
  const consumers = new Map<string, OnnxNode[]>();
  for (const n of graph.nodes)
    for (const i of new Set([...n.inputs, ...implicitInputs(n)])) {
      readers.set(i, (readers.get(i) ?? 0) + 1);
      consumers.set(i, [...(consumers.get(i) ?? []), n]);
    }
  const graphOutputs = new Set(graph.outputs.map((o) => o.name));

  const pairs: Pair[] = [];
  const skipped: EqualizationSkip[] = [];
  /** The single node reading `t`, or why there is none worth reporting (undefined: not a candidate at all). */
  const singleReader = (t: string): OnnxNode | string | undefined => {
    const next = consumers.get(t) ?? [];
    if (next.length === 0) return undefined;
    const relevant = next.some((n) => MAC.has(n.opType) || HOMOGENEOUS.has(n.opType) || NON_HOMOGENEOUS.has(n.opType));
    if (next.length > 1) return relevant ? `'${t}' is read by ${next.length} nodes (${next.map((n) => n.name).join(', ')})` : undefined;
    if (graphOutputs.has(t)) return relevant ? `'${t}' is also a graph output` : undefined;
    return next[0]!;
  };

  for (const node of graph.nodes) {
    if (!MAC.has(node.opType) || node.domain !== '') continue;
    const out = node.outputs[0] ?? '';
    let next = singleReader(out);
    if (next === undefined) continue;
    if (typeof next === 'string') {
      if (typeof producerSide(model, node, readers) !== 'string') skipped.push({ producer: node.name, reason: next });
      continue;
    }
    let activation: OnnxNode | undefined;
    if (HOMOGENEOUS.has(next.opType) && next.domain === '' && next.inputs[0] === out) {
      activation = next;
      next = singleReader(activation.outputs[0] ?? '');
      if (next === undefined) continue;
      if (typeof next === 'string') {
        if (typeof producerSide(model, node, readers) !== 'string') skipped.push({ producer: node.name, reason: `after ${activation.name}: ${next}` });
        continue;
      }
    } else if (NON_HOMOGENEOUS.has(next.opType)) {
      const after = singleReader(next.outputs[0] ?? '');
      if (typeof after === 'object' && MAC.has(after.opType)) {
        skipped.push({ producer: node.name, consumer: after.name, reason: `${next.opType} '${next.name}' between them is not positively homogeneous` });
      }
      continue;
    }
    const consumerNode = next;
    if (!MAC.has(consumerNode.opType) || consumerNode.domain !== '') continue;
    const skip = (reason: string) => skipped.push({ producer: node.name, consumer: consumerNode.name, reason });
    if (consumerNode.inputs[0] !== (activation?.outputs[0] ?? out)) {
      skip("the tensor is not the consumer's data input");
      continue;
    }
    const producer = producerSide(model, node, readers);
    if (typeof producer === 'string') {
      skip(producer);
      continue;
    }
    const consumer = consumerSide(model, consumerNode, readers);
    if (typeof consumer === 'string') {
      skip(consumer);
      continue;
    }
    if (producer.layout !== consumer.layout) {
      skip(`${node.opType} → ${consumerNode.opType}: the channel axes differ`);
      continue;
    }
    if (producer.channels !== consumer.channels) {
      skip(`${producer.channels} output channels vs ${consumer.channels} input channels`);
      continue;
    }
    if (options.matMul !== true && (node.opType === 'MatMul' || consumerNode.opType === 'MatMul')) {
      skip('MatMul pairs are equalized only when asked for (options.equalizeMatMul)');
      continue;
    }
    if (producer.weight === consumer.weight) {
      skip('the two layers share a weight');
      continue;
    }
    pairs.push({ producer, ...(activation !== undefined ? { activation } : {}), consumer, total: new Float64Array(producer.channels).fill(1) });
  }

  let passes = 0;
  for (let pass = 0; pass < EQUALIZATION_PASSES && pairs.length > 0; pass++) {
    let changed = false;
    for (const pair of pairs) {
      const w1 = graph.initializers.get(pair.producer.weight)!;
      const w2 = graph.initializers.get(pair.consumer.weight)!;
      const r1 = channelRanges(w1, pair.producer.axis);
      const r2 = channelRanges(w2, pair.consumer.axis);
      const s = new Float64Array(r1.length);
      let largest = 0;
      for (let i = 0; i < s.length; i++) {
        const v = r1[i]! > 0 && r2[i]! > 0 ? Math.sqrt(r1[i]! / r2[i]!) : 1;
        s[i] = Number.isFinite(v) && v > 0 ? v : 1;
        largest = Math.max(largest, Math.abs(Math.log(s[i]!)));
      }
      if (largest === 0 || (pass > 0 && largest < PASS_TOLERANCE)) continue;
      changed = true;
      const inverse = s.map((v) => 1 / v);
      graph.initializers.set(w1.name, scaleChannels(w1, pair.producer.axis, inverse));
      if (pair.producer.bias !== undefined) {
        const b = graph.initializers.get(pair.producer.bias)!;
        graph.initializers.set(b.name, scaleChannels(b, b.dims.length === 0 ? 0 : b.dims.length - 1, inverse));
      }
      graph.initializers.set(w2.name, scaleChannels(w2, pair.consumer.axis, s));
      for (let i = 0; i < s.length; i++) pair.total[i]! *= s[i]!;
    }
    if (!changed) break;
    passes = pass + 1;
  }

  const equalized = pairs.map((p) => ({
    producer: p.producer.node.name,
    ...(p.activation !== undefined ? { activation: p.activation.name } : {}),
    consumer: p.consumer.node.name,
    channels: p.producer.channels,
    maxScale: Math.max(...p.total),
    minScale: Math.min(...p.total),
  }));
  return { equalized, skipped, passes };
}
