import { join, resolve } from 'node:path';
import { evaluate, formatReportTable, type EvaluationReport } from '@quant-trim/backend-eval';
import { QuantTrimError } from '@quant-trim/internal';
import type { OnnxModel } from '@quant-trim/onnx-export';
import { decodeOnnx } from '../../models/decodeOnnx.js';
import type { Dataset } from '../../data/types.js';
import { seededSubset } from '../../data/split.js';
import { EXIT, ExitError } from '../../errors.js';
import { writeEvaluationHtmlReport } from '../../report/index.js';
import { writeFileAtomic } from '../../train/checkpoints.js';
import { listNames } from '../../train/finite.js';
import { commandLine, readInputFile, type CommandContext } from '../context.js';
import { withOutputDir } from '../outputDir.js';
import type { Config } from '../../config/index.js';
import { resolveConfig, resolveDataset, type RunFlags } from '../settings.js';

/**
 * How the model wants one sample, from its declared input shape: NHWC `[H, W, C]` (our exports,
 * TF), NCHW `[C, H, W]` (PyTorch) or flat `[H·W·C]`. Symbolic dims default to the dataset's NHWC,
 * unless the dataset names a layout (`preprocess.layout`), which the declared dims must then fit.
 */
export function inputLayout(declared: readonly (number | string | null)[] | undefined, d: Dataset): { layout: 'NHWC' | 'NCHW' | 'flat'; sampleShape: number[] } {
  const [h, w, c] = d.sampleShape;
  const dims = (declared ?? []).slice(1);
  if (d.layout !== undefined && !(dims.length === 1 && dims[0] === h * w * c)) {
    const want = d.layout === 'NCHW' ? [c, h, w] : [h, w, c];
    if (dims.length === 0 || (dims.length === 3 && dims.every((x, i) => typeof x !== 'number' || x === want[i]))) return { layout: d.layout, sampleShape: want };
    throw new QuantTrimError({ code: 'QT_INVALID_ARGUMENT', message: `the model's input [${(declared ?? []).join(', ')}] does not fit ${d.name} samples as preprocess.layout ${d.layout} [${want.join(', ')}]`, details: { hint: 'set preprocess.resize / centerCrop / channels to the model\'s input size, or preprocess.layout to the model\'s layout' } });
  }
  const known = dims.every((x) => typeof x === 'number');
  if (known && dims.length === 1 && dims[0] === h * w * c) return { layout: 'flat', sampleShape: [h * w * c] };
  if (known && dims.length === 3 && dims[0] === c && dims[1] === h && dims[2] === w && !(dims[2] === c)) return { layout: 'NCHW', sampleShape: [c, h, w] };
  if (!known || (dims.length === 3 && dims[0] === h && dims[1] === w && dims[2] === c) || dims.length === 0) return { layout: 'NHWC', sampleShape: [h, w, c] };
  throw new QuantTrimError({
    code: 'QT_INVALID_ARGUMENT',
    message: `the model's input [${(declared ?? []).join(', ')}] does not fit ${d.name} samples of ${h}×${w}×${c} (NHWC, NCHW or flat)`,
    details: { hint: 'pass --dataset data of the model\'s size (an image folder, .npz / .npy arrays) and set preprocess.resize / centerCrop / channels in the config to match its input' },
  });
}

/** Rearranges NHWC samples into the layout the model wants (NCHW transposes; flat and NHWC share the memory order). */
export function toLayout(x: Float32Array, count: number, d: Dataset, layout: 'NHWC' | 'NCHW' | 'flat'): Float32Array {
  if (layout !== 'NCHW') return x;
  const [h, w, c] = d.sampleShape;
  const out = new Float32Array(x.length);
  for (let n = 0; n < count; n++) for (let i = 0; i < h * w; i++) for (let k = 0; k < c; k++) out[n * h * w * c + k * h * w + i] = x[n * h * w * c + i * c + k]!;
  return out;
}

/** Refuses a model whose float initializers hold NaN or infinity: every profile would score it as garbage. */
function refuseNonFinite(model: OnnxModel, path: string): void {
  const bad: string[] = [];
  for (const [name, t] of model.graph.initializers) {
    if (!(t.data instanceof Float32Array || t.data instanceof Float64Array)) continue;
    let n = 0;
    for (const v of t.data) if (!Number.isFinite(v)) n++;
    if (n > 0) bad.push(`'${name}' (${n} of ${t.data.length} values)`);
  }
  if (bad.length > 0) {
    throw new QuantTrimError({ code: 'QT_ONNX_INVALID_GRAPH', message: `${path}: non-finite weights (NaN or infinity) in ${listNames(bad)}`, details: { path, hint: 'export the model again from a checkpoint whose training did not diverge' } });
  }
}

/** Domains whose ops ONNX Runtime (and so every profile) runs: the standard ONNX domain and ORT's contrib ops. */
const RUNNABLE_DOMAINS = new Set(['', 'ai.onnx', 'com.microsoft']);

/**
 * Refuses a model with ops of a custom domain (e.g. `com.example:FusedGelu` from a custom
 * exporter): ONNX Runtime cannot load it, so every profile would fail.
 */
export function refuseCustomOps(model: OnnxModel, path: string): void {
  const custom = model.graph.nodes.filter((n) => !RUNNABLE_DOMAINS.has(n.domain));
  if (custom.length === 0) return;
  const names = custom.map((n) => `'${n.name}' (${n.domain}:${n.opType})`);
  const domains = [...new Set(custom.map((n) => n.domain))];
  throw new QuantTrimError({
    code: 'QT_UNSUPPORTED_OP',
    message: `${path}: ${custom.length} node(s) use ops of the custom domain${domains.length > 1 ? 's' : ''} ${domains.join(', ')}, which ONNX Runtime and the backend profiles cannot run: ${listNames(names)}`,
    details: { path, nodes: names, hint: 'export the model with standard ONNX ops only (e.g. torch.onnx.export without custom_opsets / operator_export_type overrides)' },
  });
}

/**
 * Refuses what eval would score as garbage: a model that is already quantized (Q/DQ nodes: every
 * profile would quantize it a second time) and, when scored against labels, a classifier whose
 * output width differs from the dataset's class count.
 */
function refuseMismatch(model: OnnxModel, path: string, classes: number, floatLabels: boolean): void {
  const qdq = model.graph.nodes.filter((n) => n.opType === 'QuantizeLinear' || n.opType === 'DequantizeLinear' || n.opType.startsWith('QLinear'));
  if (qdq.length > 0) {
    throw new QuantTrimError({ code: 'QT_ONNX_INVALID_GRAPH', message: `${path} is already quantized (${qdq.length} QuantizeLinear / DequantizeLinear / QLinear* nodes, e.g. '${qdq[0]!.name}'); the profiles would quantize it a second time`, details: { path, hint: 'pass the float (FP32) model: `quant-trim export --format fp32`, or the model before quantization' } });
  }
  const width = model.graph.outputs[0]?.shape?.at(-1);
  if (!floatLabels && typeof width === 'number' && width > 1 && width !== classes) {
    throw new QuantTrimError({ code: 'QT_ONNX_INVALID_GRAPH', message: `${path} outputs ${width} classes, the dataset has ${classes}: its accuracy would be meaningless`, details: { path, hint: 'use a dataset with as many classes as the model outputs, or --labels float to score agreement with the float model' } });
  }
}

/**
 * `quant-trim eval <model.onnx>`: any float ONNX classifier (ours or another tool's) across the
 * backend profiles on a dataset's test split, calibrated on a seeded slice of its training split.
 */
export async function evalCommand(modelPath: string, flags: RunFlags, ctx: CommandContext): Promise<{ report: EvaluationReport; json: string; html: string }> {
  const bytes = readInputFile(ctx.cwd, modelPath, 'the ONNX model');
  const model = decodeOnnx(bytes, modelPath);
  refuseNonFinite(model, modelPath);
  refuseCustomOps(model, modelPath);
  const config = await resolveConfig(flags, ctx);
  return withOutputDir(resolve(ctx.cwd, config.out), { command: commandLine(ctx.argv), onWarning: (m) => ctx.reporter.onWarning?.(m) }, (out) => evaluateInto(out, model, bytes, modelPath, config, ctx));
}

async function evaluateInto(out: string, model: OnnxModel, bytes: Uint8Array, modelPath: string, config: Config, ctx: CommandContext): Promise<{ report: EvaluationReport; json: string; html: string }> {
  // --labels float: score agreement with the float model's predictions (data may have no labels).
  const floatLabels = config.labels === 'float';
  const dataset = await resolveDataset(config, ctx, floatLabels ? { labels: 'optional' } : {});
  refuseMismatch(model, modelPath, dataset.classes, floatLabels);
  const input = model.graph.inputs.find((i) => !model.graph.initializers.has(i.name));
  const { layout, sampleShape } = inputLayout(input?.shape, dataset);
  const sampleSize = sampleShape.reduce((a, b) => a * b, 1);
  const cal = seededSubset(dataset.train, sampleSize, config.seed, 'calibration', config.calibrationSamples);
  const total = config.profiles.length;
  ctx.reporter.onPhaseStart?.({ phase: 'evaluate', label: `evaluate ${modelPath} × ${total} profiles`, total });
  const t0 = performance.now();
  const report = await evaluate({
    models: { name: modelPath, onnx: bytes },
    profiles: config.profiles,
    data: { inputs: toLayout(dataset.test.x, dataset.test.count, dataset, layout), ...(floatLabels ? {} : { labels: dataset.test.y }), sampleShape, calibration: toLayout(cal.x, cal.count, dataset, layout) },
    runtimes: config.runtimes,
    ...(config.latency ? {} : { latency: false as const }),
    onProgress: (e) => ctx.reporter.onProgress?.({ phase: 'evaluate', label: 'evaluate', done: e.done, total, detail: e.profile === undefined ? e.stage : `${e.profile} · ${e.stage}` }),
  });
  ctx.reporter.onPhaseEnd?.({ phase: 'evaluate', label: 'evaluate', seconds: (performance.now() - t0) / 1000 });
  for (const p of report.models[0]!.profiles) ctx.reporter.onEvalEnd?.({ model: modelPath, profile: p.profile, status: p.status, ...(p.metrics?.accuracy !== undefined ? { accuracy: p.metrics.accuracy } : {}), ...(p.metrics?.drop !== undefined ? { drop: p.metrics.drop } : {}), ...(p.error ? { error: p.error.message } : {}) });
  // The JSON and, beside it, its HTML page (both atomically: temp file + rename), also when a profile failed.
  const json = join(out, 'eval-report.json');
  const html = join(out, 'eval-report.html');
  writeFileAtomic(json, `${JSON.stringify(report, null, 2)}\n`);
  ctx.reporter.onArtifact?.({ kind: 'report-json', path: json });
  await writeEvaluationHtmlReport(report, html);
  ctx.reporter.onArtifact?.({ kind: 'report-html', path: html });
  const note = floatLabels ? `--labels float: no accuracy; "top-1 agr %" is the agreement of each profile's top-1 prediction with the float model's, not accuracy\n\n` : '';
  ctx.reporter.onResult?.(`${note}${formatReportTable(report, { format: 'text' })}\n`);
  ctx.reporter.onResult?.(`json: ${json}\nreport: ${html}\n`);
  const profiles = report.models[0]!.profiles;
  const failed = profiles.filter((p) => p.status === 'error');
  if (failed.length > 0) {
    const reasons = failed.map((p) => `${p.profile}: ${p.error?.code ?? 'error'} ${p.error?.message ?? ''}`.trim());
    throw new ExitError(
      `${failed.length} of ${profiles.length} profile(s) failed: ${reasons.slice(0, 3).join('; ')}${reasons.length > 3 ? `; and ${reasons.length - 3} more` : ''}`,
      EXIT.input,
      'QT_PROFILE_FAILED',
      `the table above, ${json} and ${html} show every profile's result and error`,
    );
  }
  return { report, json, html };
}
