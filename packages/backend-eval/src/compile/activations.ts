import { uniqueName, type OnnxModel, type OnnxNode, type OnnxTensorData } from '@quant-trim/onnx-export';
import { qparamsForRange, type RoundingMode } from '@quant-trim/quant-grid';
import type { BackendProfile, TensorGrid } from '../profiles/types.js';
import { invalid, type TensorStats } from './calibrate.js';
import { schemeFor, type Storage } from './grids.js';
import type { CompilePlan } from './plan.js';

export interface ActivationQParams {
  readonly tensor: string;
  readonly scale: number;
  readonly zeroPoint: number;
  readonly elemType: Storage['elemType'];
  /** Where the parameters come from. */
  readonly source: 'calibrated' | 'fixed' | 'shared' | 'min-range';
  /** Smallest / largest value the calibration pass observed (over the shared-scale group). */
  readonly observedMin: number;
  readonly observedMax: number;
  /** The representable range the chosen (s, zp) gives: `[(qmin − zp)·s, (qmax − zp)·s]`, the clip. */
  readonly clipMin: number;
  readonly clipMax: number;
}

export interface ActivationParams {
  readonly scale: number;
  readonly zeroPoint: number;
  readonly storage: Storage;
  readonly qmin: number;
  readonly qmax: number;
}

/**
 * (s, zp) of every planned activation tensor (docs/backends.md#range-to-scale-and-zero-point): the group's calibrator
 * over the union of its members, then `fixedOutput` (forced for the whole group), then the
 * profile's `minRange` guard (a range narrower than `minRange` is widened to it).
 */
export function activationParams(
  plan: CompilePlan,
  stats: { get(t: string): TensorStats | undefined },
  profile: BackendProfile,
  grid: TensorGrid,
): { params: Map<string, ActivationParams>; report: ActivationQParams[] } {
  const params = new Map<string, ActivationParams>();
  const report: ActivationQParams[] = [];
  const byGroup = new Map<string, { p: ActivationParams; source: ActivationQParams['source']; observedMin: number; observedMax: number }>();
  const fixedByGroup = new Map<string, string>();
  for (const [t] of plan.fixed) fixedByGroup.set(plan.group.get(t) ?? t, t);
  for (const t of plan.activationTensors) {
    const root = plan.group.get(t) ?? t;
    let entry = byGroup.get(root);
    if (entry === undefined) {
      const s = stats.get(t)!;
      const { scheme, storage } = schemeFor(grid, { kind: 'per-tensor' }, s.min, profile.id, 'activations');
      const fixedTensor = fixedByGroup.get(root);
      let source: ActivationQParams['source'] = 'calibrated';
      let scale: number;
      let zeroPoint: number;
      if (fixedTensor !== undefined) {
        const f = plan.fixed.get(fixedTensor)!;
        if (f.zeroPoint < scheme.qmin || f.zeroPoint > scheme.qmax) {
          throw invalid(profile, `fixedOutput zero point ${f.zeroPoint} of '${fixedTensor}' is outside the activation grid [${scheme.qmin}, ${scheme.qmax}]`);
        }
        ({ scale, zeroPoint } = f);
        source = 'fixed';
      } else {
        const qp = s.calibrator.compute(scheme);
        scale = qp.scale[0]!;
        zeroPoint = qp.zeroPoint[0]!;
        const lo = (scheme.qmin - zeroPoint) * scale;
        const hi = (scheme.qmax - zeroPoint) * scale;
        if (profile.minRange !== undefined && hi - lo < profile.minRange) {
          ({ scale, zeroPoint } = qparamsForRange(lo, lo + profile.minRange, scheme));
          source = 'min-range';
        }
      }
      entry = { p: { scale: Math.fround(scale), zeroPoint, storage, qmin: scheme.qmin, qmax: scheme.qmax }, source, observedMin: s.min, observedMax: s.max };
      byGroup.set(root, entry);
    }
    params.set(t, entry.p);
    const shared = root !== t && entry.source === 'calibrated';
    const { scale, zeroPoint, qmin, qmax } = entry.p;
    report.push({
      tensor: t,
      scale,
      zeroPoint,
      elemType: entry.p.storage.elemType,
      source: shared ? 'shared' : entry.source,
      observedMin: entry.observedMin,
      observedMax: entry.observedMax,
      clipMin: (qmin - zeroPoint) * scale,
      clipMax: (qmax - zeroPoint) * scale,
    });
  }
  return { params, report };
}

/**
 * Nodes computing `x̂ = (clamp(R(x/s) + zp, qmin, qmax) − zp)·s` in float with the tie rule `R`
 * (`emulateRounding`, docs/backends.md#onnx-runtime-representation): `Div → Round` (half-even), then at exact ties (|v − r| = ½)
 * `v + ½·sign(v)` (half-away) or `v + ½` (half-up) via `Where`; `Add zp → Clip → Sub zp → Mul s`.
 * Exact for every float32 input; ORT cannot fuse it into integer kernels.
 */
function roundingSubgraph(
  model: OnnxModel,
  input: string,
  output: string,
  p: ActivationParams,
  rounding: RoundingMode,
  taken: Set<string>,
  prefix: string,
): OnnxNode[] {
  const { graph } = model;
  const c = (suffix: string, value: number): string => {
    const name = uniqueName(taken, `${prefix}_${suffix}`);
    graph.initializers.set(name, { name, dataType: 1, dims: [], data: Float32Array.of(value) });
    return name;
  };
  const t = (suffix: string) => uniqueName(taken, `${prefix}_${suffix}`);
  const node = (opType: string, inputs: string[], out: string): OnnxNode => ({
    name: uniqueName(taken, `${prefix}_${opType}`),
    opType,
    domain: '',
    inputs,
    outputs: [out],
    attributes: {},
  });
  const [s, zp, lo, hi, half] = [c('scale', p.scale), c('zero_point', p.zeroPoint), c('qmin', p.qmin), c('qmax', p.qmax), c('half', 0.5)];
  const [v, r, d, ad, tie, adj, up, rr, shifted, clipped, centred] = [
    'v',
    'round',
    'diff',
    'absdiff',
    'tie',
    'adjust',
    'up',
    'rounded',
    'shifted',
    'clipped',
    'centred',
  ].map(t) as [string, string, string, string, string, string, string, string, string, string, string];
  const nodes = [node('Div', [input, s], v), node('Round', [v], r), node('Sub', [v, r], d), node('Abs', [d], ad), node('Equal', [ad, half], tie)];
  if (rounding === 'half-away') {
    const sign = t('sign');
    nodes.push(node('Sign', [v], sign), node('Mul', [sign, half], adj));
  } else {
    nodes.push(node('Identity', [half], adj));
  }
  nodes.push(
    node('Add', [v, adj], up),
    node('Where', [tie, up, r], rr),
    node('Add', [rr, zp], shifted),
    node('Clip', [shifted, lo, hi], clipped),
    node('Sub', [clipped, zp], centred),
    node('Mul', [centred, s], output),
  );
  return nodes;
}

/**
 * Inserts the activation quantizers of `plan` into `model`: a QuantizeLinear → DequantizeLinear
 * pair with rank-0 parameters per tensor (or, with `emulateRounding` and a non-half-even activation
 * rounding, the exact float subgraph). The output of a quantized op is replaced for every reader;
 * a tensor produced in float (or a graph input) is quantized only for its quantized readers.
 */
export function insertActivationQuantizers(
  model: OnnxModel,
  plan: CompilePlan,
  params: ReadonlyMap<string, ActivationParams>,
  rounding: RoundingMode,
  emulateRounding: boolean,
  taken: Set<string>,
): void {
  const { graph } = model;
  const quantizedNodes = new Set(plan.nodes.filter((p) => p.coverage.numerics === 'integer').map((p) => p.node));
  for (const t of plan.activationTensors) {
    const p = params.get(t)!;
    const producerIndex = graph.nodes.findIndex((n) => n.outputs.includes(t));
    const producer = graph.nodes[producerIndex];
    let input: string;
    let output: string;
    let at: number;
    if (producer !== undefined && quantizedNodes.has(producer)) {
      input = uniqueName(taken, `${t}_float`);
      producer.outputs = producer.outputs.map((o) => (o === t ? input : o));
      output = t;
      at = producerIndex + 1;
      graph.valueInfo = graph.valueInfo.filter((v) => v.name !== t);
    } else {
      input = t;
      output = uniqueName(taken, `${t}_dequantized`);
      const readers = graph.nodes.filter((n) => quantizedNodes.has(n) && n.inputs.includes(t));
      at = graph.nodes.indexOf(readers[0]!);
      for (const r of readers) r.inputs = r.inputs.map((i) => (i === t ? output : i));
    }
    let nodes: OnnxNode[];
    if (emulateRounding && rounding !== 'half-even') {
      nodes = roundingSubgraph(model, input, output, p, rounding, taken, t);
    } else {
      const scale = uniqueName(taken, `${t}_scale`);
      const zp = uniqueName(taken, `${t}_zero_point`);
      const q = uniqueName(taken, `${t}_quantized`);
      graph.initializers.set(scale, { name: scale, dataType: 1, dims: [], data: Float32Array.of(p.scale) });
      graph.initializers.set(zp, { name: zp, dataType: p.storage.dataType, dims: [], data: p.storage.ctor.of(p.zeroPoint) as OnnxTensorData });
      nodes = [
        { name: uniqueName(taken, `${t}_QuantizeLinear`), opType: 'QuantizeLinear', domain: '', inputs: [input, scale, zp], outputs: [q], attributes: {} },
        { name: uniqueName(taken, `${t}_DequantizeLinear`), opType: 'DequantizeLinear', domain: '', inputs: [q, scale, zp], outputs: [output], attributes: {} },
      ];
    }
    graph.nodes.splice(at, 0, ...nodes);
  }
}
