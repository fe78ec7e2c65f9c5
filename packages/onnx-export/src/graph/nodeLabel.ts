import type { OnnxNode } from './types.js';

/** How messages name a node: `node 'conv1' (Conv)`, or by index when it has no name. */
export function nodeLabel(node: OnnxNode, index: number): string {
  return node.name ? `node '${node.name}' (${node.opType})` : `node #${index} (${node.opType})`;
}
