import { type OnnxModel, type OnnxNode, subgraphsOf, takenNames, uniqueName } from '@quant-trim/onnx-export';

/** Names new tensors and nodes must avoid: the graph's, and those defined inside its subgraphs. */
export function namesInUse(model: OnnxModel): Set<string> {
  const taken = takenNames(model);
  for (const n of model.graph.nodes) for (const g of subgraphsOf(n)) for (const name of g.definedNames) taken.add(name);
  return taken;
}

/**
 * The name each node of `model` is known by in coverage, MAC counts and reports: its own, or
 * `<opType>_<graph index>` (made unique against `taken`, which gains it) when the exporter left it
 * empty. Compilation, coverage and `countMacs` all name nodes this way, so their entries match.
 */
export function nodeNames(model: OnnxModel, taken: Set<string> = namesInUse(model)): Map<OnnxNode, string> {
  return new Map(model.graph.nodes.map((n, i) => [n, n.name !== '' ? n.name : uniqueName(taken, `${n.opType}_${i}`)]));
}

/** Gives every unnamed node of `model` its `nodeNames` name, in place. */
export function nameUnnamedNodes(model: OnnxModel, taken: Set<string>): void {
  for (const [node, name] of nodeNames(model, taken)) node.name = name;
}
