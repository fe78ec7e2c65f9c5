import { QuantTrimError } from '@quant-trim/internal';
import { addOutputs, cloneModel, defaultOpset, readOnnx, takenNames, uniqueName, writeOnnx, type OnnxModel, type OnnxNode, type OnnxTensorData } from '@quant-trim/onnx-export';
import { computeQParams, computeRanges, defaultRegistry, quantize, type Calibrator, type Granularity } from '@quant-trim/quant-grid';
import type { BackendProfile, TensorGrid } from '../profiles/types.js';
import { schemeFor, type Storage } from './grids.js';

/** Ops this compiler emulates in integer (weights and activations quantized). */
export const INTEGER_OPS = ['Conv', 'Gemm', 'MatMul'] as const;

export interface CompileOptions {
  /** Shape of one calibration sample, without the batch axis. Default: the graph input's static shape after its first axis. */
  readonly inputShape?: readonly number[];
}

export interface NodeCoverage {
  readonly node: string;
  readonly opType: string;
  /** Quantized (Q/DQ on weights and activations); otherwise it runs in float32. */
  readonly integer: boolean;
  readonly reason?: string;
}

export interface ActivationQParams {
  readonly tensor: string;
  readonly scale: number;
  readonly zeroPoint: number;
  readonly elemType: Storage['elemType'];
}

export interface WeightQParams {
  /** The float initializer that was quantized. */
  readonly tensor: string;
  /** The DequantizeLinear output the integer op now reads. */
  readonly dequantized: string;
  /** Per-channel axis, absent for per-tensor. */
  readonly axis?: number;
  readonly scale: Float32Array;
  readonly zeroPoint: Int32Array;
  readonly elemType: Storage['elemType'];
}

export interface CompiledModel {
  /** The emulated QDQ model (float32 in and out). */
  readonly model: OnnxModel;
  bytes(): Uint8Array;
  /** One entry per node of the input graph, in graph order. */
  readonly coverage: readonly NodeCoverage[];
  readonly activations: readonly ActivationQParams[];
  readonly weights: readonly WeightQParams[];
  /** Samples and batches that went through the calibrators. */
  readonly calibration: { readonly samples: number; readonly batches: number };
  /** Profile features this compiler approximates or does not apply yet (free text, for reports). */
  readonly approximations: readonly string[];
}

type CalibrationData = AsyncIterable<Float32Array> | Iterable<Float32Array>;

const invalid = (profile: BackendProfile, message: string, details: Record<string, unknown> = {}): QuantTrimError =>
  new QuantTrimError({ code: 'QT_INVALID_ARGUMENT', message: `\`compileForBackend\` (${profile.id}): ${message}`, details: { profile: profile.id, ...details } });

/** Weight input index and per-channel (output channel) axis of an integer op. */
function weightAxis(node: OnnxNode): number {
  if (node.opType === 'Conv') return 0;
  if (node.opType === 'Gemm') {
    const t = node.attributes['transB'];
    return t?.type === 'int' && t.value !== 0 ? 0 : 1;
  }
  return 1; // MatMul B [K, N]
}

/**
 * Compiles a float ONNX model into the QDQ model that emulates `profile` in ONNX Runtime
 * (BACKENDS.md §4.1–4.2), in emulate mode with static activations:
 * 1. marks nodes: Conv / Gemm / MatMul with a constant float weight and an op type in
 *    `profile.ops.supported` run in integer, everything else in float32 (`per-op` fallback: only
 *    that node; `single-cut`: that node and every later node in graph order);
 * 2. runs the float model in onnxruntime-node over up to `profile.calibration.samples` samples,
 *    streaming each activation tensor that enters or leaves an integer op through its own
 *    quant-grid calibrator (`profile.calibration.method` / `options`); batches are never kept;
 * 3. derives activation (s, zp) per tensor (§3.0) and quantizes weights offline with the weight
 *    grid (per-channel on the output axis: Conv 0, Gemm `transB ? 0 : 1`, MatMul 1);
 * 4. writes weights as integer initializers + DequantizeLinear (exact, including the profile's
 *    weight rounding) and a QuantizeLinear → DequantizeLinear pair with rank-0 parameters on every
 *    activation edge of integer ops.
 *
 * Not handled yet (throw `QT_INVALID_ARGUMENT`): dynamic or float activations, weight-only
 * profiles, `graph-cut` fallback, per-group grids, explicit `[qmin, qmax]` ranges, models with
 * several inputs, opsets below 13, and 4/16-bit grids on models below opset 21 (export at 21).
 * Applied as float32 / not applied, listed in `approximations`: non-float32 fallback targets,
 * non-half-even activation rounding (QuantizeLinear rounds half-even: ties only), fused
 * activations, fixed outputs, shared scales, integer biases (biases stay float), `minRange`,
 * pre/post-quantization transforms.
 */
export async function compileForBackend(fp: Uint8Array | OnnxModel, profile: BackendProfile, calibration: CalibrationData, options: CompileOptions = {}): Promise<CompiledModel> {
  const weightGrid = profile.weights;
  const actGrid = profile.activations;
  if (weightGrid === null) throw invalid(profile, 'weight-only profiles (weights: null) are not supported yet');
  if (!('bits' in actGrid)) throw invalid(profile, `float (${actGrid.kind}) activations are not supported yet; only static integer activations`);
  if (profile.activationMode !== 'static') throw invalid(profile, 'dynamic activations are not supported yet; only static');
  if (profile.calibration.method === 'none') throw invalid(profile, "calibration method 'none' cannot give static activation parameters");
  if (profile.fallback.policy === 'graph-cut') throw invalid(profile, "fallback policy 'graph-cut' is not supported yet (cut the graph before compiling); per-op and single-cut are");
  if (actGrid.granularity !== 'per-tensor') throw invalid(profile, 'only per-tensor activation grids are supported');
  if (typeof weightGrid.granularity !== 'string' && weightGrid.granularity.kind === 'per-group') throw invalid(profile, 'per-group weight grids are not supported yet');

  const source = fp instanceof Uint8Array ? readOnnx(fp) : fp;
  const model = cloneModel(source);
  const { graph } = model;
  const opset = defaultOpset(model);
  if (opset < 13) throw invalid(profile, `the model imports opset ${opset}; per-axis Q/DQ needs opset 13 (re-export at 13 or later)`, { opset });
  const dataInputs = graph.inputs.filter((v) => !graph.initializers.has(v.name));
  if (dataInputs.length !== 1) throw invalid(profile, `models with exactly one input are supported, this one has ${dataInputs.length}`);
  const input = dataInputs[0]!;

  const taken = takenNames(model);
  graph.nodes.forEach((n, i) => {
    if (n.name === '') n.name = uniqueName(taken, `${n.opType}_${i}`);
  });

  // 1. Coverage.
  const supported = new Set(profile.ops.supported);
  const integerNodes = new Set<OnnxNode>();
  const coverage: NodeCoverage[] = [];
  let cutAt: string | undefined;
  for (const node of graph.nodes) {
    const entry = { node: node.name, opType: node.opType };
    if (cutAt !== undefined) {
      coverage.push({ ...entry, integer: false, reason: `after the single cut at '${cutAt}' (${profile.id})` });
      continue;
    }
    if (!supported.has(node.opType) || node.domain !== '') {
      coverage.push({ ...entry, integer: false, reason: `not supported by ${profile.id}` });
      if (profile.fallback.policy === 'single-cut') cutAt = node.name;
      continue;
    }
    if (!(INTEGER_OPS as readonly string[]).includes(node.opType)) {
      coverage.push({ ...entry, integer: false, reason: 'no integer emulation for this op yet: runs in float32 between quantized tensors' });
      continue;
    }
    const w = graph.initializers.get(node.inputs[1] ?? '');
    if (w === undefined || w.dataType !== 1 || (node.opType === 'MatMul' && w.dims.length !== 2)) {
      coverage.push({ ...entry, integer: false, reason: 'the weight is not a constant float32 initializer (2-D for MatMul)' });
      continue;
    }
    integerNodes.add(node);
    coverage.push({ ...entry, integer: true });
  }

  // Activation tensors of integer ops: the data input and the output.
  const actTensors: string[] = [];
  for (const node of integerNodes) {
    for (const t of [node.inputs[0]!, node.outputs[0]!]) if (!actTensors.includes(t)) actTensors.push(t);
  }

  // Opset needs.
  const actStorageBits = actGrid.bits;
  const needed = Math.max(actStorageBits === 8 ? 13 : 21, weightGrid.bits === 8 ? 13 : 21);
  if (integerNodes.size > 0 && needed > opset) {
    throw invalid(profile, `${actGrid.bits}-bit activations / ${weightGrid.bits}-bit weights need Q/DQ at opset ${needed}, the model imports opset ${opset} (re-export at opset ${needed})`, { opset, needed });
  }

  // 2. Streaming calibration.
  const stats = await calibrate(model, input.name, actTensors, profile, calibration, options.inputShape);

  // 3a. Activation parameters.
  const activations: ActivationQParams[] = [];
  const actStorage = new Map<string, { scale: number; zeroPoint: number; storage: Storage }>();
  for (const t of actTensors) {
    const s = stats.get(t)!;
    const { scheme, storage } = schemeFor(actGrid, { kind: 'per-tensor' }, s.min, profile.id, 'activations');
    const qp = s.calibrator.compute(scheme);
    const scale = qp.scale[0]!;
    const zeroPoint = qp.zeroPoint[0]!;
    actStorage.set(t, { scale, zeroPoint, storage });
    activations.push({ tensor: t, scale, zeroPoint, elemType: storage.elemType });
  }

  // 3b + 4a. Weights: integer initializers + DequantizeLinear.
  const weights: WeightQParams[] = [];
  const dqNodes: OnnxNode[] = [];
  const done = new Map<string, string>();
  for (const node of integerNodes) {
    const wName = node.inputs[1]!;
    const axis = weightAxis(node);
    const key = `${wName}\u0000${axis}`;
    const existing = done.get(key);
    if (existing !== undefined) {
      node.inputs[1] = existing;
      continue;
    }
    const w = graph.initializers.get(wName)!;
    const data = w.data as Float32Array;
    const perChannel = typeof weightGrid.granularity !== 'string';
    const granularity: Granularity = perChannel ? { kind: 'per-channel', axis } : { kind: 'per-tensor' };
    const wMin = data.reduce((m, v) => (v < m ? v : m), Infinity);
    const { scheme, storage } = schemeFor(weightGrid, granularity, wMin, profile.id, 'weights');
    const qp = computeQParams(computeRanges(data, w.dims, granularity), scheme);
    const codes = quantize(data, w.dims, qp, scheme);
    const dims = perChannel ? [qp.scale.length] : [];
    const names = {
      q: uniqueName(taken, `${wName}_quantized`),
      scale: uniqueName(taken, `${wName}_scale`),
      zp: uniqueName(taken, `${wName}_zero_point`),
      dq: uniqueName(taken, `${wName}_dequantized`),
      node: uniqueName(taken, `${wName}_DequantizeLinear`),
    };
    graph.initializers.set(names.q, { name: names.q, dataType: storage.dataType, dims: [...w.dims], data: storage.ctor.from(codes) as OnnxTensorData });
    graph.initializers.set(names.scale, { name: names.scale, dataType: 1, dims, data: Float32Array.from(qp.scale) });
    graph.initializers.set(names.zp, { name: names.zp, dataType: storage.dataType, dims, data: storage.ctor.from(qp.zeroPoint) as OnnxTensorData });
    dqNodes.push({ name: names.node, opType: 'DequantizeLinear', domain: '', inputs: [names.q, names.scale, names.zp], outputs: [names.dq], attributes: perChannel ? { axis: { type: 'int', value: axis } } : {} });
    node.inputs[1] = names.dq;
    done.set(key, names.dq);
    weights.push({ tensor: wName, dequantized: names.dq, ...(perChannel ? { axis } : {}), scale: Float32Array.from(qp.scale), zeroPoint: Int32Array.from(qp.zeroPoint), elemType: storage.elemType });
  }
  graph.nodes.unshift(...dqNodes);
  // Drop float weights nobody reads any more.
  const read = new Set([...graph.nodes.flatMap((n) => n.inputs), ...graph.outputs.map((v) => v.name), ...graph.inputs.map((v) => v.name)]);
  for (const { tensor } of weights) if (!read.has(tensor)) graph.initializers.delete(tensor);

  // 4b. Activation Q/DQ pairs.
  for (const t of actTensors) {
    const { scale, zeroPoint, storage } = actStorage.get(t)!;
    const names = {
      scale: uniqueName(taken, `${t}_scale`),
      zp: uniqueName(taken, `${t}_zero_point`),
      q: uniqueName(taken, `${t}_quantized`),
      qNode: uniqueName(taken, `${t}_QuantizeLinear`),
      dqNode: uniqueName(taken, `${t}_DequantizeLinear`),
    };
    graph.initializers.set(names.scale, { name: names.scale, dataType: 1, dims: [], data: Float32Array.of(scale) });
    graph.initializers.set(names.zp, { name: names.zp, dataType: storage.dataType, dims: [], data: storage.ctor.of(zeroPoint) as OnnxTensorData });
    const producerIndex = graph.nodes.findIndex((n) => n.outputs.includes(t));
    const producer = graph.nodes[producerIndex];
    if (producer !== undefined && integerNodes.has(producer)) {
      // Output of an integer op: every reader (and a graph output) sees the quantized tensor.
      const fpName = uniqueName(taken, `${t}_float`);
      producer.outputs = producer.outputs.map((o) => (o === t ? fpName : o));
      const q: OnnxNode = { name: names.qNode, opType: 'QuantizeLinear', domain: '', inputs: [fpName, names.scale, names.zp], outputs: [names.q], attributes: {} };
      const dq: OnnxNode = { name: names.dqNode, opType: 'DequantizeLinear', domain: '', inputs: [names.q, names.scale, names.zp], outputs: [t], attributes: {} };
      graph.nodes.splice(producerIndex + 1, 0, q, dq);
      graph.valueInfo = graph.valueInfo.filter((v) => v.name !== t);
    } else {
      // Produced in float (or a graph input): only the integer consumers read the quantized copy.
      const dqName = uniqueName(taken, `${t}_dequantized`);
      const consumers = graph.nodes.filter((n) => integerNodes.has(n) && n.inputs[0] === t);
      const first = graph.nodes.indexOf(consumers[0]!);
      for (const c of consumers) c.inputs[0] = dqName;
      const q: OnnxNode = { name: names.qNode, opType: 'QuantizeLinear', domain: '', inputs: [t, names.scale, names.zp], outputs: [names.q], attributes: {} };
      const dq: OnnxNode = { name: names.dqNode, opType: 'DequantizeLinear', domain: '', inputs: [names.q, names.scale, names.zp], outputs: [dqName], attributes: {} };
      graph.nodes.splice(first, 0, q, dq);
    }
  }

  const approximations = approximationsOf(profile, actGrid);
  return {
    model,
    bytes: () => writeOnnx(model),
    coverage,
    activations,
    weights,
    calibration: { samples: stats.samples, batches: stats.batches },
    approximations,
  };
}

function approximationsOf(profile: BackendProfile, actGrid: TensorGrid): string[] {
  const notes: string[] = [];
  if (profile.fallback.target !== 'float32') notes.push(`fallback target ${profile.fallback.target} emulated as float32`);
  if (actGrid.rounding !== 'half-even') notes.push(`activation rounding ${actGrid.rounding} emulated by QuantizeLinear (half-even): differs at exact ties only`);
  if (profile.fusedActivations?.length) notes.push(`fused activations (${profile.fusedActivations.join(', ')}) not grouped: the producer output is quantized before the activation`);
  if (profile.fixedOutput !== undefined) notes.push('fixedOutput not applied (only Conv/Gemm/MatMul outputs are quantized)');
  if (profile.sharedScale?.length) notes.push('sharedScale not applied');
  if (profile.bias !== null) notes.push('biases stay float32 (no integer bias emulation yet)');
  if (profile.minRange !== undefined) notes.push('minRange not applied');
  if (profile.preQuant?.length || profile.postQuant?.length) notes.push('preQuant/postQuant transforms not applied');
  return notes;
}

interface TensorStats {
  calibrator: Calibrator;
  min: number;
}

async function calibrate(
  model: OnnxModel,
  inputName: string,
  tensors: readonly string[],
  profile: BackendProfile,
  data: CalibrationData,
  inputShape: readonly number[] | undefined,
): Promise<{ get(t: string): TensorStats | undefined; samples: number; batches: number }> {
  const stats = new Map<string, TensorStats>();
  const method = profile.calibration.method as Parameters<typeof defaultRegistry.calibrator>[0];
  for (const t of tensors) {
    const calibrator = (defaultRegistry.calibrator as (name: string, options?: unknown) => Calibrator)(method, profile.calibration.options);
    stats.set(t, { calibrator, min: Infinity });
  }
  if (tensors.length === 0) return { get: (t) => stats.get(t), samples: 0, batches: 0 };

  const declared = model.graph.inputs.find((v) => v.name === inputName)?.shape?.slice(1);
  const sampleShape = inputShape ?? (declared?.every((d): d is number => typeof d === 'number') ? declared : undefined);
  if (sampleShape === undefined) throw invalid(profile, `the input '${inputName}' has no static sample shape; pass options.inputShape`);
  const sampleSize = sampleShape.reduce((a, b) => a * b, 1);
  const batchDim = model.graph.inputs.find((v) => v.name === inputName)?.shape?.[0];
  const fixedBatch = typeof batchDim === 'number' && batchDim > 0 ? batchDim : undefined;
  const probe = addOutputs(model, tensors.filter((t) => t !== inputName));

  const ort = await import('onnxruntime-node');
  const session = await ort.InferenceSession.create(writeOnnx(probe));
  let samples = 0;
  let batches = 0;
  const limit = profile.calibration.samples;
  try {
    for await (const batch of data) {
      if (!(batch instanceof Float32Array) || batch.length === 0 || batch.length % sampleSize !== 0) {
        throw invalid(profile, `calibration batch ${batches}: expected a non-empty Float32Array of whole samples of ${sampleSize} values [${sampleShape.join(', ')}]`);
      }
      const available = batch.length / sampleSize;
      if (fixedBatch !== undefined && available % fixedBatch !== 0) {
        throw invalid(profile, `calibration batch ${batches}: ${available} samples; the model's input has a fixed batch size of ${fixedBatch}, so batches must hold multiples of it`);
      }
      let n = Math.min(available, limit - samples);
      if (fixedBatch !== undefined) n -= n % fixedBatch;
      if (n === 0) break;
      // A model with a fixed batch size runs in chunks of it; each chunk is one calibrator batch.
      const chunk = fixedBatch ?? n;
      for (let start = 0; start < n; start += chunk) {
        const x = batch.subarray(start * sampleSize, (start + chunk) * sampleSize);
        const out = await session.run({ [inputName]: new ort.Tensor('float32', x, [chunk, ...sampleShape]) });
        for (const t of tensors) {
          const value = t === inputName ? x : (out[t]?.data as Float32Array);
          const dims = t === inputName ? [chunk, ...sampleShape] : out[t]!.dims;
          const s = stats.get(t)!;
          s.calibrator.observe(value, dims);
          for (let i = 0; i < value.length; i++) if (value[i]! < s.min) s.min = value[i]!;
        }
      }
      samples += n;
      batches++;
      if (samples >= limit) break;
    }
  } finally {
    await session.release();
  }
  if (samples === 0) throw invalid(profile, 'the calibration data yielded no samples');
  return { get: (t) => stats.get(t), samples, batches };
}
