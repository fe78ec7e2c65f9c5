import { cloneModel, uniqueName, type OnnxModel, type OnnxNode } from '@quant-trim/onnx-export';

/** A rank-0 / one-element float initializer's value. */
function scalar(model: OnnxModel, name: string | undefined): number | undefined {
  const t = name === undefined || name === '' ? undefined : model.graph.initializers.get(name);
  return t?.dataType === 1 && t.data.length === 1 ? (t.data[0] as number) : undefined;
}

/** The float range a QuantizeLinear with constant rank-0 parameters can represent. */
function quantizerRange(model: OnnxModel, q: OnnxNode): [number, number] | undefined {
  const s = scalar(model, q.inputs[1]);
  const zpTensor = model.graph.initializers.get(q.inputs[2] ?? '');
  if (s === undefined || zpTensor === undefined || zpTensor.data.length !== 1) return undefined;
  const zp = Number(zpTensor.data[0]);
  const limits: Record<number, [number, number]> = { 2: [0, 255], 3: [-128, 127], 4: [0, 65535], 5: [-32768, 32767], 21: [0, 15], 22: [-8, 7] };
  const l = limits[zpTensor.dataType];
  return l === undefined ? undefined : [(l[0] - zp) * s, (l[1] - zp) * s];
}

/**
 * The native (ORT-fused) model with ONNX Runtime optimizer bugs worked around, or `model` itself
 * when none applies. ORT 1.30 at optimization level `extended` / `all` rejects its own rewrite of
 * `DequantizeLinear → Conv → Clip → QuantizeLinear` when the quantizer's range is wider than the
 * clip (ClipQuantFusion cannot drop the Clip, then the Conv is fused twice: "two nodes with same
 * node name"). Such a Clip is written as the equivalent `Min → Max` there, which ORT runs (in
 * float, as it would the unfusable Clip). The emulated model keeps the Clip.
 */
export function ortNativeModel(model: OnnxModel, taken: Set<string>): OnnxModel {
  const producer = new Map<string, OnnxNode>();
  const readers = new Map<string, OnnxNode[]>();
  for (const n of model.graph.nodes) {
    for (const o of n.outputs) producer.set(o, n);
    for (const i of n.inputs) readers.set(i, [...(readers.get(i) ?? []), n]);
  }
  const affected = model.graph.nodes.filter((n) => {
    if (n.opType !== 'Clip' || n.domain !== '' || producer.get(n.inputs[0] ?? '')?.opType !== 'Conv') return false;
    const lo = scalar(model, n.inputs[1]) ?? -Infinity;
    const hi = scalar(model, n.inputs[2]) ?? Infinity;
    if ((n.inputs[1] ?? '') !== '' && lo === -Infinity) return false;
    if ((n.inputs[2] ?? '') !== '' && hi === Infinity) return false;
    return (readers.get(n.outputs[0]!) ?? []).some((q) => {
      if (q.opType !== 'QuantizeLinear') return false;
      const range = quantizerRange(model, q);
      return range === undefined || range[0] < lo || range[1] > hi;
    });
  });
  if (affected.length === 0) return model;
  const native = cloneModel(model);
  const names = new Set(affected.map((n) => n.name));
  native.graph.nodes = native.graph.nodes.flatMap((n): OnnxNode[] => {
    if (!names.has(n.name)) return [n];
    const [x, lo, hi] = [n.inputs[0]!, n.inputs[1] ?? '', n.inputs[2] ?? ''];
    const out = n.outputs[0]!;
    const steps: OnnxNode[] = [];
    let current = x;
    if (hi !== '') {
      const next = lo !== '' ? uniqueName(taken, `${out}_min`) : out;
      steps.push({ name: uniqueName(taken, `${n.name}_Min`), opType: 'Min', domain: '', inputs: [current, hi], outputs: [next], attributes: {} });
      current = next;
    }
    if (lo !== '') steps.push({ name: uniqueName(taken, `${n.name}_Max`), opType: 'Max', domain: '', inputs: [current, lo], outputs: [out], attributes: {} });
    if (steps.length === 0) steps.push({ name: n.name, opType: 'Identity', domain: '', inputs: [x], outputs: [out], attributes: {} });
    return steps;
  });
  return native;
}
