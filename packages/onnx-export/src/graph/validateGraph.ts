import { QuantTrimError } from '@quant-trim/errors';
import { nodeLabel } from './nodeLabel.js';
import type { OnnxGraph } from './types.js';

/**
 * Checks the invariants ONNX runtimes rely on: every node input is `''` (omitted) or defined by
 * a graph input, an initializer or an earlier node; no tensor is produced twice; every graph
 * output is defined. `readOnnx` runs it on every model, so code handed an OnnxModel can walk
 * `nodes` in order without checks.
 *
 * @throws QuantTrimError `QT_ONNX_INVALID_GRAPH`, naming the node and tensor.
 * @example
 * validateGraph(model.graph); // throws: node 'conv' (Conv) consumes 'w', which …
 */
export function validateGraph(graph: OnnxGraph): void {
  const defined = new Set<string>([...graph.inputs.map((v) => v.name), ...graph.initializers.keys()]);
  const producedLater = new Map<string, string>();
  graph.nodes.forEach((node, i) => node.outputs.forEach((out) => out !== '' && !producedLater.has(out) && producedLater.set(out, nodeLabel(node, i))));
  graph.nodes.forEach((node, i) => {
    for (const input of node.inputs) {
      if (input === '' || defined.has(input)) continue;
      const later = producedLater.get(input);
      const why =
        later === undefined ? 'which no node, initializer or graph input defines' : `before ${later} produces it (nodes must be in topological order)`;
      throw new QuantTrimError({
        code: 'QT_ONNX_INVALID_GRAPH',
        message: `${nodeLabel(node, i)} consumes '${input}', ${why}`,
        details: { node: node.name, tensor: input },
      });
    }
    for (const out of node.outputs) {
      if (out === '') continue;
      if (defined.has(out)) {
        throw new QuantTrimError({
          code: 'QT_ONNX_INVALID_GRAPH',
          message: `${nodeLabel(node, i)} produces '${out}', which is already defined`,
          details: { node: node.name, tensor: out },
        });
      }
      defined.add(out);
    }
  });
  for (const out of graph.outputs) {
    if (!defined.has(out.name)) {
      throw new QuantTrimError({
        code: 'QT_ONNX_INVALID_GRAPH',
        message: `graph output '${out.name}' is not produced by any node, initializer or graph input`,
        details: { tensor: out.name },
      });
    }
  }
}
