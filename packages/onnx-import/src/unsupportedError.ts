import { QuantTrimError } from '@quant-trim/errors';

export interface UnsupportedNode {
  /** The node's name ('' when the file gives none). */
  name: string;
  opType: string;
  domain: string;
  /** Why it cannot be imported. */
  reason: string;
}

/**
 * The one error a failed import raises: every unsupported node with its op type and reason (in
 * `details.unsupported` too), under `QT_IMPORT_UNSUPPORTED_OP`.
 */
export function unsupportedError(nodes: UnsupportedNode[], supported: readonly string[]): QuantTrimError {
  const ops = [...new Set(nodes.map((n) => n.opType))];
  const lines = nodes.map((n) => `  - ${n.name === '' ? '(unnamed)' : `'${n.name}'`} (${n.domain === '' ? n.opType : `${n.domain}:${n.opType}`}): ${n.reason}`);
  return new QuantTrimError({
    code: 'QT_IMPORT_UNSUPPORTED_OP',
    message: `importOnnx: ${nodes.length} node(s) cannot be imported (op types: ${ops.join(', ')}):\n${lines.join('\n')}\nsupported ops: ${supported.join(', ')}`,
    details: { unsupported: nodes, opTypes: ops },
  });
}
