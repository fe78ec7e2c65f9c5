import { existsSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { initTrainingBackend, loadQuantizedModel } from '@quant-trim/fake-quant';
import { fileSystemHandler } from '@quant-trim/fake-quant/node';
import { QuantTrimError } from '@quant-trim/internal';
import { registerOnnxLayers } from '@quant-trim/onnx-import';
import { saveOnnx, verifyExport, type VerifyResult } from '@quant-trim/onnx-export/node';
import { formatTable } from '../../output/formatTable.js';
import { readLatest } from '../../train/checkpoints.js';
import { refuseNonFiniteCheckpoint } from '../../train/finite.js';
import { exportCheckpoint } from '../../train/exportModels.js';
import { ensureOutputDir, type CommandContext } from '../context.js';

export interface ExportFlags {
  /** `fp32`, `qdq` or `both` (default: both, fp32 only for an FP checkpoint). */
  readonly format?: string;
  readonly opset?: number | string;
  /** Output directory (default `quant-trim-out/onnx`). */
  readonly out?: string;
  /** Samples for verifyExport (default 64). */
  readonly samples?: number | string;
}

/**
 * A method directory (`latest.json`) or a checkpoint directory (`model.json`) → the model
 * directory, and for a model imported from ONNX the input layout of the file it came from.
 */
function checkpointDir(path: string): { dir: string; method: string | undefined; inputLayout?: 'NCHW' | 'NHWC' } {
  if (existsSync(join(path, 'latest.json'))) {
    const state = readLatest(path)!;
    const layout = (state.fingerprint['model'] as { inputLayout?: unknown } | undefined)?.inputLayout;
    return { dir: join(path, state.checkpoint), method: state.method, ...(layout === 'NCHW' || layout === 'NHWC' ? { inputLayout: layout } : {}) };
  }
  if (existsSync(join(path, 'model.json'))) return { dir: path, method: undefined };
  throw new QuantTrimError({ code: 'QT_MODEL_LOAD', message: `${path} is not a checkpoint: neither latest.json nor model.json is there`, details: { path, hint: 'pass a directory written by `quant-trim train` (e.g. quant-trim-out/checkpoints/quant-trim)' } });
}

/**
 * `quant-trim export <checkpoint>`: the checkpoint's FP32 and / or QDQ ONNX (logits out) with its
 * encodings sidecar, each checked by `verifyExport` against the tfjs model it came from.
 */
export async function exportCommand(checkpoint: string, flags: ExportFlags, ctx: CommandContext) {
  const { dir, method, inputLayout } = checkpointDir(resolve(ctx.cwd, checkpoint));
  const out = ensureOutputDir(resolve(ctx.cwd, flags.out ?? 'quant-trim-out/onnx'));
  const format = flags.format ?? (method === 'fp' ? 'fp32' : 'both');
  if (!['fp32', 'qdq', 'both'].includes(format)) throw new QuantTrimError({ code: 'QT_INVALID_ARGUMENT', message: `--format: expected fp32, qdq or both, got ${JSON.stringify(format)}` });
  const opset = flags.opset === undefined ? undefined : Number(flags.opset);
  await initTrainingBackend({ backend: 'wasm' });
  ctx.reporter.onPhaseStart?.({ phase: 'export', label: `export ${dir}` });
  const t0 = performance.now();
  registerOnnxLayers(); // checkpoints of models imported from ONNX hold onnx-import's layers
  let loaded;
  try {
    loaded = await loadQuantizedModel(fileSystemHandler(dir));
  } catch (e) {
    throw new QuantTrimError({ code: 'QT_MODEL_LOAD', message: `cannot load the checkpoint ${dir}: ${(e as Error).message}`, cause: e, details: { path: dir } });
  }
  const { quantized } = loaded;
  refuseNonFiniteCheckpoint(quantized, dir, 'export', 'export a checkpoint whose training did not diverge');
  quantized.setLambda(1);
  const exported = exportCheckpoint(quantized, { qdq: format !== 'fp32', ...(opset !== undefined ? { opset } : {}), ...(inputLayout !== undefined ? { inputLayout } : {}) });
  const name = method ?? basename(dir);
  const inputShape = (exported.float.inputs[0]!.shape as (number | null)[]).slice(1) as number[];
  const samples = tf.randomUniform([Number(flags.samples ?? 64), ...inputShape], 0, 1, 'float32', 7);
  const rows: { format: string; path: string; check: VerifyResult }[] = [];
  try {
    for (const [kind, model, source] of [
      ['fp32', format !== 'qdq' ? exported.fp32 : undefined, exported.float],
      ['qdq', exported.qdq, exported.quantizedLogits],
    ] as const) {
      if (model === undefined) continue;
      const path = join(out, `${name}.${kind}.onnx`);
      const written = saveOnnx(model, path, { encodings: kind === 'qdq' });
      ctx.reporter.onArtifact?.({ kind: 'onnx', path: written.model });
      if (written.encodings !== undefined) ctx.reporter.onArtifact?.({ kind: 'encodings', path: written.encodings });
      const check = await verifyExport(source, model.bytes(), samples);
      if (!check.ok) ctx.reporter.onWarning?.(`verifyExport: ${path} does not match its tfjs model (max relative error ${check.maxRelativeError.toExponential(2)}, top-1 agreement ${(check.top1Agreement * 100).toFixed(1)} %)`);
      if (check.fused?.warning !== undefined) ctx.reporter.onWarning?.(`verifyExport: ${path}: ${check.fused.warning}`);
      rows.push({ format: kind, path, check });
    }
  } finally {
    samples.dispose();
    exported.float.dispose();
    quantized.dispose();
  }
  ctx.reporter.onPhaseEnd?.({ phase: 'export', label: `export ${name}`, seconds: (performance.now() - t0) / 1000 });
  ctx.reporter.onResult?.(
    `${formatTable(rows, [
      { header: 'format', value: (r) => r.format },
      { header: 'verifyExport', value: (r) => (r.check.ok ? 'ok' : 'FAILED') },
      { header: 'max rel. error', value: (r) => r.check.maxRelativeError.toExponential(2), align: 'right' },
      { header: 'top-1 agreement %', value: (r) => (r.check.top1Agreement * 100).toFixed(1), align: 'right' },
      { header: 'within 1 step %', value: (r) => (r.check.withinOneStep === undefined ? '–' : (r.check.withinOneStep * 100).toFixed(2)), align: 'right' },
      { header: 'ORT fused kernels', value: (r) => (r.check.fused === undefined ? '–' : `${r.check.fused.ok ? 'ok' : 'differ'} (top-1 ${(r.check.fused.top1Agreement * 100).toFixed(1)} %)`) },
      { header: 'file', value: (r) => r.path },
    ])}\n`,
  );
  return { files: rows.map((r) => r.path), checks: rows.map((r) => ({ ...r.check, format: r.format })) };
}
