import { QuantTrimError } from '@quant-trim/errors';
import { nodeLabel } from './nodeLabel.js';
import type { OnnxGraph, OnnxNode } from './types.js';

const invalid = (message: string, details?: Record<string, unknown>) =>
  new QuantTrimError({ code: 'QT_ONNX_INVALID_GRAPH', message, ...(details ? { details } : {}) });

/**
 * The graph's nodes in an order where every node comes after the producers of its inputs. The
 * order is stable: a graph that is already sorted comes back unchanged, and otherwise each node
 * runs as early as its file position allows. Edits append nodes and re-sort with this.
 *
 * Throws `QT_ONNX_INVALID_GRAPH` when a node consumes a tensor nothing defines, when two nodes
 * produce the same tensor, or on a cycle (naming the nodes on it).
 *
 * @example
 * const nodes = topologicalOrder(model.graph);
 * const sorted = { ...model, graph: { ...model.graph, nodes } };
 */
export function topologicalOrder(graph: OnnxGraph): OnnxNode[] {
  const { nodes } = graph;
  const external = new Set<string>([...graph.inputs.map((v) => v.name), ...graph.initializers.keys()]);
  const producer = new Map<string, number>();
  nodes.forEach((node, i) => {
    for (const out of node.outputs) {
      if (out === '') continue;
      const other = producer.get(out);
      if (other !== undefined || external.has(out)) {
        const by = other !== undefined ? nodeLabel(nodes[other]!, other) : 'a graph input or initializer';
        throw invalid(`${nodeLabel(node, i)} produces '${out}', which ${by} already defines`, { node: node.name, tensor: out });
      }
      producer.set(out, i);
    }
  });
  const pending = new Array<number>(nodes.length).fill(0);
  const consumers: number[][] = nodes.map(() => []);
  nodes.forEach((node, i) => {
    for (const input of new Set(node.inputs)) {
      if (input === '' || external.has(input)) continue;
      const p = producer.get(input);
      if (p === undefined) {
        throw invalid(`${nodeLabel(node, i)} consumes '${input}', which no node, initializer or graph input defines`, { node: node.name, tensor: input });
      }
      pending[i]!++;
      consumers[p]!.push(i);
    }
  });
  // Kahn's algorithm, always taking the ready node that comes first in the file.
  const ready: number[] = [];
  const insert = (i: number) => {
    let lo = 0;
    let hi = ready.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (ready[mid]! < i) lo = mid + 1;
      else hi = mid;
    }
    ready.splice(lo, 0, i);
  };
  pending.forEach((n, i) => n === 0 && ready.push(i));
  const order: OnnxNode[] = [];
  while (ready.length > 0) {
    const i = ready.shift()!;
    order.push(nodes[i]!);
    for (const c of consumers[i]!) if (--pending[c]! === 0) insert(c);
  }
  if (order.length < nodes.length) {
    const stuck = pending.flatMap((n, i) => (n > 0 ? [nodeLabel(nodes[i]!, i)] : []));
    throw invalid(`the graph has a cycle through ${stuck.slice(0, 5).join(', ')}${stuck.length > 5 ? ` and ${stuck.length - 5} more` : ''}`);
  }
  return order;
}
