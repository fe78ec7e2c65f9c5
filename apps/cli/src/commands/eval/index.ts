import { join, resolve } from 'node:path';
import { evaluate, formatReportTable, type EvaluationData, type EvaluationReport } from '@quant-trim/backend-eval';
import { QuantTrimError } from '@quant-trim/errors';
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
import { formatFidelity } from './formatFidelity.js';
import { trainedWeightBits } from '../../train/trainedWidths.js';
import { resolveConfig, resolveDataset, type RunFlags } from '../settings.js';
import { loadNamedArrays, namedArrayStore } from './namedArrays.js';

/**
 * How the model wants one sample, from its declared input shape: NHWC `[H, W, C]` (our exports,
 * TF), NCHW `[C, H, W]` (PyTorch) or flat `[H·W·C]`. Symbolic dims default to the dataset's NHWC,
 * unless the dataset names a layout (`preprocess.layout`), which the declared dims must then fit.
 */
export function inputLayout(
  declared: readonly (number | string | null)[] | undefined,
  d: Dataset,
): { layout: 'NHWC' | 'NCHW' | 'flat'; sampleShape: number[] } {
  const [h, w, c] = d.sampleShape;
  const dims = (declared ?? []).slice(1);
  if (d.layout !== undefined && !(dims.length === 1 && dims[0] === h * w * c)) {
    const want = d.layout === 'NCHW' ? [c, h, w] : [h, w, c];
    if (dims.length === 0 || (dims.length === 3 && dims.every((x, i) => typeof x !== 'number' || x === want[i])))
      return { layout: d.layout, sampleShape: want };
    throw new QuantTrimError({
      code: 'QT_INVALID_ARGUMENT',
      message: `the model's input [${(declared ?? []).join(', ')}] does not fit ${d.name} samples as preprocess.layout ${d.layout} [${want.join(', ')}]`,
      details: { hint: "set preprocess.resize / centerCrop / channels to the model's input size, or preprocess.layout to the model's layout" },
    });
  }
  const known = dims.every((x) => typeof x === 'number');
  if (known && dims.length === 1 && dims[0] === h * w * c) return { layout: 'flat', sampleShape: [h * w * c] };
  if (known && dims.length === 3 && dims[0] === c && dims[1] === h && dims[2] === w && !(dims[2] === c)) return { layout: 'NCHW', sampleShape: [c, h, w] };
  if (!known || (dims.length === 3 && dims[0] === h && dims[1] === w && dims[2] === c) || dims.length === 0) return { layout: 'NHWC', sampleShape: [h, w, c] };
  throw new QuantTrimError({
    code: 'QT_INVALID_ARGUMENT',
    message: `the model's input [${(declared ?? []).join(', ')}] does not fit ${d.name} samples of ${h}×${w}×${c} (NHWC, NCHW or flat)`,
    details: {
      hint: "pass --dataset data of the model's size (an image folder, .npz / .npy arrays) and set preprocess.resize / centerCrop / channels in the config to match its input",
    },
  });
}

/** Rearranges NHWC samples into the layout the model wants (NCHW transposes; flat and NHWC share the memory order). */
export function toLayout(x: Float32Array, count: number, d: Dataset, layout: 'NHWC' | 'NCHW' | 'flat'): Float32Array {
  if (layout !== 'NCHW') return x;
  const [h, w, c] = d.sampleShape;
  const out = new Float32Array(x.length);
  for (let n = 0; n < count; n++)
    for (let i = 0; i < h * w; i++) for (let k = 0; k < c; k++) out[n * h * w * c + k * h * w + i] = x[n * h * w * c + i * c + k]!;
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
    throw new QuantTrimError({
      code: 'QT_ONNX_INVALID_GRAPH',
      message: `${path}: non-finite weights (NaN or infinity) in ${listNames(bad)}`,
      details: { path, hint: 'export the model again from a checkpoint whose training did not diverge' },
    });
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
    details: {
      path,
      nodes: names,
      hint: 'export the model with standard ONNX ops only (e.g. torch.onnx.export without custom_opsets / operator_export_type overrides)',
    },
  });
}

/**
 * Refuses what eval would score as garbage: a model that is already quantized (Q/DQ nodes: every
 * profile would quantize it a second time).
 */
function refuseQuantized(model: OnnxModel, path: string): void {
  const qdq = model.graph.nodes.filter((n) => n.opType === 'QuantizeLinear' || n.opType === 'DequantizeLinear' || n.opType.startsWith('QLinear'));
  if (qdq.length > 0) {
    throw new QuantTrimError({
      code: 'QT_ONNX_INVALID_GRAPH',
      message: `${path} is already quantized (${qdq.length} QuantizeLinear / DequantizeLinear / QLinear* nodes, e.g. '${qdq[0]!.name}'); the profiles would quantize it a second time`,
      details: { path, hint: 'pass the float (FP32) model: `quant-trim export --format fp32`, or the model before quantization' },
    });
  }
}

/** Refuses a classifier whose output width differs from the dataset's class count, when scored against labels. */
function refuseMismatch(model: OnnxModel, path: string, classes: number, floatLabels: boolean): void {
  const width = model.graph.outputs[0]?.shape?.at(-1);
  if (!floatLabels && typeof width === 'number' && width > 1 && width !== classes) {
    throw new QuantTrimError({
      code: 'QT_ONNX_INVALID_GRAPH',
      message: `${path} outputs ${width} classes, the dataset has ${classes}: its accuracy would be meaningless`,
      details: { path, hint: 'use a dataset with as many classes as the model outputs, or --labels float to score agreement with the float model' },
    });
  }
}

/** `inputs a [N, 1, 6, 6], b [N, 4]; outputs y [N, 3, 6, 6]` for messages. */
function describeIo(model: OnnxModel): string {
  const dims = (shape: readonly (number | string | null)[] | undefined) => (shape === undefined ? '[?]' : `[${shape.map((d) => d ?? '?').join(', ')}]`);
  const inputs = model.graph.inputs.filter((v) => !model.graph.initializers.has(v.name));
  return `inputs ${inputs.map((v) => `${v.name} ${dims(v.shape)}`).join(', ')}; outputs ${model.graph.outputs.map((v) => `${v.name} ${dims(v.shape)}`).join(', ')}`;
}

/**
 * Whether `model` reads as a classifier: one output of rank 2 (`[N, classes]`) or of unknown
 * shape, whatever its inputs. Anything else (several outputs, a segmentation map) is evaluated by
 * per-output fidelity and task metrics, without labels.
 */
export function isClassifier(model: OnnxModel): boolean {
  const outputs = model.graph.outputs;
  const shape = outputs[0]?.shape;
  return outputs.length === 1 && (shape === undefined || shape.length === 2);
}

/** Test and calibration data from a dataset of images / samples (single-input models), in the model's layout. */
async function datasetData(model: OnnxModel, modelPath: string, config: Config, ctx: CommandContext, useLabels: boolean): Promise<{ data: EvaluationData }> {
  const dataset = await resolveDataset(config, ctx, useLabels ? {} : { labels: 'optional' });
  refuseMismatch(model, modelPath, dataset.classes, !useLabels);
  const input = model.graph.inputs.find((i) => !model.graph.initializers.has(i.name));
  const { layout, sampleShape } = inputLayout(input?.shape, dataset);
  const sampleSize = sampleShape.reduce((a, b) => a * b, 1);
  const cal = seededSubset(dataset.train, sampleSize, config.seed, 'calibration', config.calibrationSamples);
  const labelled = dataset.test.y.length === dataset.test.count && dataset.classes > 0;
  return {
    data: {
      inputs: toLayout(dataset.test.x, dataset.test.count, dataset, layout),
      ...(useLabels ? { labels: dataset.test.y } : {}),
      ...(labelled ? { targets: dataset.test.y } : {}),
      sampleShape,
      calibration: toLayout(cal.x, cal.count, dataset, layout),
    },
  };
}

/**
 * Test and calibration data of a model with several inputs: an `.npz` archive (or a directory of
 * `.npy` files) with one array per model input name (see `loadNamedArrays`). Undefined for a
 * single-input model, which reads its dataset as always.
 */
function namedData(model: OnnxModel, modelPath: string, config: Config, ctx: CommandContext, useLabels: boolean): { data: EvaluationData } | undefined {
  const inputs = model.graph.inputs.filter((v) => !model.graph.initializers.has(v.name)).map((v) => v.name);
  // A single-input model reads its dataset as always (preprocessing, layout, 1/255 for integer pixels).
  if (inputs.length === 1) return undefined;
  const store = namedArrayStore(config.dataset, ctx.cwd);
  if (store === undefined) {
    throw new QuantTrimError({
      code: 'QT_INVALID_ARGUMENT',
      message: `${modelPath} has ${inputs.length} inputs (${inputs.map((n) => `'${n}'`).join(', ')}): --dataset must be an .npz archive (or a directory of .npy files) with one array per input name, not ${config.dataset}`,
      details: { inputs, hint: `numpy.savez('data.npz', ${inputs.map((n) => `${n}=…`).join(', ')})` },
    });
  }
  ctx.reporter.onPhaseStart?.({ phase: 'load', label: `load ${config.dataset}` });
  const t0 = performance.now();
  const arrays = loadNamedArrays(store, model, {
    seed: config.seed,
    calibrationSamples: config.calibrationSamples,
    trainLimit: config.trainLimit,
    testLimit: config.testLimit,
  });
  ctx.reporter.onPhaseEnd?.({ phase: 'load', label: arrays.description, seconds: (performance.now() - t0) / 1000 });
  if (useLabels && arrays.labels === undefined) {
    throw new QuantTrimError({
      code: 'QT_DATASET_CORRUPT',
      message: `${store.file}: no labels array (labels or y) to score ${modelPath} against`,
      details: { file: store.file, problem: 'no-labels', hint: 'pass --labels float to score agreement with the float model instead' },
    });
  }
  if (useLabels) refuseMismatch(model, modelPath, arrays.labels!.reduce((a, v) => Math.max(a, v), 0) + 1, false);
  const targets = arrays.targets ?? arrays.labels;
  return {
    data: {
      inputs: arrays.inputs,
      sampleShape: arrays.sampleShape,
      calibration: arrays.calibration,
      ...(useLabels ? { labels: arrays.labels! } : {}),
      ...(targets !== undefined ? { targets } : {}),
    },
  };
}

/**
 * `quant-trim eval <model.onnx>`: any float ONNX model (ours or another tool's) across the backend
 * profiles on a dataset's test split, calibrated on a seeded slice of its training split. A
 * classifier is scored against the labels (or the float model with `--labels float`); a model with
 * several inputs or outputs, or a non-classifier output, is scored by per-output fidelity (SQNR,
 * cosine, max abs error against the float model) without labels, plus any `--metric`.
 */
export async function evalCommand(modelPath: string, flags: RunFlags, ctx: CommandContext): Promise<{ report: EvaluationReport; json: string; html: string }> {
  const bytes = readInputFile(ctx.cwd, modelPath, 'the ONNX model');
  const model = decodeOnnx(bytes, modelPath);
  refuseNonFinite(model, modelPath);
  refuseCustomOps(model, modelPath);
  refuseQuantized(model, modelPath);
  const config = await resolveConfig(flags, ctx);
  return withOutputDir(resolve(ctx.cwd, config.out), { command: commandLine(ctx.argv), onWarning: (m) => ctx.reporter.onWarning?.(m) }, (out) =>
    evaluateInto(out, model, bytes, modelPath, config, ctx),
  );
}

async function evaluateInto(
  out: string,
  model: OnnxModel,
  bytes: Uint8Array,
  modelPath: string,
  config: Config,
  ctx: CommandContext,
): Promise<{ report: EvaluationReport; json: string; html: string }> {
  // --labels float: score agreement with the float model's predictions (data may have no labels).
  const floatLabels = config.labels === 'float';
  const classifier = isClassifier(model);
  const useLabels = classifier && !floatLabels;
  if (!classifier)
    ctx.reporter.onWarning?.(
      `${modelPath} is not a single-output classifier (${describeIo(model)}): scored by per-output fidelity against the float model, without labels${config.metrics.length > 0 ? `, and ${config.metrics.join(', ')}` : ''}`,
    );
  const { data } = namedData(model, modelPath, config, ctx, useLabels) ?? (await datasetData(model, modelPath, config, ctx, useLabels));
  const total = config.profiles.length;
  ctx.reporter.onPhaseStart?.({ phase: 'evaluate', label: `evaluate ${modelPath} × ${total} profiles`, total });
  const t0 = performance.now();
  // A QAT / Quant-Trim export records the width each layer trained for: deploy it there where a profile allows.
  const trained = trainedWeightBits(model);
  const report = await evaluate({
    models: { name: modelPath, onnx: bytes, ...(trained !== undefined ? { compile: { trainedWeightBits: trained } } : {}) },
    profiles: config.profiles,
    data,
    metrics: config.metrics,
    runtimes: config.runtimes,
    workers: config.workers ?? 'auto',
    ...(config.latency ? {} : { latency: false as const }),
    onProgress: (e) =>
      ctx.reporter.onProgress?.({
        phase: 'evaluate',
        label: 'evaluate',
        done: e.done,
        total,
        detail: e.profile === undefined ? e.stage : `${e.profile} · ${e.stage}`,
      }),
  });
  ctx.reporter.onPhaseEnd?.({ phase: 'evaluate', label: 'evaluate', seconds: (performance.now() - t0) / 1000 });
  for (const p of report.models[0]!.profiles)
    ctx.reporter.onEvalEnd?.({
      model: modelPath,
      profile: p.profile,
      status: p.status,
      ...(p.metrics?.accuracy !== undefined ? { accuracy: p.metrics.accuracy } : {}),
      ...(p.metrics?.drop !== undefined ? { drop: p.metrics.drop } : {}),
      ...(p.error ? { error: p.error.message } : {}),
    });
  // The JSON and, beside it, its HTML page (both atomically: temp file + rename), also when a profile failed.
  const json = join(out, 'eval-report.json');
  const html = join(out, 'eval-report.html');
  writeFileAtomic(json, `${JSON.stringify(report, null, 2)}\n`);
  ctx.reporter.onArtifact?.({ kind: 'report-json', path: json });
  await writeEvaluationHtmlReport(report, html);
  ctx.reporter.onArtifact?.({ kind: 'report-html', path: html });
  const note = !classifier
    ? `not a single-output classifier: no accuracy; the fidelity table below scores every output against the float model\n\n`
    : floatLabels
      ? `--labels float: no accuracy; "top-1 agr %" is the agreement of each profile's top-1 prediction with the float model's, not accuracy\n\n`
      : '';
  ctx.reporter.onResult?.(`${note}${formatReportTable(report, { format: 'text' })}\n\n${formatFidelity(report)}\n`);
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
