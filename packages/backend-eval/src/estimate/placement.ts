import { type OnnxModel, inferShapes, topologicalOrder } from '@quant-trim/onnx-export';
import { nodeNames } from '../compile/nodeNames.js';
import { type NodeCoverage, staticTensors } from '../compile/plan.js';
import type { Placement } from '../profiles/types.js';
import { batchOneInputShapes } from './countMacs.js';

/** Where a compiled model's nodes run and what crosses between host memory and the accelerator, per inference. */
export interface PlacementTraffic {
  /** Placement of every node of the float model, by the name `countMacs` reports it under. */
  readonly placement: ReadonlyMap<string, Placement>;
  /** Bytes crossing between host memory and the accelerator: the graph inputs in, the outputs back, and every tensor that changes side at a host fallback. */
  readonly transferBytes: number;
  /** Accelerator invocations: runs of consecutive accelerator nodes in topological order (0 when nothing runs there). */
  readonly invocations: number;
}

export interface PlaceNodesInput {
  /** The float model the MACs were counted on (`countMacs`). */
  readonly model: OnnxModel;
  /** The compiled model's coverage (`compileForBackend(...).coverage`). */
  readonly coverage: readonly NodeCoverage[];
  /** Shape of the first graph input with batch 1. */
  readonly inputShape?: readonly number[];
  /** Bytes per element of a node's activations as they cross the link (its activation width on the accelerator). */
  readonly bytesPerElement: (node: string) => number;
}

/**
 * Places every node of `model` from a compiled model's coverage and counts the traffic that
 * placement causes:
 * - a node in the coverage runs where its `onAccelerator` says; a transparent node (shape
 *   computation, Identity, absorbed layout Transpose) and a node compilation removed (a folded
 *   BatchNormalization, a Constant) run wherever the producer of their first data input runs;
 *   graph inputs start in host memory;
 * - each data tensor consumed on the other side from where it was produced crosses once per
 *   direction, at the accelerator-side node's activation width, and graph outputs produced on the
 *   accelerator cross back to the host;
 * - every run of consecutive accelerator nodes (topological order) is one accelerator invocation.
 * Shapes come from `inferShapes` with batch 1; a tensor of unknown shape counts 0 bytes.
 */
export function placeNodes(input: PlaceNodesInput): PlacementTraffic {
  const { model, coverage, bytesPerElement } = input;
  const { graph } = model;
  const shapes = inferShapes(model, { inputShapes: batchOneInputShapes(model, input.inputShape) });
  const elements = (t: string) => shapes.get(t)?.reduce((a, b) => a * b, 1) ?? 0;
  const statics = staticTensors(model);
  const names = nodeNames(model);
  const covered = new Map(coverage.map((c) => [c.node, c]));
  const side = new Map<string, { placement: Placement; node?: string }>();
  for (const v of graph.inputs) if (!graph.initializers.has(v.name)) side.set(v.name, { placement: 'host' });

  const placement = new Map<string, Placement>();
  const crossed = new Set<string>();
  let transferBytes = 0;
  let invocations = 0;
  let previous: Placement = 'host';
  for (const node of topologicalOrder(graph)) {
    const name = names.get(node) ?? node.name;
    const data = node.inputs.filter((t) => t !== '' && !statics.has(t));
    const c = covered.get(name);
    const own: Placement | undefined = c === undefined || c.transparent === true ? undefined : c.onAccelerator ? 'accelerator' : 'host';
    const here: Placement = own ?? side.get(data[0] ?? '')?.placement ?? previous;
    placement.set(name, here);
    if (own !== undefined) {
      for (const t of data) {
        const from = side.get(t);
        if (from === undefined || from.placement === here || crossed.has(`${t}→${here}`)) continue;
        crossed.add(`${t}→${here}`);
        transferBytes += elements(t) * bytesPerElement(here === 'accelerator' ? name : (from.node ?? name));
      }
      if (here === 'accelerator' && previous !== 'accelerator') invocations++;
      previous = here;
    }
    for (const t of node.outputs) if (t !== '') side.set(t, { placement: here, node: name });
  }
  for (const o of graph.outputs) {
    const from = side.get(o.name);
    if (from?.placement === 'accelerator') transferBytes += elements(o.name) * bytesPerElement(from.node ?? '');
  }
  return { placement, transferBytes, invocations };
}
