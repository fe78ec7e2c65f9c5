import { type OnnxModel, type OnnxNode, type OnnxTensor, inferShapes } from '@quant-trim/onnx-export';

type Shape = number[];
const ints = (node: OnnxNode, name: string): number[] | undefined => {
  const a = node.attributes[name];
  return a?.type === 'ints' ? a.value : undefined;
};

type Rule = (
  node: OnnxNode,
  input: (i: number) => Shape | undefined,
  initializers: ReadonlyMap<string, OnnxTensor>,
  opset: number,
) => Shape | Shape[] | undefined;

/** Output shapes (one, or one per output) of importable ops that onnx-export's `inferShapes` has no rule for. */
const EXTRA_RULES: Record<string, Rule> = {
  ConvTranspose(node, input) {
    const x = input(0);
    const w = input(1);
    if (x?.length !== 4 || w?.length !== 4) return undefined;
    const strides = ints(node, 'strides') ?? [1, 1];
    const pads = ints(node, 'pads') ?? [0, 0, 0, 0];
    const outputPadding = ints(node, 'output_padding') ?? [0, 0];
    const group = node.attributes['group']?.type === 'int' ? node.attributes['group'].value : 1;
    const size = (d: number) => strides[d]! * (x[2 + d]! - 1) + outputPadding[d]! + w[2 + d]! - pads[d]! - pads[d + 2]!;
    return [x[0]!, w[1]! * group, size(0), size(1)];
  },
  Slice(node, input, initializers) {
    const x = input(0);
    const values = (i: number) => {
      const t = node.inputs[i] ? initializers.get(node.inputs[i]!) : undefined;
      return t ? Array.from(t.data as BigInt64Array, Number) : undefined;
    };
    const [starts, ends, axes, steps] = [values(1), values(2), values(3), values(4)];
    if (x === undefined || !starts || !ends || steps?.some((s) => s !== 1)) return undefined;
    const out = [...x];
    starts.forEach((s, k) => {
      const a = axes?.[k] ?? k;
      const axis = a < 0 ? a + x.length : a;
      const clamp = (v: number) => Math.min(Math.max(v < 0 ? v + x[axis]! : v, 0), x[axis]!);
      out[axis] = Math.max(clamp(ends[k]!) - clamp(s), 0);
    });
    return out;
  },
  Split(node, input, initializers, opset) {
    const x = input(0);
    if (x === undefined) return undefined;
    const a = node.attributes['axis']?.type === 'int' ? node.attributes['axis'].value : 0;
    const axis = a < 0 ? a + x.length : a;
    const given = opset >= 13 ? (node.inputs[1] ? initializers.get(node.inputs[1]) : undefined) : undefined;
    const sizes = given ? Array.from(given.data as BigInt64Array, Number) : ints(node, 'split');
    const n = node.outputs.length;
    const even = Math.ceil(x[axis]! / n);
    return node.outputs.map((_, i) => x.map((d, k) => (k === axis ? (sizes?.[i] ?? (i === n - 1 ? x[axis]! - even * (n - 1) : even)) : d)));
  },
  ReduceMean(node, input, initializers) {
    const x = input(0);
    if (x === undefined) return undefined;
    const fromInput = node.inputs[1] ? initializers.get(node.inputs[1]) : undefined;
    const axes =
      (fromInput ? Array.from(fromInput.data as BigInt64Array, Number) : ints(node, 'axes'))?.map((a) => (a < 0 ? a + x.length : a)) ?? x.map((_, i) => i);
    const keep = node.attributes['keepdims']?.type !== 'int' || node.attributes['keepdims'].value === 1;
    return keep ? x.map((d, i) => (axes.includes(i) ? 1 : d)) : x.filter((_, i) => !axes.includes(i));
  },
};

/**
 * Static shapes of every tensor: `inferShapes` from @quant-trim/onnx-export, extended with the ops
 * above by cutting the graph at their outputs (each becomes a graph input of known shape) and
 * running shape inference again, until nothing new is learned.
 */
export function staticShapes(model: OnnxModel, inputShapes: Record<string, readonly number[]>, opset: number): Map<string, number[] | undefined> {
  const cut = new Map<string, Shape>();
  for (;;) {
    const nodes = model.graph.nodes.filter((n) => !n.outputs.every((o) => o === '' || cut.has(o)));
    const inputs = [...model.graph.inputs, ...[...cut].map(([name, shape]) => ({ name, elemType: 1, shape }))];
    const shapes = inferShapes({ ...model, graph: { ...model.graph, nodes, inputs } }, { inputShapes: { ...inputShapes, ...Object.fromEntries(cut) } });
    let learned = false;
    for (const node of nodes) {
      const rule = node.domain === '' || node.domain === 'ai.onnx' ? EXTRA_RULES[node.opType] : undefined;
      if (!rule || node.outputs.every((o) => o === '' || shapes.get(o) !== undefined)) continue;
      const result = rule(node, (i) => shapes.get(node.inputs[i] ?? ''), model.graph.initializers, opset);
      if (result === undefined) continue;
      const perOutput = Array.isArray(result[0]) ? (result as Shape[]) : [result as Shape];
      node.outputs.forEach((o, i) => {
        if (o === '' || perOutput[i] === undefined) return;
        cut.set(o, perOutput[i]!);
        learned = true;
      });
    }
    if (!learned) return shapes;
  }
}
