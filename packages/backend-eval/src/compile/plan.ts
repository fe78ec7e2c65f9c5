import { implicitInputs, inferElemTypes, type OnnxModel, type OnnxNode } from '@quant-trim/onnx-export';
import type { BackendProfile, FixedOutputParams, OpLimits } from '../profiles/types.js';

/** Ops whose second input is a weight quantized with the weight grid. */
export const INTEGER_OPS = ['Conv', 'Gemm', 'MatMul'] as const;

/**
 * Ops TFLite's CPU kernels run in int8, so an Edge TPU `cpu-int8` fallback keeps them quantized
 * (the ONNX spellings of the ops in CORE_ONNX_OPS).
 */
const CPU_INT8_OPS = new Set([
  'Conv',
  'Gemm',
  'MatMul',
  'Add',
  'Mul',
  'Relu',
  'Clip',
  'Sigmoid',
  'HardSwish',
  'Softmax',
  'MaxPool',
  'AveragePool',
  'GlobalAveragePool',
  'Flatten',
  'Reshape',
  'Transpose',
  'Concat',
]);

/** How a node's arithmetic is emulated. */
export type NodeNumerics = 'integer' | 'weight-only' | 'float16' | 'float32';

export interface NodeCoverage {
  readonly node: string;
  readonly opType: string;
  /** Runs with quantized numerics (integer activations, or quantized weights on a weight-only profile). */
  readonly integer: boolean;
  /** Placed on the profile's accelerator; otherwise on the fallback target. */
  readonly onAccelerator: boolean;
  readonly numerics: NodeNumerics;
  /** Weight width of a quantized Conv / Gemm / MatMul. */
  readonly weightBits?: number;
  /** Why the node is not on the accelerator or not quantized. */
  readonly reason?: string;
  /**
   * Needs no accelerator kernel: a shape computation or constant arithmetic the converter folds, an
   * Identity, or a layout Transpose at the graph input / output the converter absorbs. Never a cut,
   * never quantized, and not counted in the coverage summary.
   */
  readonly transparent?: true;
}

export interface PlannedNode {
  readonly node: OnnxNode;
  readonly coverage: NodeCoverage;
  /** Quantize input 1 (a constant float32 initializer) with the weight grid. */
  readonly quantizeWeight: boolean;
}

export interface CompilePlan {
  readonly nodes: readonly PlannedNode[];
  /** Float tensors that get a static activation quantizer, in graph order. */
  readonly activationTensors: readonly string[];
  /** Tensor → calibration group (tensors of a group share one calibrator and one (s, zp)). */
  readonly group: ReadonlyMap<string, string>;
  /** Tensor → forced parameters (fixedOutput). */
  readonly fixed: ReadonlyMap<string, FixedOutputParams>;
  /** Tensors inside a fused producer→activation chain: not quantized. */
  readonly fused: ReadonlySet<string>;
  /** Limit keys of `profile.ops.limits` the planner does not check. */
  readonly uncheckedLimits: readonly string[];
}

const CHECKED_LIMITS = new Set(['minWeightElements', 'constantB', 'fusedActivation', 'bits']);

export interface PlanOptions {
  /** Nodes forced to stay float (by name), as ORT's `nodes_to_exclude`. */
  readonly floatNodes?: ReadonlySet<string>;
  /** Weight width per node name (mixed-precision profiles). */
  readonly weightBits?: ReadonlyMap<string, number>;
}

/** Whether input 1 of a Conv / Gemm / MatMul is a constant float32 weight (2-D for MatMul). */
function hasConstantWeight(model: OnnxModel, node: OnnxNode): boolean {
  const w = model.graph.initializers.get(node.inputs[1] ?? '');
  return (INTEGER_OPS as readonly string[]).includes(node.opType) && w !== undefined && w.dataType === 1 && (node.opType !== 'MatMul' || w.dims.length === 2);
}

function limitsFor(profile: BackendProfile, opType: string): OpLimits {
  return { ...profile.ops.limits?.['*'], ...profile.ops.limits?.[opType] };
}

/**
 * Tensors whose values do not depend on the values of the graph's data input: initializers,
 * outputs of `Shape` / `Size` (only the input's shape), and outputs of nodes that read nothing
 * else (the Gather / Unsqueeze / Concat / Cast chains PyTorch writes around a dynamic flatten or
 * resize). A converter folds them at conversion time; random ops are never static.
 */
export function staticTensors(model: OnnxModel): Set<string> {
  const { graph } = model;
  const known = new Set<string>(['', ...graph.initializers.keys()]);
  for (const node of graph.nodes) {
    const plain = node.domain === '' || node.domain === 'ai.onnx';
    if (!plain || node.opType.startsWith('Random') || node.opType === 'Multinomial' || node.opType === 'Bernoulli') continue;
    const shapeOnly = node.opType === 'Shape' || node.opType === 'Size';
    if (shapeOnly || [...node.inputs, ...implicitInputs(node)].every((i) => known.has(i))) for (const o of node.outputs) known.add(o);
  }
  known.delete('');
  return known;
}

/**
 * Why `node` needs no accelerator kernel at all, or undefined: nodes whose outputs are all static
 * (`staticTensors`: shape computations and constant arithmetic, folded by the converter), Identity /
 * Constant nodes left after `normalizeGraph`, and a layout `Transpose` at the graph's input or output
 * (vendor converters absorb it into the model's input / output layout). Such nodes never cause a cut
 * and are not quantized.
 */
function transparentReason(
  node: OnnxNode,
  statics: ReadonlySet<string>,
  dataInputs: ReadonlySet<string>,
  graphOutputs: ReadonlySet<string>,
): string | undefined {
  if (node.domain !== '' && node.domain !== 'ai.onnx') return undefined;
  if (node.opType === 'Identity' || node.opType === 'Constant') return `${node.opType}: no computation, folded by the converter`;
  if (node.opType === 'Transpose' && node.outputs.length === 1) {
    if (dataInputs.has(node.inputs[0] ?? ''))
      return 'layout Transpose at the graph input: absorbed by the converter (the accelerator reads the input in this layout)';
    if (graphOutputs.has(node.outputs[0]!))
      return 'layout Transpose at the graph output: absorbed by the converter (the accelerator writes the output in this layout)';
  }
  if (node.outputs.length > 0 && node.outputs.every((o) => o === '' || statics.has(o))) {
    return node.opType === 'Shape' || node.opType === 'Size'
      ? 'shape computation: folded by the converter (reads only the input shape)'
      : 'shape computation: folded by the converter (no data-dependent input)';
  }
  return undefined;
}

/** Why `node` cannot run on the profile's accelerator, or undefined when it can. */
function unsupportedReason(model: OnnxModel, node: OnnxNode, profile: BackendProfile, options: PlanOptions): string | undefined {
  if (options.floatNodes?.has(node.name)) return 'kept in float by the floatNodes option';
  if (node.domain !== '' || !profile.ops.supported.includes(node.opType)) return `not supported by ${profile.id}`;
  const limits = limitsFor(profile, node.opType);
  const isMac = (INTEGER_OPS as readonly string[]).includes(node.opType);
  const w = model.graph.initializers.get(node.inputs[1] ?? '');
  if (isMac && limits['constantB'] === true && !hasConstantWeight(model, node)) return 'the weight is not a constant float32 initializer';
  if (isMac && typeof limits['minWeightElements'] === 'number' && (w === undefined || w.data.length < limits['minWeightElements'])) {
    return `weight has fewer than ${limits['minWeightElements']} elements`;
  }
  if (node.opType === 'Gemm' && isMac) {
    const attr = (name: string, d: number) => {
      const a = node.attributes[name];
      return a?.type === 'int' || a?.type === 'float' ? a.value : d;
    };
    if (attr('transA', 0) !== 0 || attr('alpha', 1) !== 1 || attr('beta', 1) !== 1) return 'Gemm with transA or alpha/beta ≠ 1 is not emulated';
  }
  return undefined;
}

/**
 * Marks every node of `model` (already BN-folded) against `profile`: placement (accelerator or
 * fallback per the fallback policy), numerics, weight quantization, and — for static integer
 * profiles — the activation tensors to quantize with their shared-scale groups, fixed outputs and
 * fused producer→activation chains (docs/backends.md#order-of-steps, step 2).
 */
export function planCompile(model: OnnxModel, profile: BackendProfile, options: PlanOptions = {}): CompilePlan {
  const { graph } = model;
  const weightOnly = !('bits' in profile.activations);
  const dynamic = profile.activationMode === 'dynamic';
  const fallbackNumerics: NodeNumerics = profile.fallback.target === 'fp16' || (weightOnly && profile.activations.kind === 'float16') ? 'float16' : 'float32';
  const nodes: PlannedNode[] = [];
  const statics = staticTensors(model);
  const dataInputs = new Set(graph.inputs.filter((v) => !graph.initializers.has(v.name)).map((v) => v.name));
  const graphOutputs = new Set(graph.outputs.map((o) => o.name));
  let cutAt: string | undefined;
  for (const node of graph.nodes) {
    const transparent = options.floatNodes?.has(node.name) ? undefined : transparentReason(node, statics, dataInputs, graphOutputs);
    if (transparent !== undefined) {
      nodes.push({
        node,
        coverage: { node: node.name, opType: node.opType, integer: false, onAccelerator: true, numerics: 'float32', reason: transparent, transparent: true },
        quantizeWeight: false,
      });
      continue;
    }
    let reason = cutAt === undefined ? unsupportedReason(model, node, profile, options) : `after the single cut at '${cutAt}'`;
    if (reason !== undefined && cutAt === undefined && profile.fallback.policy === 'single-cut' && !options.floatNodes?.has(node.name)) cutAt = node.name;
    if (reason !== undefined && profile.fallback.policy === 'graph-cut' && !reason.startsWith('kept'))
      reason = `${reason}: cut out of the accelerator graph (graph-cut), runs on the host`;
    const onAccelerator = reason === undefined;
    const isMac = (INTEGER_OPS as readonly string[]).includes(node.opType);
    const constantWeight = hasConstantWeight(model, node);
    let numerics: NodeNumerics;
    if (weightOnly) numerics = onAccelerator && constantWeight ? 'weight-only' : fallbackNumerics;
    else if (onAccelerator) numerics = dynamic && !constantWeight ? 'float32' : 'integer';
    else if (profile.fallback.target === 'cpu-int8' && !dynamic && CPU_INT8_OPS.has(node.opType) && !options.floatNodes?.has(node.name)) numerics = 'integer';
    else numerics = fallbackNumerics;
    if (dynamic && !isMac) numerics = numerics === 'integer' ? 'float32' : numerics;
    const quantizeWeight = constantWeight && (numerics === 'integer' || numerics === 'weight-only');
    const bits = quantizeWeight ? (options.weightBits?.get(node.name) ?? profile.weights?.bits) : undefined;
    const integer = numerics === 'integer' || numerics === 'weight-only';
    const why = reason ?? (integer ? undefined : dynamic ? 'dynamic profiles quantize only MatMul / Gemm inputs; this op runs in float32' : undefined);
    const coverage: NodeCoverage = {
      node: node.name,
      opType: node.opType,
      integer,
      onAccelerator,
      numerics,
      ...(bits !== undefined ? { weightBits: bits } : {}),
      ...(why !== undefined
        ? { reason: onAccelerator ? why : `${why}${integer ? ` → ${profile.fallback.target} (quantized numerics kept)` : ` → ${numerics}`}` }
        : {}),
    };
    nodes.push({ node, coverage, quantizeWeight });
  }

  const uncheckedLimits = [...new Set(Object.values(profile.ops.limits ?? {}).flatMap((l) => Object.keys(l)))].filter((k) => !CHECKED_LIMITS.has(k));
  if (weightOnly || dynamic) return { nodes, activationTensors: [], group: new Map(), fixed: new Map(), fused: new Set(), uncheckedLimits };
  return { nodes, ...staticActivationPlan(model, profile, nodes), uncheckedLimits };
}

function staticActivationPlan(model: OnnxModel, profile: BackendProfile, nodes: readonly PlannedNode[]) {
  const { graph } = model;
  const elemTypes = inferElemTypes(model);
  const statics = staticTensors(model);
  const isFloatData = (t: string) => t !== '' && !statics.has(t) && (elemTypes.get(t) ?? 1) === 1;
  const integerNodes = nodes.filter((p) => p.coverage.numerics === 'integer').map((p) => p.node);
  const integerSet = new Set(integerNodes);
  const consumers = new Map<string, OnnxNode[]>();
  for (const n of graph.nodes) for (const i of n.inputs) consumers.set(i, [...(consumers.get(i) ?? []), n]);
  const graphOutputs = new Set(graph.outputs.map((o) => o.name));

  // Fused producer→activation chains: intermediate tensors are never quantized.
  const fused = new Set<string>();
  for (const pattern of profile.fusedActivations ?? []) {
    const ops = pattern.split('+');
    for (const start of integerNodes) {
      if (start.opType !== ops[0] || limitsFor(profile, start.opType)['fusedActivation'] === false) continue;
      const chain: string[] = [];
      let current = start;
      let ok = true;
      for (const op of ops.slice(1)) {
        const out = current.outputs[0]!;
        const next = consumers.get(out);
        if (next?.length !== 1 || graphOutputs.has(out) || next[0]!.opType !== op || !integerSet.has(next[0]!)) {
          ok = false;
          break;
        }
        chain.push(out);
        current = next[0]!;
      }
      if (ok) for (const t of chain) fused.add(t);
    }
  }

  const activationTensors: string[] = [];
  const add = (t: string) => {
    if (isFloatData(t) && !fused.has(t) && !activationTensors.includes(t)) activationTensors.push(t);
  };
  for (const n of integerNodes) {
    const data =
      n.opType === 'Reshape'
        ? n.inputs.slice(0, 1)
        : (INTEGER_OPS as readonly string[]).includes(n.opType) && graph.initializers.has(n.inputs[1] ?? '')
          ? n.inputs.slice(0, 1)
          : n.inputs;
    for (const t of data) add(t);
    add(n.outputs[0]!);
  }

  // Shared-scale groups (union-find over tensors).
  const parent = new Map<string, string>();
  const find = (t: string): string => {
    let r = t;
    while (parent.has(r) && parent.get(r) !== r) r = parent.get(r)!;
    return r;
  };
  const union = (a: string, b: string) => {
    const ra = find(a);
    const rb = find(b);
    if (ra !== rb) parent.set(rb, ra);
  };
  const shared = new Set(profile.sharedScale ?? []);
  for (const n of integerNodes) {
    if (!shared.has(n.opType)) continue;
    const members = [...n.inputs, n.outputs[0]!].filter((t) => activationTensors.includes(t));
    for (const m of members.slice(1)) union(members[0]!, m);
  }
  const group = new Map(activationTensors.map((t) => [t, find(t)]));

  const fixed = new Map<string, FixedOutputParams>();
  for (const n of integerNodes) {
    const params = profile.fixedOutput?.[n.opType];
    if (params !== undefined && activationTensors.includes(n.outputs[0]!)) fixed.set(n.outputs[0]!, params);
  }
  return { activationTensors, group, fixed, fused };
}
