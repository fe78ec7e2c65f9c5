/**
 * The graph ORT actually runs, read back from `optimizedModelFilePath`.
 *
 * Which level fuses QDQ (onnxruntime-node 1.30.0, CPU provider; verified by saving the optimized
 * graph of a DQ → Conv → Relu → Q(uint8, zp 0) → DQ → Flatten → Gemm model at every level and
 * decoding it with `readOnnx`, see test/runtime/optimizedOps.test.ts):
 * - `disabled`: the graph as written.
 * - `basic`: no QDQ group fused, yet not neutral: WeightBiasQuantization turns a float bias beside
 *   DQ'd weights into int32 + DequantizeLinear (so `emulate` uses `disabled`, see `OPTIMIZATION_LEVEL`).
 * - `extended`: QuantizeLinear → QLinearConv → DequantizeLinear (Relu dropped, as zp = qmin).
 * - `layout` / `all`: the same conv as NHWC `com.microsoft:QLinearConv` between Transposes.
 * The Gemm behind Flatten stays float with DQ'd weights at every level (its input is not a DQ).
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { QuantTrimError } from '@quant-trim/errors';
import { readOnnx } from '@quant-trim/onnx-export';
import type { ExecutionMode } from './types.js';
import { loadRuntime, sessionOptions, type RuntimeImporter } from './sessions.js';

export interface OptimizedOpsOptions {
  /** How onnxruntime-node is loaded; defaults to a dynamic `import()`. */
  readonly importRuntime?: RuntimeImporter;
}

/** Counts op types; ops outside the default ONNX domain are keyed `domain:opType`. */
export function countOps(nodes: readonly { readonly opType: string; readonly domain: string }[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const n of nodes) {
    const key = n.domain === '' || n.domain === 'ai.onnx' ? n.opType : `${n.domain}:${n.opType}`;
    counts[key] = (counts[key] ?? 0) + 1;
  }
  return counts;
}

/**
 * Op types and counts of the graph onnxruntime-node runs for `modelBytes` in `mode` (after its
 * graph optimizations; integer kernels such as `QLinearConv` show which QDQ groups fused). The
 * optimized model goes to a temporary directory in `os.tmpdir()` that is always removed.
 *
 * @throws QuantTrimError `QT_BACKEND_UNAVAILABLE` when onnxruntime-node cannot be imported.
 *
 * @example
 * const ops = await optimizedOps(bytes, 'native'); // { 'com.microsoft:QLinearConv': 2, Transpose: 2, ... }
 */
export async function optimizedOps(
  modelBytes: Uint8Array,
  mode: ExecutionMode,
  threads = 1,
  options: OptimizedOpsOptions = {},
): Promise<Record<string, number>> {
  if (!(modelBytes instanceof Uint8Array))
    throw new QuantTrimError({ code: 'QT_INVALID_ARGUMENT', message: 'argument `modelBytes` of `optimizedOps`: expected a Uint8Array' });
  if (!Number.isInteger(threads) || threads < 1)
    throw new QuantTrimError({ code: 'QT_INVALID_ARGUMENT', message: `argument \`threads\` of \`optimizedOps\`: expected a positive integer, got ${threads}` });
  const ort = await loadRuntime('onnxruntime-node', options.importRuntime);
  const dir = await mkdtemp(join(tmpdir(), 'quant-trim-ort-'));
  try {
    const path = join(dir, 'optimized.onnx');
    // Severity 3: ORT warns that an NCHWc-optimized model is hardware specific; we only read it.
    const session = await ort.InferenceSession.create(modelBytes, {
      ...sessionOptions('onnxruntime-node', mode, threads),
      optimizedModelFilePath: path,
      logSeverityLevel: 3,
    });
    await session.release();
    return countOps(readOnnx(await readFile(path)).graph.nodes);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
