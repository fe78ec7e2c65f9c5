import type { OnnxModel, OnnxNode, ValueInfo } from './types.js';

const cloneValueInfo = (v: ValueInfo): ValueInfo => ({ ...v, ...(v.shape ? { shape: [...v.shape] } : {}) });

/**
 * A copy of the model's structure (graph, node lists, inputs/outputs, attribute records, the
 * initializer map) that edits can change freely. Tensor data and raw byte fields are shared:
 * nothing in this package writes to them.
 *
 * @example
 * const copy = cloneModel(model);
 * copy.graph.nodes.pop(); // `model` is unchanged
 */
export function cloneModel(model: OnnxModel): OnnxModel {
  const { graph } = model;
  return {
    ...model,
    opsetImports: model.opsetImports.map((o) => ({ ...o })),
    metadata: { ...model.metadata },
    graph: {
      ...graph,
      nodes: graph.nodes.map((n): OnnxNode => ({ ...n, inputs: [...n.inputs], outputs: [...n.outputs], attributes: { ...n.attributes } })),
      initializers: new Map(graph.initializers),
      inputs: graph.inputs.map(cloneValueInfo),
      outputs: graph.outputs.map(cloneValueInfo),
      valueInfo: graph.valueInfo.map(cloneValueInfo),
    },
  };
}

/** Every tensor name the graph defines or mentions, plus node names: what new names must avoid. */
export function takenNames(model: OnnxModel): Set<string> {
  const { graph } = model;
  const names = new Set<string>([
    ...graph.initializers.keys(),
    ...graph.inputs.map((v) => v.name),
    ...graph.outputs.map((v) => v.name),
    ...graph.valueInfo.map((v) => v.name),
  ]);
  for (const n of graph.nodes) {
    names.add(n.name);
    for (const t of [...n.inputs, ...n.outputs]) names.add(t);
  }
  return names;
}

/** `base` if free, else `base_1`, `base_2`, …; the result is added to `taken`. */
export function uniqueName(taken: Set<string>, base: string): string {
  let name = base;
  for (let i = 1; taken.has(name); i++) name = `${base}_${i}`;
  taken.add(name);
  return name;
}

/** The model's default-domain (`ai.onnx`) opset version, or 0 when it imports none. */
export function defaultOpset(model: OnnxModel): number {
  return model.opsetImports.find((o) => o.domain === '' || o.domain === 'ai.onnx')?.version ?? 0;
}
