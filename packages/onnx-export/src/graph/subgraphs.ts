import { onnx } from './onnxProto.js';
import type { proto } from './onnxProto.js';
import type { OnnxNode } from './types.js';

/** What graph code needs to know about a subgraph (an `If` branch, a `Loop` / `Scan` body). */
export interface SubgraphSummary {
  /** The attribute holding it (`then_branch`, `else_branch`, `body`, …). */
  readonly attribute: string;
  readonly name: string;
  /** Op types of its nodes, nested subgraphs included (for opset checks). */
  readonly opTypes: readonly string[];
  /** Element type of each graph output, in order (undefined when the file gives none). */
  readonly outputTypes: readonly (number | undefined)[];
  /** Names it reads from enclosing scopes: used by a node (at any depth) and defined nowhere inside. */
  readonly outerReads: readonly string[];
  /** Tensor and node names it defines (inputs, initializers, node outputs and names, at any depth): new outer names must avoid them. */
  readonly definedNames: readonly string[];
}

const { AttributeType } = onnx.AttributeProto;
const cache = new WeakMap<Uint8Array, SubgraphSummary[]>();

function summarize(graph: proto.IGraphProto, attribute: string, defined: ReadonlySet<string>): SubgraphSummary {
  const local = new Set(defined);
  for (const v of graph.input ?? []) if (v.name) local.add(v.name);
  for (const t of graph.initializer ?? []) if (t.name) local.add(t.name);
  for (const t of graph.sparseInitializer ?? []) if (t.values?.name) local.add(t.values.name);
  const opTypes: string[] = [];
  const outer = new Set<string>();
  const names = new Set<string>([...local].filter((n) => !defined.has(n)));
  const read = (name: string | null | undefined) => {
    if (name && !local.has(name)) outer.add(name);
  };
  for (const node of graph.node ?? []) {
    opTypes.push(node.opType ?? '');
    for (const i of node.input ?? []) read(i);
    for (const a of node.attribute ?? []) {
      for (const g of [...(a.g ? [a.g] : []), ...(a.graphs ?? [])]) {
        const nested = summarize(g, a.name ?? '', local);
        opTypes.push(...nested.opTypes);
        for (const r of nested.outerReads) read(r);
        for (const n of nested.definedNames) names.add(n);
      }
    }
    for (const o of node.output ?? []) {
      if (!o) continue;
      local.add(o);
      names.add(o);
    }
    if (node.name) names.add(node.name);
  }
  for (const o of graph.output ?? []) read(o.name);
  return {
    attribute,
    name: graph.name ?? '',
    opTypes,
    outputTypes: (graph.output ?? []).map((o) => o.type?.tensorType?.elemType ?? undefined),
    outerReads: [...outer],
    definedNames: [...names],
  };
}

/**
 * The subgraphs of a node (`If` branches, `Loop` / `Scan` bodies, any graph-valued attribute of
 * any domain), decoded from the attributes `readOnnx` keeps encoded. Summaries are cached per
 * attribute; the node is not modified.
 *
 * @example
 * for (const g of subgraphsOf(ifNode)) console.log(g.attribute, g.outerReads, g.outputTypes);
 */
export function subgraphsOf(node: OnnxNode): SubgraphSummary[] {
  const out: SubgraphSummary[] = [];
  for (const [name, a] of Object.entries(node.attributes)) {
    if (a.type !== 'raw') continue;
    let summaries = cache.get(a.raw);
    if (summaries === undefined) {
      const p = onnx.AttributeProto.decode(a.raw);
      const graphs = p.type === AttributeType.GRAPH && p.g ? [p.g] : p.type === AttributeType.GRAPHS ? p.graphs : [];
      summaries = graphs.map((g) => summarize(g, name, new Set()));
      cache.set(a.raw, summaries);
    }
    out.push(...summaries);
  }
  return out;
}

/**
 * Tensors a node reads without listing them as inputs: the outer-scope names its subgraphs use
 * (ONNX lets an `If` branch or a `Loop` body read any tensor visible where the node is). Passes
 * that count readers, rename tensors or prune unread ones must add these to `node.inputs`.
 *
 * @example
 * const reads = [...node.inputs, ...implicitInputs(node)];
 */
export function implicitInputs(node: OnnxNode): string[] {
  if (!Object.values(node.attributes).some((a) => a.type === 'raw')) return [];
  return [...new Set(subgraphsOf(node).flatMap((g) => g.outerReads))];
}
