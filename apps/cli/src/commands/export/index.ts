import { existsSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { initTrainingBackend, loadQuantizedModel } from '@quant-trim/fake-quant';
import { fileSystemHandler } from '@quant-trim/fake-quant/node';
import { QuantTrimError } from '@quant-trim/errors';
import { registerOnnxLayers } from '@quant-trim/onnx-import';
import type { ExportedModel } from '@quant-trim/onnx-export';
import { saveOnnx, verifyExport, type VerifyResult } from '@quant-trim/onnx-export/node';
import { formatTable } from '../../output/formatTable.js';
import { checkpointLoadProblem, readLatest } from '../../train/checkpoints.js';
import { refuseNonFiniteCheckpoint } from '../../train/finite.js';
import { exportCheckpoint } from '../../train/exportModels.js';
import { commandLine, type CommandContext } from '../context.js';
import { withOutputDir } from '../outputDir.js';

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
  throw new QuantTrimError({
    code: 'QT_MODEL_LOAD',
    message: `${path} is not a checkpoint: neither latest.json nor model.json is there`,
    details: { path, hint: 'pass a directory written by `quant-trim train` (e.g. quant-trim-out/checkpoints/quant-trim)' },
  });
}

/** A flag that must be an integer in [min, max], in the user's words (`--samples must be an integer ≥ 1, got 0`). */
function integerFlag(flag: string, value: number | string | undefined, fallback: number | undefined, min: number, max = Infinity): number | undefined {
  if (value === undefined) return fallback;
  const n = typeof value === 'number' ? value : String(value).trim() === '' ? NaN : Number(value);
  if (Number.isInteger(n) && n >= min && n <= max) return n;
  const range = max === Infinity ? `an integer ≥ ${min}` : `an integer from ${min} to ${max}`;
  throw new QuantTrimError({
    code: 'QT_INVALID_ARGUMENT',
    message: `${flag} must be ${range}, got ${typeof value === 'number' ? value : JSON.stringify(value)}`,
    details: { field: flag, hint: `run \`quant-trim export --help\` for the accepted values` },
  });
}

const OPSETS = { min: 13, max: 21 } as const;

/** One verified export, in memory: the file `verifyExport` checked against its tfjs model. */
export interface VerifiedExport {
  readonly format: 'fp32' | 'qdq';
  readonly model: ExportedModel;
  readonly check: VerifyResult;
}

/**
 * Loads a checkpoint (a method directory with latest.json, or a model.json directory), exports its
 * FP32 and / or QDQ ONNX and checks each with `verifyExport` on `samples` random inputs, in memory:
 * nothing is written. A file that does not match its tfjs model is `QT_EXPORT_UNVERIFIED`.
 * `format` undefined: both, fp32 only for an FP checkpoint (a model without quantizers: fp32 with a warning).
 */
export async function exportVerified(
  checkpoint: string,
  options: { readonly format?: 'fp32' | 'qdq' | 'both'; readonly opset?: number; readonly samples: number },
  ctx: CommandContext,
): Promise<{ name: string; dir: string; rows: VerifiedExport[] }> {
  const { dir, method, inputLayout } = checkpointDir(checkpoint);
  const format = options.format ?? (method === 'fp' ? 'fp32' : 'both');
  if (method === 'fp' && format !== 'fp32') throw fpAsQdq(dir, format, method);
  await initTrainingBackend({ backend: 'wasm' });
  registerOnnxLayers(); // checkpoints of models imported from ONNX hold onnx-import's layers
  let loaded: Awaited<ReturnType<typeof loadQuantizedModel>>;
  try {
    loaded = await loadQuantizedModel(fileSystemHandler(dir));
  } catch (e) {
    throw new QuantTrimError({
      code: 'QT_MODEL_LOAD',
      message: `cannot load the checkpoint ${dir}: ${checkpointLoadProblem(dir, e)}`,
      cause: e,
      details: {
        path: dir,
        hint: 'export a complete checkpoint: the method directory written by `quant-trim train` (its latest.json names the last complete one)',
      },
    });
  }
  const { quantized } = loaded;
  refuseNonFiniteCheckpoint(quantized, dir, 'export', 'export a checkpoint whose training did not diverge');
  quantized.setLambda(1);
  let exported: ReturnType<typeof exportCheckpoint>;
  try {
    exported = exportCheckpoint(quantized, {
      qdq: format !== 'fp32',
      ...(options.opset !== undefined ? { opset: options.opset } : {}),
      ...(inputLayout !== undefined ? { inputLayout } : {}),
    });
  } catch (e) {
    quantized.dispose();
    throw e;
  }
  const name = method ?? basename(dir);
  const inputShape = (exported.float.inputs[0]!.shape as (number | null)[]).slice(1) as number[];
  const samples = tf.randomUniform([options.samples, ...inputShape], 0, 1, 'float32', 7);
  const rows: VerifiedExport[] = [];
  try {
    // A model without quantizers (an FP model's model.json directory) has no QDQ export.
    const quantizedExport = exported.qdq?.model.graph.nodes.some((n) => n.opType === 'DequantizeLinear') ? exported.qdq : undefined;
    if (exported.qdq !== undefined && quantizedExport === undefined) {
      if (options.format !== undefined) throw fpAsQdq(dir, format, method);
      ctx.reporter.onWarning?.(`${dir} has no quantizers (an FP model): exporting FP32 only`);
    }
    for (const [kind, model, source] of [
      ['fp32', format !== 'qdq' ? exported.fp32 : undefined, exported.float],
      ['qdq', quantizedExport, exported.quantizedLogits],
    ] as const) {
      if (model === undefined) continue;
      const check = await verifyExport(source, model.bytes(), samples);
      if (!check.ok) {
        throw new QuantTrimError({
          code: 'QT_EXPORT_UNVERIFIED',
          message: `verifyExport: the ${kind} export of ${dir} does not match its tfjs model (max relative error ${check.maxRelativeError.toExponential(2)}, top-1 agreement ${(check.top1Agreement * 100).toFixed(1)} %); nothing was written`,
          details: { path: dir, format: kind, hint: 'this is a bug in the exporter: rerun with --verbose and report it with the checkpoint' },
        });
      }
      if (check.fused?.warning !== undefined) ctx.reporter.onWarning?.(`verifyExport: ${name}.${kind}.onnx: ${check.fused.warning}`);
      rows.push({ format: kind, model, check });
    }
  } finally {
    samples.dispose();
    exported.float.dispose();
    quantized.dispose();
  }
  return { name, dir, rows };
}

/** Writes verified exports as `<out>/<name>.<format>.onnx` (QDQ with its encodings sidecar), each atomically; returns the ONNX paths. */
export function writeVerified(
  rows: readonly VerifiedExport[],
  out: string,
  name: string,
  ctx: CommandContext,
): { format: 'fp32' | 'qdq'; path: string; encodings?: string }[] {
  return rows.map((r) => {
    const written = saveOnnx(r.model, join(out, `${name}.${r.format}.onnx`), { encodings: r.format === 'qdq' });
    ctx.reporter.onArtifact?.({ kind: 'onnx', path: written.model });
    if (written.encodings !== undefined) ctx.reporter.onArtifact?.({ kind: 'encodings', path: written.encodings });
    return { format: r.format, path: written.model, ...(written.encodings !== undefined ? { encodings: written.encodings } : {}) };
  });
}

/**
 * `quant-trim export <checkpoint>`: the checkpoint's FP32 and / or QDQ ONNX (logits out) with its
 * encodings sidecar, each checked by `verifyExport` against the tfjs model it came from. Flags are
 * checked and every file is verified in memory before anything is written: a file that fails
 * verification is not written (`QT_EXPORT_UNVERIFIED`), and the files that pass are written
 * atomically (temp file + rename) into the locked output directory.
 */
export async function exportCommand(checkpoint: string, flags: ExportFlags, ctx: CommandContext) {
  const samplesCount = integerFlag('--samples', flags.samples, 64, 1)!;
  const opset = integerFlag('--opset', flags.opset, undefined, OPSETS.min, OPSETS.max);
  if (flags.format !== undefined && !['fp32', 'qdq', 'both'].includes(flags.format))
    throw new QuantTrimError({
      code: 'QT_INVALID_ARGUMENT',
      message: `--format must be fp32, qdq or both, got ${JSON.stringify(flags.format)}`,
      details: { field: '--format', hint: 'fp32 (float model), qdq (the trained quantization grids) or both' },
    });
  const path = resolve(ctx.cwd, checkpoint);
  const { dir } = checkpointDir(path); // not a checkpoint: fails before the phase starts
  ctx.reporter.onPhaseStart?.({ phase: 'export', label: `export ${dir}` });
  const t0 = performance.now();
  const { name, rows } = await exportVerified(
    path,
    {
      ...(flags.format !== undefined ? { format: flags.format as 'fp32' | 'qdq' | 'both' } : {}),
      ...(opset !== undefined ? { opset } : {}),
      samples: samplesCount,
    },
    ctx,
  );
  // Everything verified: only now is the output directory created (locked while it is written).
  const files = await withOutputDir(
    resolve(ctx.cwd, flags.out ?? 'quant-trim-out/onnx'),
    { command: commandLine(ctx.argv), onWarning: (m) => ctx.reporter.onWarning?.(m) },
    async (out) => writeVerified(rows, out, name, ctx).map((f) => f.path),
  );
  ctx.reporter.onPhaseEnd?.({ phase: 'export', label: `export ${name}`, seconds: (performance.now() - t0) / 1000 });
  const table = rows.map((r, i) => ({ ...r, path: files[i]! }));
  ctx.reporter.onResult?.(
    `${formatTable(table, [
      { header: 'format', value: (r) => r.format },
      { header: 'verifyExport', value: (r) => (r.check.ok ? 'ok' : 'FAILED') },
      { header: 'max rel. error', value: (r) => r.check.maxRelativeError.toExponential(2), align: 'right' },
      { header: 'top-1 agreement %', value: (r) => (r.check.top1Agreement * 100).toFixed(1), align: 'right' },
      { header: 'within 1 step %', value: (r) => (r.check.withinOneStep === undefined ? '–' : (r.check.withinOneStep * 100).toFixed(2)), align: 'right' },
      {
        header: 'ORT fused kernels',
        value: (r) => (r.check.fused === undefined ? '–' : `${r.check.fused.ok ? 'ok' : 'differ'} (top-1 ${(r.check.fused.top1Agreement * 100).toFixed(1)} %)`),
      },
      { header: 'file', value: (r) => r.path },
    ])}\n`,
  );
  return { files, checks: rows.map((r) => ({ ...r.check, format: r.format })) };
}

/** `--format qdq` / `both` of a model without quantizers (an FP checkpoint): there are no grids to write. */
function fpAsQdq(dir: string, format: string, method: string | undefined): QuantTrimError {
  return new QuantTrimError({
    code: 'QT_INVALID_ARGUMENT',
    message: `--format ${format}: ${dir} is ${method === 'fp' ? 'an FP checkpoint (trained with --method fp)' : 'a model without quantizers'}: it has no quantization grids to export as QDQ`,
    details: {
      field: '--format',
      hint: 'export it with --format fp32 (the backend profiles quantize it after training: `quant-trim eval`), or train with --method qat or quant-trim for a QDQ export',
    },
  });
}
