import { isQuantTrimError, QuantTrimError } from '@quant-trim/errors';
import { cloneModel, readOnnx, writeOnnx, type OnnxModel } from '@quant-trim/onnx-export';
import { compileWithStats, type ActivationQParams, type CompileOptions, type NodeCoverage } from '../compile/compileForBackend.js';
import { rowsPerCall, type CalibrationData, type FeedCalibrationData } from '../compile/calibrate.js';
import { countMacs, type MacCount } from '../estimate/countMacs.js';
import { estimateCost } from '../estimate/estimateCost.js';
import { evaluateProfilesInPool, poolBlocker, workersFor, type WorkersOption } from './profilePool.js';
import { latencyOf } from './latencyRows.js';
import { layerSensitivity } from './layerSensitivity.js';
import { placeNodes } from '../estimate/placement.js';
import { defaultMetricRegistry } from '../metrics/builtinMetrics.js';
import { acrossProfiles, compareLogits, type Logits } from '../metrics/classificationMetrics.js';
import { computeMetric, isValidatedMetric, type Metric, type MetricRegistry } from '../metrics/defineMetric.js';
import { outputFidelity, type OutputFidelity, type OutputValues } from '../metrics/fidelity.js';
import { defaultBackendRegistry, type BackendProfileRegistry } from '../profiles/createBackendRegistry.js';
import type { BackendProfile, MacPrecision } from '../profiles/types.js';
import { compareRuntimeOutputs } from '../runtime/disagreement.js';
import { describeEnvironment } from '../runtime/environment.js';
import { optimizedOps } from '../runtime/optimizedOps.js';
import { firstOutputLogits, firstSamples, runAll, runOutputs, type ModelFeeds } from '../runtime/runBatches.js';
import { createRuntimeSession, type RuntimeSession } from '../runtime/sessions.js';
import { VERSION } from '../version.js';
import { calibrationSource, checkCalibrationNames, checkTestData, feedsFor, invalid, shapeOptions, type EvaluationData } from './evaluationData.js';
import {
  REPORT_SCHEMA_ID,
  type CostEstimate,
  type CoverageSummary,
  type EvaluationReport,
  type MetricScore,
  type ModelReport,
  type ProfileResult,
  type RuntimeDisagreement,
  type RuntimeName,
  type RuntimeResult,
  type ScoreResult,
  type SensitivityReport,
  type TensorRange,
} from './reportTypes.js';

export type { EvaluationData } from './evaluationData.js';

/** One model to evaluate: a float ONNX model (ours or any exporter's) and a display name. */
export interface EvaluateModel {
  readonly name: string;
  readonly onnx: Uint8Array | OnnxModel;
  /** Options for every compile of this model (e.g. `weightBits` for mixed-precision profiles). */
  readonly compile?: Omit<CompileOptions, 'inputShape' | 'inputShapes' | 'floatNodes'>;
}

export interface EvaluateProgress {
  readonly model: string;
  readonly profile?: string;
  readonly stage: 'float' | 'compile' | 'inference' | 'sensitivity' | 'runtimes' | 'done';
  /** Profiles finished for this model / profiles in total. */
  readonly done: number;
  readonly total: number;
}

export interface EvaluateOptions {
  readonly models: EvaluateModel | readonly EvaluateModel[];
  readonly data: EvaluationData;
  /** Profiles or profile ids (looked up in `registry`). Default: every profile of the registry. */
  readonly profiles?: readonly (BackendProfile | string)[];
  readonly registry?: BackendProfileRegistry;
  /** Real runtimes that run each compiled model natively. Default both; `[]` for none. */
  readonly runtimes?: readonly RuntimeName[];
  /** Test samples run on each real runtime (agreement and runtime disagreement). Default 256. */
  readonly runtimeSamples?: number;
  /** Latency measurement on the real runtimes, or false. Default `{ batchSizes: [1, 32], runs: 15, warmup: 2 }`. */
  readonly latency?: false | { readonly batchSizes?: readonly number[]; readonly runs?: number; readonly warmup?: number };
  /**
   * Per-layer sensitivity, or false. Each quantized Conv / Gemm / MatMul is compiled alone (every
   * other node kept float) and the SQNR of the logits measured on `samples` test inputs; layers
   * under `thresholdDb` are listed to keep in float. Default `thresholdDb` 25; default `samples`:
   * the test samples divided by the profile's quantized layers, between 32 and 256 (and at most the
   * test samples), so the isolated runs together cost about one pass over the test set — 256 for a
   * small CNN on 10,000 images, 47 for ResNet-18's 21 layers on 1,000. The report gives the count.
   */
  readonly sensitivity?: false | { readonly samples?: number; readonly thresholdDb?: number };
  /**
   * Also return the predicted class (top-1 of the logits) of every test sample: for the float
   * model in `models[i].float.predictions` and per profile in `profiles[j].predictions` (plain
   * arrays, as long as the test set). For paired statistics over test images (bootstrap); off by
   * default, since it makes the report grow with the test set.
   */
  readonly predictions?: boolean;
  /**
   * Task metrics computed for the float model and every profile's emulated model over the test
   * samples (value and drop): metrics from `defineMetric`, or ids looked up in `metricRegistry`
   * (built in: `top5`, `miou`, `mse`). They read `data.targets` (else `data.labels`).
   */
  readonly metrics?: readonly (Metric | string)[];
  /** Where metric ids are looked up. Default: `defaultMetricRegistry` (the built-in metrics). */
  readonly metricRegistry?: MetricRegistry;
  /**
   * Samples per inference call for the accuracy runs. Default 500, fewer for large inputs: at most
   * 1,048,576 input values per call (6 images of 3×224×224), which bounds ONNX Runtime's memory.
   */
  readonly batchSize?: number;
  /** Threads per runtime session. Default 1 (deterministic, comparable latency). */
  readonly threads?: number;
  /**
   * Worker threads that evaluate a model's profiles in parallel (a tinypool pool, one profile per
   * task, the data in shared memory: arrays already backed by a SharedArrayBuffer are read in
   * place, others copied once, so large data given in shared memory costs no second copy): results
   * identical to one thread. Default 1 (the calling
   * thread); `'auto'` = the core count when a model's evaluation is large enough to repay starting
   * the workers (test samples × profiles × max(1, MMACs per sample) ≥ 20,000), else the calling
   * thread. With a calibration function or a metric that is not a built-in, the evaluation stays
   * on the calling thread (workers take data, not code).
   */
  readonly workers?: WorkersOption;
  readonly onProgress?: (event: EvaluateProgress) => void;
}

function resolveProfiles(options: EvaluateOptions): BackendProfile[] {
  const registry = options.registry ?? defaultBackendRegistry;
  if (options.profiles === undefined) return [...registry.values()];
  return options.profiles.map((p) => (typeof p === 'string' ? registry.get(p as Parameters<typeof registry.get>[0]) : p));
}

const seconds = (t0: number) => (performance.now() - t0) / 1000;

/** The accuracy runs' samples per call: `batchSize` if given, else 500 bounded by the input size (`rowsPerCall`). */
const batchFor = (batchSize: number | undefined, feeds: ModelFeeds) => batchSize ?? Math.min(500, rowsPerCall(feeds.inputs));

/** Top-1 class of every row of `logits` (the first maximum wins on ties). */
export function argmaxRows(logits: Logits): number[] {
  const { data, classes } = logits;
  const rows = data.length / classes;
  const out = new Array<number>(rows);
  for (let r = 0; r < rows; r++) {
    let best = 0;
    let value = data[r * classes]!;
    for (let c = 1; c < classes; c++) {
      const v = data[r * classes + c]!;
      if (v > value) {
        value = v;
        best = c;
      }
    }
    out[r] = best;
  }
  return out;
}

const BYTES: Readonly<Record<MacPrecision, number>> = { int4: 0.5, int8: 1, int16: 2, float16: 2, float32: 4 };

function bitsPrecision(bits: number): MacPrecision {
  return bits <= 4 ? 'int4' : bits <= 8 ? 'int8' : 'int16';
}

/** The precision a node's MACs run at, from its coverage (activation width for integer nodes). */
function precisionOf(c: NodeCoverage | undefined, profile: BackendProfile): MacPrecision {
  if (c === undefined || c.numerics === 'float32') return 'float32';
  if (c.numerics === 'float16' || c.numerics === 'weight-only') return 'float16';
  const actBits = 'bits' in profile.activations ? profile.activations.bits : 16;
  return bitsPrecision(Math.max(actBits, c.weightBits ?? 8));
}

/** Bytes per element of a precision's weights or activations (int4 activations are stored as int8). */
const activationBytes = (p: MacPrecision) => BYTES[p === 'int4' ? 'int8' : p];

function estimateFor(ctx: ModelContext, coverage: readonly NodeCoverage[], profile: BackendProfile): CostEstimate | undefined {
  const { device } = profile;
  if (device?.tops === undefined) return undefined;
  const byNode = new Map(coverage.map((c) => [c.node, c]));
  const precision = (node: string) => precisionOf(byNode.get(node), profile);
  const weightPrecision = (node: string): MacPrecision => {
    const c = byNode.get(node);
    if (c?.weightBits !== undefined) return bitsPrecision(c.weightBits);
    return c?.numerics === 'float16' || c?.numerics === 'weight-only' ? 'float16' : 'float32';
  };
  const { placement, transferBytes, invocations } = placeNodes({
    model: ctx.fp,
    coverage,
    inputShape: [1, ...ctx.feeds.inputs[0]!.sampleShape],
    bytesPerElement: (node) => activationBytes(precision(node)),
  });
  let weightBytes = 0;
  let activationTotal = 0;
  let hostBytes = 0;
  for (const n of ctx.macs.nodes) {
    const w = n.weightElements * BYTES[weightPrecision(n.node)];
    const a = n.outputElements * activationBytes(precision(n.node));
    weightBytes += w;
    activationTotal += a;
    if (placement.get(n.node) === 'host') hostBytes += w + a;
  }
  return estimateCost({
    macs: ctx.macs.nodes,
    precisionOf: (n) => precision(n.node),
    weightBytes,
    activationBytes: activationTotal,
    device,
    placement: { placementOf: (n) => placement.get(n.node) ?? 'accelerator', hostBytes, transferBytes, invocations },
  });
}

/**
 * A compiled model's coverage summarised: nodes that compute (transparent ones are listed in
 * `nodes` but not counted) quantized and on the accelerator, and the MAC shares of each.
 */
export function coverageSummary(coverage: readonly NodeCoverage[], macs: MacCount): CoverageSummary {
  const byNode = new Map(coverage.map((c) => [c.node, c]));
  const share = (pick: (c: NodeCoverage) => boolean) =>
    macs.totalMacs > 0 ? macs.nodes.reduce((a, n) => a + (byNode.get(n.node) !== undefined && pick(byNode.get(n.node)!) ? n.macs : 0), 0) / macs.totalMacs : 0;
  const computing = coverage.filter((c) => c.transparent !== true);
  return {
    integer: computing.filter((c) => c.integer).length,
    onAccelerator: computing.filter((c) => c.onAccelerator).length,
    total: computing.length,
    macShare: share((c) => c.integer),
    acceleratorMacShare: share((c) => c.onAccelerator),
    nodes: coverage,
  };
}

/** `model` with the batch axis of every data input declared as `batch`. */
function withBatch(model: OnnxModel, batch: number, feeds: ModelFeeds): OnnxModel {
  const copy = cloneModel(model);
  for (const input of copy.graph.inputs) {
    const spec = feeds.inputs.find((v) => v.name === input.name);
    if (spec !== undefined) input.shape = [batch, ...(input.shape?.slice(1) ?? spec.sampleShape)];
  }
  return copy;
}

/**
 * The float model's outputs over the test inputs. A symbolic batch axis the graph does not honour
 * (an exporter that baked batch 1 into a Reshape, say) fails in ONNX Runtime at larger batches:
 * the model is then re-batched safely, its batch axis declared as 1, so that every stage
 * (inference, calibration, sensitivity, latency) feeds one sample per call, and a note says so.
 */
async function floatRun(
  fp: OnnxModel,
  fpBytes: Uint8Array,
  feeds: ModelFeeds,
  batchSize: number,
  threads: number,
): Promise<{ fp: OnnxModel; fpBytes: Uint8Array; floatOutputs: OutputValues[]; note?: string }> {
  try {
    return { fp, fpBytes, floatOutputs: await runAll('onnxruntime-node', fpBytes, 'emulate', feeds, batchSize, threads) };
  } catch (e) {
    const declared = fp.graph.inputs.find((v) => v.name === feeds.inputs[0]!.name)?.shape?.[0];
    if (!isQuantTrimError(e, 'QT_RUNTIME_ERROR') || typeof declared === 'number' || feeds.samples === 1) throw e;
    const pinned = withBatch(fp, 1, feeds);
    const pinnedBytes = writeOnnx(pinned);
    let floatOutputs: OutputValues[];
    try {
      floatOutputs = await runAll('onnxruntime-node', pinnedBytes, 'emulate', feeds, 1, threads);
    } catch {
      throw e;
    }
    const why = e.message.split('\n')[0]!;
    return {
      fp: pinned,
      fpBytes: pinnedBytes,
      floatOutputs,
      note: `the model's symbolic batch axis fails above batch 1 in ONNX Runtime (${why}): evaluated with the batch axis fixed to 1, one sample per call`,
    };
  }
}

/** Everything one model's profile evaluations share (built once per model; rebuilt in each worker of the pool). */
export interface ModelContext {
  readonly name: string;
  /** Notes added to every profile's `approximations` (e.g. a batch axis pinned to 1). */
  readonly notes: readonly string[];
  readonly fp: OnnxModel;
  readonly fpBytes: Uint8Array;
  /** The test inputs by this model's input names. */
  readonly feeds: ModelFeeds;
  readonly floatOutputs: readonly OutputValues[];
  readonly floatLogits: Logits;
  readonly floatScores: readonly MetricScore[];
  readonly macs: MacCount;
  readonly compile: EvaluateModel['compile'];
}

/**
 * Evaluates float ONNX models across backend profiles (docs/method.md#evaluation-protocol, docs/backends.md): for every
 * model × profile it compiles the model like that vendor's quantizer, runs the emulated numerics
 * in onnxruntime-node over all test inputs and compares them with the float model (accuracy, drop,
 * top-1 agreement, KL, logit cosine, ECE, on the first output), the fidelity of every output
 * (SQNR, cosine, max abs error; no labels needed) and any task metrics (`metrics`, value and drop),
 * measures per-layer sensitivity, runs the native model
 * on the real runtimes (agreement, latency p50/p90 at batch 1 and 32, disagreement between
 * runtimes) and estimates energy, latency and cost on the profile's device; across profiles it
 * gives the mean and worst-case drop and the spread. Models may have several data inputs (data
 * per input name, `EvaluationData`) and several outputs. A profile that cannot compile the model is
 * reported with its coded error; the others still run. Returns the JSON report
 * (`schema/evaluation-report.schema.json`).
 */
export async function evaluate(options: EvaluateOptions): Promise<EvaluationReport> {
  const models = Array.isArray(options.models) ? (options.models as readonly EvaluateModel[]) : [options.models as EvaluateModel];
  if (models.length === 0) throw invalid('models: expected at least one model');
  const { data } = options;
  const { samples } = checkTestData(data);
  const calibration = calibrationSource(data);
  const profiles = resolveProfiles(options);
  const metrics = resolveMetrics(options);
  const workers = options.workers ?? 1;
  if (workers !== 'auto' && (!Number.isInteger(workers) || workers < 1))
    throw invalid(`workers: expected an integer ≥ 1 or 'auto', got ${String(options.workers)}`);
  const runtimeSamples = Math.min(samples, options.runtimeSamples ?? 256);
  const settings: Omit<ProfileSettings, 'progress' | 'feeds'> = {
    data,
    metrics,
    runtimes: options.runtimes ?? ['onnxruntime-node', 'onnxruntime-web'],
    batchSize: options.batchSize,
    threads: options.threads ?? 1,
    runtimeSamples,
    sensitivity:
      options.sensitivity === false
        ? undefined
        : {
            samples: options.sensitivity?.samples === undefined ? 'auto' : Math.min(samples, options.sensitivity.samples),
            thresholdDb: options.sensitivity?.thresholdDb ?? 25,
          },
    latency:
      options.latency === false
        ? undefined
        : { batchSizes: options.latency?.batchSizes ?? [1, 32], runs: options.latency?.runs ?? 15, warmup: options.latency?.warmup ?? 2 },
    versions: {},
    predictions: options.predictions === true,
  };

  const reports: ModelReport[] = [];
  let classCount = 0;
  for (const m of models) {
    const { report, classes } = await evaluateModel(m, profiles, calibration.source, settings, options.onProgress, workers);
    classCount = Math.max(classCount, classes);
    reports.push(report);
  }

  const env = describeEnvironment();
  return {
    $schema: REPORT_SCHEMA_ID,
    schemaVersion: 1,
    createdAt: new Date().toISOString(),
    tool: { name: '@quant-trim/backend-eval', version: VERSION },
    environment: { ...env, runtimes: settings.versions },
    data: {
      samples,
      calibrationSamples: calibration.samples ?? Math.max(0, ...reports.flatMap((r) => r.profiles.map((p) => p.calibration?.samples ?? 0))),
      classes: classCount,
      labelled: data.labels !== undefined,
    },
    models: reports,
  };
}

/** The task metrics of `options.metrics`, ids looked up in the metric registry; a metric that needs targets the data lacks is refused up front. */
function resolveMetrics(options: EvaluateOptions): Metric[] {
  const registry = options.metricRegistry ?? defaultMetricRegistry;
  const metrics = (options.metrics ?? []).map((m) => {
    if (typeof m === 'string') return registry.get(m);
    if (!isValidatedMetric(m))
      throw new QuantTrimError({
        code: 'QT_INVALID_PLUGIN',
        message: `\`evaluate\`: metric "${String((m as { id?: unknown } | null)?.id)}": pass it through defineMetric() first, which validates and freezes it`,
      });
    return m;
  });
  const ids = metrics.map((m) => m.id);
  const twice = ids.find((id, i) => ids.indexOf(id) !== i);
  if (twice !== undefined) throw invalid(`metrics: "${twice}" is listed twice`);
  const targets = options.data.targets ?? options.data.labels;
  const needy = metrics.find((m) => m.needsTargets && targets === undefined);
  if (needy !== undefined) throw invalid(`metric "${needy.id}" needs targets: pass data.targets (or data.labels)`, { metric: needy.id });
  return metrics;
}

/** `metrics` over one model's outputs (the float model or a profile's emulated model). */
function scoresOf(metrics: readonly Metric[], outputs: readonly OutputValues[], data: EvaluationData, samples: number): MetricScore[] {
  const targets = data.targets ?? data.labels;
  return metrics.map((m) => ({
    metric: m.id,
    name: m.name,
    higherIsBetter: m.higherIsBetter,
    value: computeMetric(m, { outputs, samples, ...(targets !== undefined ? { targets } : {}) }),
  }));
}

/** A profile's scores with the float value and the drop (positive = worse than float, whichever direction is better). */
function scoreResults(floatScores: readonly MetricScore[], scores: readonly MetricScore[]): ScoreResult[] {
  return scores.map((s, i) => {
    const floatValue = floatScores[i]!.value;
    return { ...s, floatValue, drop: s.higherIsBetter ? floatValue - s.value : s.value - floatValue };
  });
}

/** One model: the float run, every profile, and the summary across profiles. */
async function evaluateModel(
  m: EvaluateModel,
  profiles: readonly BackendProfile[],
  calibration: () => CalibrationData | FeedCalibrationData,
  settings: Omit<ProfileSettings, 'progress' | 'feeds'>,
  onProgress: EvaluateOptions['onProgress'],
  workersOption: WorkersOption,
): Promise<{ report: ModelReport; classes: number }> {
  const { data } = settings;
  onProgress?.({ model: m.name, stage: 'float', done: 0, total: profiles.length });
  const model = m.onnx instanceof Uint8Array ? readOnnx(m.onnx) : m.onnx;
  const feeds = feedsFor(model, m.name, data);
  checkCalibrationNames(model, m.name, data);
  const { fp, fpBytes, floatOutputs, note } = await floatRun(
    model,
    m.onnx instanceof Uint8Array ? m.onnx : writeOnnx(m.onnx),
    feeds,
    batchFor(settings.batchSize, feeds),
    settings.threads,
  );
  const floatLogits = firstOutputLogits(floatOutputs);
  const macs = countMacs(fp, { inputShape: [1, ...feeds.inputs[0]!.sampleShape] });
  const floatScores = scoresOf(settings.metrics, floatOutputs, data, feeds.samples);
  const ctx: ModelContext = {
    name: m.name,
    fp,
    fpBytes,
    feeds,
    floatOutputs,
    floatLogits,
    floatScores,
    macs,
    compile: m.compile,
    notes: note === undefined ? [] : [note],
  };
  const floatRuntimes = await runtimeRows(fpBytes, floatLogits, { ...settings, feeds });

  const results: ProfileResult[] = [];
  const workers = workersFor(workersOption, feeds.samples, macs.totalMacs, profiles.length);
  if (workers > 1 && profiles.length > 1 && poolBlocker(data, settings.metrics) === undefined) {
    results.push(...(await evaluateProfilesInPool(ctx, profiles, settings, workers, onProgress)));
  } else {
    for (const [i, profile] of profiles.entries()) {
      results.push(
        await evaluateProfile(ctx, profile, calibration, {
          ...settings,
          feeds,
          progress: (stage) => onProgress?.({ model: m.name, profile: profile.id, stage, done: i, total: profiles.length }),
        }),
      );
    }
  }
  onProgress?.({ model: m.name, stage: 'done', done: profiles.length, total: profiles.length });

  const floatAccuracy = data.labels === undefined ? undefined : compareLogits(floatLogits, floatLogits, data.labels).accuracy;
  const ok = results.filter((r) => r.metrics?.accuracy !== undefined);
  let across: ModelReport['acrossProfiles'];
  if (floatAccuracy !== undefined && ok.length > 0) {
    const summary = acrossProfiles(
      ok.map((r) => r.metrics!.accuracy!),
      floatAccuracy,
    );
    const worst = ok.reduce((a, b) => (b.metrics!.accuracy! < a.metrics!.accuracy! ? b : a));
    across = { ...summary, worstProfile: worst.profile };
  }
  const parameters = [...fp.graph.initializers.values()].filter((t) => t.dataType === 1).reduce((a, t) => a + t.data.length, 0);
  const report: ModelReport = {
    name: m.name,
    parameters,
    macs: macs.totalMacs,
    inputs: feeds.inputs.map((v) => ({ name: v.name, sampleShape: [...v.sampleShape] })),
    outputs: floatOutputs.map((o) => ({ name: o.name, sampleShape: [...o.sampleShape] })),
    float: {
      ...(floatAccuracy !== undefined ? { accuracy: floatAccuracy } : {}),
      ...(floatScores.length > 0 ? { scores: floatScores } : {}),
      runtimes: floatRuntimes.rows,
      ...(settings.predictions ? { predictions: argmaxRows(floatLogits) } : {}),
    },
    profiles: results,
    ...(across !== undefined ? { acrossProfiles: across } : {}),
  };
  return { report, classes: floatLogits.classes };
}

export interface RuntimeSettings {
  readonly runtimes: readonly RuntimeName[];
  readonly runtimeSamples: number;
  readonly latency: { batchSizes: readonly number[]; runs: number; warmup: number } | undefined;
  readonly threads: number;
  readonly data: EvaluationData;
  /** The test inputs by the current model's input names. */
  readonly feeds: ModelFeeds;
  readonly versions: Partial<Record<RuntimeName, string>>;
}

/**
 * Runs `nativeBytes` natively on every runtime: agreement with the emulated logits on the first
 * `runtimeSamples` inputs, latency, fused ops; and the disagreement between runtimes.
 */
async function runtimeRows(
  nativeBytes: Uint8Array,
  emulated: Logits,
  s: RuntimeSettings,
): Promise<{ rows: RuntimeResult[]; disagreement: RuntimeDisagreement[] }> {
  const subset = firstSamples(s.feeds, s.runtimeSamples);
  const reference: Logits = { data: emulated.data.subarray(0, s.runtimeSamples * emulated.classes), classes: emulated.classes };
  const rows: RuntimeResult[] = [];
  const outputs = new Map<RuntimeName, Logits>();
  for (const runtime of s.runtimes) {
    let session: RuntimeSession | undefined;
    try {
      session = await createRuntimeSession(runtime, nativeBytes, { mode: 'native', threads: s.threads });
      s.versions[runtime] = session.version;
      const logits = firstOutputLogits(await runOutputs(session, subset, { batchSize: 64 }));
      outputs.set(runtime, logits);
      const cmp = compareRuntimeOutputs(reference, logits);
      const labels = s.data.labels === undefined ? undefined : Array.from({ length: s.runtimeSamples }, (_, i) => s.data.labels![i]!);
      const accuracy = labels === undefined ? undefined : compareLogits(reference, logits, labels).accuracy;
      const lat = await latencyOf(session, subset, s.latency);
      const ops = runtime === 'onnxruntime-node' ? await optimizedOps(nativeBytes, 'native', s.threads) : undefined;
      rows.push({
        runtime,
        version: session.version,
        mode: 'native',
        threads: session.threads,
        samples: s.runtimeSamples,
        ...(accuracy !== undefined ? { accuracy } : {}),
        agreementWithEmulation: cmp.top1Agreement,
        maxAbsDiffFromEmulation: cmp.maxAbsDiff,
        latency: lat,
        ...(ops !== undefined ? { optimizedOps: ops } : {}),
      });
    } finally {
      await session?.release();
    }
  }
  const disagreement: RuntimeDisagreement[] = [];
  const names = [...outputs.keys()];
  for (let i = 0; i < names.length; i++) {
    for (let j = i + 1; j < names.length; j++) {
      const c = compareRuntimeOutputs(outputs.get(names[i]!)!, outputs.get(names[j]!)!);
      disagreement.push({
        a: names[i]!,
        b: names[j]!,
        mode: 'native',
        samples: c.samples,
        top1Agreement: c.top1Agreement,
        maxAbsDiff: c.maxAbsDiff,
        meanAbsDiff: c.meanAbsDiff,
      });
    }
  }
  return { rows, disagreement };
}

export interface ProfileSettings extends RuntimeSettings {
  /** Receives the compiled native model (the worker pool measures its latency afterwards). */
  readonly keepNative?: (bytes: Uint8Array) => void;
  /** Samples per accuracy-run call; undefined: 500, bounded by the input size. */
  readonly batchSize: number | undefined;
  readonly sensitivity: { samples: number | 'auto'; thresholdDb: number } | undefined;
  readonly predictions: boolean;
  readonly metrics: readonly Metric[];
  readonly progress: (stage: EvaluateProgress['stage']) => void;
}

export async function evaluateProfile(
  ctx: ModelContext,
  profile: BackendProfile,
  calibration: () => CalibrationData | FeedCalibrationData,
  s: ProfileSettings,
): Promise<ProfileResult> {
  const head = { profile: profile.id, name: profile.name, vendor: profile.vendor };
  try {
    s.progress('compile');
    let t0 = performance.now();
    const compileOptions: CompileOptions = { ...ctx.compile, ...shapeOptions(ctx.feeds) };
    const { compiled, reuse } = await compileWithStats(ctx.fp, profile, calibration(), compileOptions);
    const compileSeconds = seconds(t0);

    const emulateBytes = compiled.bytes('emulate');
    // The native model is usually the emulated one (static profiles): serialise it once.
    const nativeBytes = compiled.native === compiled.model ? emulateBytes : compiled.bytes('native');
    await checkCompiled(profile, emulateBytes, nativeBytes, s.threads);
    s.keepNative?.(nativeBytes);

    s.progress('inference');
    t0 = performance.now();
    const outputs = await runAll('onnxruntime-node', emulateBytes, 'emulate', ctx.feeds, batchFor(s.batchSize, ctx.feeds), s.threads);
    const logits = firstOutputLogits(outputs);
    const metrics = compareLogits(ctx.floatLogits, logits, s.data.labels);
    const fidelity = fidelityOf(ctx.floatOutputs, outputs);
    const scores = scoreResults(ctx.floatScores, scoresOf(s.metrics, outputs, s.data, ctx.feeds.samples));
    const inferenceSeconds = seconds(t0);

    t0 = performance.now();
    let sensitivity: SensitivityReport | undefined;
    if (s.sensitivity !== undefined) {
      s.progress('sensitivity');
      sensitivity = await layerSensitivity(ctx, profile, { compiled, reuse }, calibration, compileOptions, s.sensitivity);
    }
    const sensitivitySeconds = seconds(t0);
    t0 = performance.now();
    s.progress('runtimes');
    const { rows, disagreement } = await runtimeRows(nativeBytes, logits, s);
    const runtimeSeconds = seconds(t0);

    const estimate = estimateFor(ctx, compiled.coverage, profile);
    return {
      ...head,
      status: 'ok',
      metrics,
      fidelity,
      ...(scores.length > 0 ? { scores } : {}),
      coverage: coverageSummary(compiled.coverage, ctx.macs),
      approximations: [...ctx.notes, ...compiled.approximations],
      calibration: { ...compiled.calibration, ...(compiled.activations.length > 0 ? { tensors: compiled.activations.map(tensorRange) } : {}) },
      ...(sensitivity !== undefined ? { sensitivity } : {}),
      ...(s.predictions ? { predictions: argmaxRows(logits) } : {}),
      runtimes: rows,
      disagreement,
      ...(estimate !== undefined ? { estimate } : {}),
      timing: { compileSeconds, inferenceSeconds, sensitivitySeconds, runtimeSeconds },
    };
  } catch (e) {
    if (!isQuantTrimError(e)) throw e;
    return { ...head, status: 'error', error: { code: e.code, message: e.message } };
  }
}

/** Fidelity of every float output against the emulated output of the same name. */
function fidelityOf(float: readonly OutputValues[], quantized: readonly OutputValues[]): OutputFidelity[] {
  const byName = new Map(quantized.map((o) => [o.name, o]));
  return float.map((f) => {
    const q = byName.get(f.name);
    if (q === undefined) {
      throw new QuantTrimError({
        code: 'QT_RUNTIME_ERROR',
        message: `the compiled model has no output '${f.name}' (a backend-eval bug: please report it with the model)`,
        details: { output: f.name },
      });
    }
    return outputFidelity(f, q);
  });
}

/**
 * Loads both execution modes of a compiled model once in onnxruntime-node before anything is
 * measured: a compiled model ONNX Runtime rejects is a compiler bug, reported as such
 * (`QT_RUNTIME_ERROR` naming the profile and the mode) instead of surfacing mid-evaluation.
 */
async function checkCompiled(profile: BackendProfile, emulateBytes: Uint8Array, nativeBytes: Uint8Array, threads: number): Promise<void> {
  for (const [mode, bytes] of [
    ['emulate', emulateBytes],
    ['native', nativeBytes],
  ] as const) {
    let session: RuntimeSession | undefined;
    try {
      session = await createRuntimeSession('onnxruntime-node', bytes, { mode, threads });
    } catch (e) {
      if (!isQuantTrimError(e, 'QT_RUNTIME_ERROR')) throw e;
      throw new QuantTrimError({
        code: 'QT_RUNTIME_ERROR',
        message: `the ${mode} model compiled for ${profile.id} is rejected by ONNX Runtime (a backend-eval bug: please report it with the model): ${e.message}`,
        cause: e,
        details: { profile: profile.id, mode },
      });
    } finally {
      await session?.release();
    }
  }
}

/** The report's view of one activation's parameters; a range never observed (no data reached it) is reported as its clip. */
function tensorRange(a: ActivationQParams): TensorRange {
  const seen = Number.isFinite(a.observedMin) && Number.isFinite(a.observedMax);
  return {
    tensor: a.tensor,
    observedMin: seen ? a.observedMin : a.clipMin,
    observedMax: seen ? a.observedMax : a.clipMax,
    clipMin: a.clipMin,
    clipMax: a.clipMax,
    scale: a.scale,
    zeroPoint: a.zeroPoint,
    source: a.source,
  };
}
