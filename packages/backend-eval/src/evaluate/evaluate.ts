import { isQuantTrimError, QuantTrimError } from '@quant-trim/internal';
import { addOutputs, cloneModel, readOnnx, writeOnnx, type OnnxModel } from '@quant-trim/onnx-export';
import { compileForBackend, type ActivationQParams, type CompiledModel, type CompileOptions, type NodeCoverage } from '../compile/compileForBackend.js';
import type { CalibrationData } from '../compile/calibrate.js';
import { countMacs, type MacCount } from '../estimate/countMacs.js';
import { estimateCost } from '../estimate/estimateCost.js';
import { placeNodes } from '../estimate/placement.js';
import { acrossProfiles, compareLogits, type Logits } from '../metrics/classificationMetrics.js';
import { defaultBackendRegistry, type BackendProfileRegistry } from '../profiles/createBackendRegistry.js';
import type { BackendProfile, MacPrecision } from '../profiles/types.js';
import { compareRuntimeOutputs } from '../runtime/disagreement.js';
import { describeEnvironment } from '../runtime/environment.js';
import { measureLatency } from '../runtime/latency.js';
import { optimizedOps } from '../runtime/optimizedOps.js';
import { runLogits } from '../runtime/runBatches.js';
import { createRuntimeSession, ortCall, type RuntimeSession } from '../runtime/sessions.js';
import { VERSION } from '../version.js';
import { REPORT_SCHEMA_ID, type CostEstimate, type CoverageSummary, type EvaluationReport, type ExecutionMode, type LayerSensitivity, type ModelReport, type ProfileResult, type RuntimeDisagreement, type RuntimeName, type RuntimeResult, type SensitivityReport, type TensorRange } from './reportTypes.js';

/** One model to evaluate: a float ONNX model (ours or any exporter's) and a display name. */
export interface EvaluateModel {
  readonly name: string;
  readonly onnx: Uint8Array | OnnxModel;
  /** Options for every compile of this model (e.g. `weightBits` for mixed-precision profiles). */
  readonly compile?: Omit<CompileOptions, 'inputShape' | 'floatNodes'>;
}

export interface EvaluationData {
  /** Test inputs, row-major, batch first. */
  readonly inputs: Float32Array;
  /** Shape of one sample (without the batch axis), e.g. `[1, 28, 28]` or `[28, 28, 1]`. */
  readonly sampleShape: readonly number[];
  /** Class index per sample; without labels, accuracy, drop and ECE are left out. */
  readonly labels?: ArrayLike<number>;
  /**
   * Calibration samples (keep them apart from the test inputs): a Float32Array of whole samples, or
   * a function returning a fresh (async) iterable of batches each time (every profile calibrates).
   */
  readonly calibration: Float32Array | (() => CalibrationData);
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
   * under `thresholdDb` are listed to keep in float. Default `{ samples: 256, thresholdDb: 25 }`.
   */
  readonly sensitivity?: false | { readonly samples?: number; readonly thresholdDb?: number };
  /**
   * Also return the predicted class (top-1 of the logits) of every test sample: for the float
   * model in `models[i].float.predictions` and per profile in `profiles[j].predictions` (plain
   * arrays, as long as the test set). For paired statistics over test images (bootstrap); off by
   * default, since it makes the report grow with the test set.
   */
  readonly predictions?: boolean;
  /** Samples per inference call for the accuracy runs. Default 500. */
  readonly batchSize?: number;
  /** Threads per runtime session. Default 1 (deterministic, comparable latency). */
  readonly threads?: number;
  readonly onProgress?: (event: EvaluateProgress) => void;
}

const CALIBRATION_BATCH = 64;

function invalid(message: string, details: Record<string, unknown> = {}): QuantTrimError {
  return new QuantTrimError({ code: 'QT_INVALID_ARGUMENT', message: `\`evaluate\`: ${message}`, details });
}

function calibrationSource(data: EvaluationData, sampleSize: number): () => CalibrationData {
  const c = data.calibration;
  if (typeof c === 'function') return c;
  if (!(c instanceof Float32Array) || c.length === 0 || c.length % sampleSize !== 0) {
    throw invalid(`data.calibration: expected a non-empty Float32Array of whole samples of ${sampleSize} values, or a function returning batches`);
  }
  return function* () {
    for (let i = 0; i < c.length; i += CALIBRATION_BATCH * sampleSize) yield c.subarray(i, Math.min(c.length, i + CALIBRATION_BATCH * sampleSize));
  };
}

function resolveProfiles(options: EvaluateOptions): BackendProfile[] {
  const registry = options.registry ?? defaultBackendRegistry;
  if (options.profiles === undefined) return [...registry.values()];
  return options.profiles.map((p) => (typeof p === 'string' ? registry.get(p as Parameters<typeof registry.get>[0]) : p));
}

const seconds = (t0: number) => (performance.now() - t0) / 1000;

/** SQNR in dB of `q` against reference `f`: 10·log10(Σf² / Σ(f − q)²); Infinity when identical. */
export function sqnrDb(f: Float32Array, q: Float32Array): number {
  let signal = 0;
  let noise = 0;
  for (let i = 0; i < f.length; i++) {
    signal += f[i]! * f[i]!;
    const d = f[i]! - q[i]!;
    noise += d * d;
  }
  if (noise === 0) return Infinity;
  return 10 * Math.log10(signal / noise);
}

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

/** Runs `bytes` in one runtime/mode session over `inputs` and returns the logits. */
async function runAll(runtime: RuntimeName, bytes: Uint8Array, mode: ExecutionMode, inputs: Float32Array, sampleShape: readonly number[], batchSize: number, threads: number): Promise<Logits> {
  const session = await createRuntimeSession(runtime, bytes, { mode, threads });
  try {
    return await runLogits(session, inputs, sampleShape, { batchSize });
  } finally {
    await session.release();
  }
}

/**
 * Named intermediate tensors of a model over `inputs` (emulate mode, onnxruntime-node). A model
 * whose input has a fixed batch size (`torch.onnx.export` without `dynamic_axes`) runs in calls of
 * exactly that many samples, the last one zero-padded and its padding dropped.
 */
async function intermediates(model: OnnxModel, names: readonly string[], inputs: Float32Array, sampleShape: readonly number[]): Promise<Map<string, Float32Array>> {
  const ort = await import('onnxruntime-node');
  const probe = addOutputs(model, names.filter((n) => !model.graph.outputs.some((o) => o.name === n)));
  const input = model.graph.inputs.find((v) => !model.graph.initializers.has(v.name));
  const declared = input?.shape?.[0];
  const sampleSize = sampleShape.reduce((a, b) => a * b, 1);
  const n = inputs.length / sampleSize;
  const step = typeof declared === 'number' && declared > 0 ? declared : n;
  const session = await ortCall('onnxruntime-node', 'load the model', () => ort.InferenceSession.create(writeOnnx(probe), { graphOptimizationLevel: 'disabled', intraOpNumThreads: 1, interOpNumThreads: 1 }));
  const parts = new Map<string, Float32Array[]>(names.map((name) => [name, []]));
  try {
    for (let start = 0; start < n; start += step) {
      const rows = Math.min(step, n - start);
      let x = inputs.subarray(start * sampleSize, (start + rows) * sampleSize);
      if (rows < step) {
        const padded = new Float32Array(step * sampleSize);
        padded.set(x);
        x = padded;
      }
      const out = await ortCall('onnxruntime-node', 'run the model', () => session.run({ [session.inputNames[0]!]: new ort.Tensor('float32', x, [step, ...sampleShape]) }));
      for (const name of names) {
        const data = out[name]!.data as Float32Array;
        parts.get(name)!.push(data.subarray(0, (data.length / step) * rows));
      }
    }
  } finally {
    await session.release();
  }
  return new Map(names.map((name) => [name, concat(parts.get(name)!)]));
}

function concat(parts: readonly Float32Array[]): Float32Array {
  if (parts.length === 1) return parts[0]!;
  const out = new Float32Array(parts.reduce((a, p) => a + p.length, 0));
  let offset = 0;
  for (const p of parts) {
    out.set(p, offset);
    offset += p.length;
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

function estimateFor(ctx: ModelContext, coverage: readonly NodeCoverage[], profile: BackendProfile, sampleShape: readonly number[]): CostEstimate | undefined {
  const { device } = profile;
  if (device?.tops === undefined) return undefined;
  const byNode = new Map(coverage.map((c) => [c.node, c]));
  const precision = (node: string) => precisionOf(byNode.get(node), profile);
  const weightPrecision = (node: string): MacPrecision => {
    const c = byNode.get(node);
    if (c?.weightBits !== undefined) return bitsPrecision(c.weightBits);
    return c?.numerics === 'float16' || c?.numerics === 'weight-only' ? 'float16' : 'float32';
  };
  const { placement, transferBytes, invocations } = placeNodes({ model: ctx.fp, coverage, inputShape: [1, ...sampleShape], bytesPerElement: (node) => activationBytes(precision(node)) });
  let weightBytes = 0;
  let activationTotal = 0;
  let hostBytes = 0;
  for (const n of ctx.macs.nodes) {
    const bytes = n.weightElements * BYTES[weightPrecision(n.node)] + n.outputElements * activationBytes(precision(n.node));
    weightBytes += n.weightElements * BYTES[weightPrecision(n.node)];
    activationTotal += n.outputElements * activationBytes(precision(n.node));
    if (placement.get(n.node) === 'host') hostBytes += bytes;
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

/** Counts: nodes that compute (transparent ones are listed in `nodes` but not counted). */
function coverageSummary(coverage: readonly NodeCoverage[], macs: MacCount): CoverageSummary {
  const byNode = new Map(coverage.map((c) => [c.node, c]));
  const share = (pick: (c: NodeCoverage) => boolean) => (macs.totalMacs > 0 ? macs.nodes.reduce((a, n) => a + (byNode.get(n.node) !== undefined && pick(byNode.get(n.node)!) ? n.macs : 0), 0) / macs.totalMacs : 0);
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

/** `model` with the batch axis of its data input declared as `batch`. */
function withBatch(model: OnnxModel, batch: number, sampleShape: readonly number[]): OnnxModel {
  const copy = cloneModel(model);
  const input = copy.graph.inputs.find((v) => !copy.graph.initializers.has(v.name));
  if (input !== undefined) input.shape = [batch, ...(input.shape?.slice(1) ?? sampleShape)];
  return copy;
}

/**
 * The float model's logits over the test inputs. A symbolic batch axis the graph does not honour
 * (an exporter that baked batch 1 into a Reshape, say) fails in ONNX Runtime at larger batches:
 * the model is then re-batched safely, its batch axis declared as 1, so that every stage
 * (inference, calibration, sensitivity, latency) feeds one sample per call, and a note says so.
 */
async function floatRun(m: EvaluateModel, data: EvaluationData, batchSize: number, threads: number): Promise<{ fp: OnnxModel; fpBytes: Uint8Array; floatLogits: Logits; note?: string }> {
  const fp = m.onnx instanceof Uint8Array ? readOnnx(m.onnx) : m.onnx;
  const fpBytes = m.onnx instanceof Uint8Array ? m.onnx : writeOnnx(m.onnx);
  try {
    return { fp, fpBytes, floatLogits: await runAll('onnxruntime-node', fpBytes, 'emulate', data.inputs, data.sampleShape, batchSize, threads) };
  } catch (e) {
    const declared = fp.graph.inputs.find((v) => !fp.graph.initializers.has(v.name))?.shape?.[0];
    const samples = data.inputs.length / data.sampleShape.reduce((a, b) => a * b, 1);
    if (!isQuantTrimError(e, 'QT_RUNTIME_ERROR') || typeof declared === 'number' || samples === 1) throw e;
    const pinned = withBatch(fp, 1, data.sampleShape);
    const pinnedBytes = writeOnnx(pinned);
    let floatLogits: Logits;
    try {
      floatLogits = await runAll('onnxruntime-node', pinnedBytes, 'emulate', data.inputs, data.sampleShape, 1, threads);
    } catch {
      throw e;
    }
    const why = e.message.split('\n')[0]!;
    return { fp: pinned, fpBytes: pinnedBytes, floatLogits, note: `the model's symbolic batch axis fails above batch 1 in ONNX Runtime (${why}): evaluated with the batch axis fixed to 1, one sample per call` };
  }
}

interface ModelContext {
  readonly name: string;
  /** Notes added to every profile's `approximations` (e.g. a batch axis pinned to 1). */
  readonly notes: readonly string[];
  readonly fp: OnnxModel;
  readonly fpBytes: Uint8Array;
  readonly floatLogits: Logits;
  readonly macs: MacCount;
  readonly compile: EvaluateModel['compile'];
}

/**
 * Evaluates float ONNX models across backend profiles (METHOD.md §6, BACKENDS.md): for every
 * model × profile it compiles the model like that vendor's quantizer, runs the emulated numerics
 * in onnxruntime-node over all test inputs and compares them with the float model (accuracy, drop,
 * top-1 agreement, KL, logit cosine, ECE), measures per-layer sensitivity, runs the native model
 * on the real runtimes (agreement, latency p50/p90 at batch 1 and 32, disagreement between
 * runtimes) and estimates energy, latency and cost on the profile's device; across profiles it
 * gives the mean and worst-case drop and the spread. A profile that cannot compile the model is
 * reported with its coded error; the others still run. Returns the JSON report
 * (`schema/evaluation-report.schema.json`).
 */
export async function evaluate(options: EvaluateOptions): Promise<EvaluationReport> {
  const models = Array.isArray(options.models) ? (options.models as readonly EvaluateModel[]) : [options.models as EvaluateModel];
  if (models.length === 0) throw invalid('models: expected at least one model');
  const { data } = options;
  const sampleSize = data.sampleShape.reduce((a, b) => a * b, 1);
  if (!(data.inputs instanceof Float32Array) || data.inputs.length === 0 || data.inputs.length % sampleSize !== 0) {
    throw invalid(`data.inputs: expected a non-empty Float32Array of whole samples of shape [${data.sampleShape.join(', ')}]`);
  }
  const samples = data.inputs.length / sampleSize;
  if (data.labels !== undefined && data.labels.length !== samples) throw invalid(`data.labels: ${data.labels.length} labels for ${samples} samples`);
  const calibration = calibrationSource(data, sampleSize);
  const profiles = resolveProfiles(options);
  const runtimes = options.runtimes ?? ['onnxruntime-node', 'onnxruntime-web'];
  const batchSize = options.batchSize ?? 500;
  const threads = options.threads ?? 1;
  const runtimeSamples = Math.min(samples, options.runtimeSamples ?? 256);
  const sensitivity = options.sensitivity === false ? undefined : { samples: Math.min(samples, options.sensitivity?.samples ?? 256), thresholdDb: options.sensitivity?.thresholdDb ?? 25 };
  const latency = options.latency === false ? undefined : { batchSizes: options.latency?.batchSizes ?? [1, 32], runs: options.latency?.runs ?? 15, warmup: options.latency?.warmup ?? 2 };
  const versions: Partial<Record<RuntimeName, string>> = {};

  const reports: ModelReport[] = [];
  let classCount = 0;
  for (const m of models) {
    options.onProgress?.({ model: m.name, stage: 'float', done: 0, total: profiles.length });
    const { fp, fpBytes, floatLogits, note } = await floatRun(m, data, batchSize, threads);
    classCount = Math.max(classCount, floatLogits.classes);
    const macs = countMacs(fp, { inputShape: [1, ...data.sampleShape] });
    const ctx: ModelContext = { name: m.name, fp, fpBytes, floatLogits, macs, compile: m.compile, notes: note === undefined ? [] : [note] };
    const floatRuntimes = await runtimeRows(fpBytes, floatLogits, { runtimes, runtimeSamples, latency, threads, data, versions });

    const results: ProfileResult[] = [];
    for (const [i, profile] of profiles.entries()) {
      results.push(await evaluateProfile(ctx, profile, calibration, { data, batchSize, threads, runtimes, runtimeSamples, latency, sensitivity, versions, predictions: options.predictions === true, progress: (stage) => options.onProgress?.({ model: m.name, profile: profile.id, stage, done: i, total: profiles.length }) }));
    }
    options.onProgress?.({ model: m.name, stage: 'done', done: profiles.length, total: profiles.length });

    const floatAccuracy = data.labels === undefined ? undefined : compareLogits(floatLogits, floatLogits, data.labels).accuracy;
    const ok = results.filter((r) => r.metrics?.accuracy !== undefined);
    let across: ModelReport['acrossProfiles'];
    if (floatAccuracy !== undefined && ok.length > 0) {
      const summary = acrossProfiles(ok.map((r) => r.metrics!.accuracy!), floatAccuracy);
      const worst = ok.reduce((a, b) => (b.metrics!.accuracy! < a.metrics!.accuracy! ? b : a));
      across = { ...summary, worstProfile: worst.profile };
    }
    const parameters = [...fp.graph.initializers.values()].filter((t) => t.dataType === 1).reduce((a, t) => a + t.data.length, 0);
    reports.push({
      name: m.name,
      parameters,
      macs: macs.totalMacs,
      float: {
        ...(floatAccuracy !== undefined ? { accuracy: floatAccuracy } : {}),
        runtimes: floatRuntimes.rows,
        ...(options.predictions === true ? { predictions: argmaxRows(floatLogits) } : {}),
      },
      profiles: results,
      ...(across !== undefined ? { acrossProfiles: across } : {}),
    });
  }

  const env = describeEnvironment();
  return {
    $schema: REPORT_SCHEMA_ID,
    schemaVersion: 1,
    createdAt: new Date().toISOString(),
    tool: { name: '@quant-trim/backend-eval', version: VERSION },
    environment: { ...env, runtimes: versions },
    data: {
      samples,
      calibrationSamples: data.calibration instanceof Float32Array ? data.calibration.length / sampleSize : Math.max(0, ...reports.flatMap((r) => r.profiles.map((p) => p.calibration?.samples ?? 0))),
      classes: classCount,
      labelled: data.labels !== undefined,
    },
    models: reports,
  };
}

interface RuntimeSettings {
  readonly runtimes: readonly RuntimeName[];
  readonly runtimeSamples: number;
  readonly latency: { batchSizes: readonly number[]; runs: number; warmup: number } | undefined;
  readonly threads: number;
  readonly data: EvaluationData;
  readonly versions: Partial<Record<RuntimeName, string>>;
}

/**
 * Runs `nativeBytes` natively on every runtime: agreement with the emulated logits on the first
 * `runtimeSamples` inputs, latency, fused ops; and the disagreement between runtimes.
 */
async function runtimeRows(nativeBytes: Uint8Array, emulated: Logits, s: RuntimeSettings): Promise<{ rows: RuntimeResult[]; disagreement: RuntimeDisagreement[] }> {
  const sampleSize = s.data.sampleShape.reduce((a, b) => a * b, 1);
  const subset = s.data.inputs.subarray(0, s.runtimeSamples * sampleSize);
  const reference: Logits = { data: emulated.data.subarray(0, s.runtimeSamples * emulated.classes), classes: emulated.classes };
  const rows: RuntimeResult[] = [];
  const outputs = new Map<RuntimeName, Logits>();
  for (const runtime of s.runtimes) {
    let session: RuntimeSession | undefined;
    try {
      session = await createRuntimeSession(runtime, nativeBytes, { mode: 'native', threads: s.threads });
      s.versions[runtime] = session.version;
      const logits = await runLogits(session, subset, s.data.sampleShape, { batchSize: 64 });
      outputs.set(runtime, logits);
      const cmp = compareRuntimeOutputs(reference, logits);
      const labels = s.data.labels === undefined ? undefined : Array.from({ length: s.runtimeSamples }, (_, i) => s.data.labels![i]!);
      const accuracy = labels === undefined ? undefined : compareLogits(reference, logits, labels).accuracy;
      const lat = s.latency === undefined ? [] : await measureLatency(session, s.data.sampleShape, { ...s.latency, input: subset });
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
      disagreement.push({ a: names[i]!, b: names[j]!, mode: 'native', samples: c.samples, top1Agreement: c.top1Agreement, maxAbsDiff: c.maxAbsDiff, meanAbsDiff: c.meanAbsDiff });
    }
  }
  return { rows, disagreement };
}

interface ProfileSettings extends RuntimeSettings {
  readonly batchSize: number;
  readonly sensitivity: { samples: number; thresholdDb: number } | undefined;
  readonly predictions: boolean;
  readonly progress: (stage: EvaluateProgress['stage']) => void;
}

async function evaluateProfile(ctx: ModelContext, profile: BackendProfile, calibration: () => CalibrationData, s: ProfileSettings): Promise<ProfileResult> {
  const head = { profile: profile.id, name: profile.name, vendor: profile.vendor };
  try {
    s.progress('compile');
    let t0 = performance.now();
    const compileOptions: CompileOptions = { ...ctx.compile, inputShape: s.data.sampleShape };
    const compiled = await compileForBackend(ctx.fp, profile, calibration(), compileOptions);
    const compileSeconds = seconds(t0);

    const emulateBytes = compiled.bytes('emulate');
    // The native model is usually the emulated one (static profiles): serialise it once.
    const nativeBytes = compiled.native === compiled.model ? emulateBytes : compiled.bytes('native');
    await checkCompiled(profile, emulateBytes, nativeBytes, s.threads);

    s.progress('inference');
    t0 = performance.now();
    const logits = await runAll('onnxruntime-node', emulateBytes, 'emulate', s.data.inputs, s.data.sampleShape, s.batchSize, s.threads);
    const metrics = compareLogits(ctx.floatLogits, logits, s.data.labels);
    const inferenceSeconds = seconds(t0);

    t0 = performance.now();
    let sensitivity: SensitivityReport | undefined;
    if (s.sensitivity !== undefined) {
      s.progress('sensitivity');
      sensitivity = await layerSensitivity(ctx, profile, compiled, calibration, compileOptions, s.data, s.sensitivity);
    }
    const sensitivitySeconds = seconds(t0);
    t0 = performance.now();
    s.progress('runtimes');
    const { rows, disagreement } = await runtimeRows(nativeBytes, logits, s);
    const runtimeSeconds = seconds(t0);

    const estimate = estimateFor(ctx, compiled.coverage, profile, s.data.sampleShape);
    return {
      ...head,
      status: 'ok',
      metrics,
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

/**
 * Loads both execution modes of a compiled model once in onnxruntime-node before anything is
 * measured: a compiled model ONNX Runtime rejects is a compiler bug, reported as such
 * (`QT_RUNTIME_ERROR` naming the profile and the mode) instead of surfacing mid-evaluation.
 */
async function checkCompiled(profile: BackendProfile, emulateBytes: Uint8Array, nativeBytes: Uint8Array, threads: number): Promise<void> {
  for (const [mode, bytes] of [['emulate', emulateBytes], ['native', nativeBytes]] as const) {
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

/**
 * Per-layer sensitivity: the accumulated SQNR of each quantized layer's output in the fully
 * quantized model, and the isolated SQNR of the logits when only that layer is quantized.
 */
async function layerSensitivity(
  ctx: ModelContext,
  profile: BackendProfile,
  compiled: CompiledModel,
  calibration: () => CalibrationData,
  compileOptions: CompileOptions,
  data: EvaluationData,
  settings: { samples: number; thresholdDb: number },
): Promise<SensitivityReport> {
  const sampleSize = data.sampleShape.reduce((a, b) => a * b, 1);
  const inputs = data.inputs.subarray(0, settings.samples * sampleSize);
  const layers = compiled.coverage.filter((c) => c.weightBits !== undefined);
  const nodeOutput = new Map(ctx.fp.graph.nodes.map((n) => [n.name, n.outputs[0]!]));
  // Node names in `coverage` are those of the compiled (BN-folded) graph; output tensor names survive compilation.
  const compiledOutput = new Map<string, string>();
  for (const c of layers) {
    const original = nodeOutput.get(c.node);
    if (original !== undefined) compiledOutput.set(c.node, original);
  }
  const names = [...new Set(compiledOutput.values())].filter((t) => compiled.model.graph.nodes.some((n) => n.outputs.includes(t)) || compiled.model.graph.outputs.some((o) => o.name === t));
  const floatValues = await intermediates(ctx.fp, names, inputs, data.sampleShape);
  const quantValues = await intermediates(compiled.model, names, inputs, data.sampleShape);
  const floatLogits = ctx.floatLogits.data.subarray(0, settings.samples * ctx.floatLogits.classes);

  const result: LayerSensitivity[] = [];
  const tensorsOf = new Map(compiled.layerTensors.map((l) => [l.node, l]));
  const allNodes = compiled.coverage.map((c) => c.node);
  for (const layer of layers) {
    const t = compiledOutput.get(layer.node);
    const outputSqnrDb = t !== undefined && floatValues.has(t) ? sqnrDb(floatValues.get(t)!, quantValues.get(t)!) : Number.NaN;
    const alone = await compileForBackend(ctx.fp, profile, calibration(), { ...compileOptions, floatNodes: allNodes.filter((n) => n !== layer.node) });
    const logits = await runAll('onnxruntime-node', alone.bytes('emulate'), 'emulate', inputs, data.sampleShape, 500, 1);
    const tensors = tensorsOf.get(layer.node);
    result.push({
      node: layer.node,
      opType: layer.opType,
      outputSqnrDb: finiteOr(outputSqnrDb),
      isolatedSqnrDb: finiteOr(sqnrDb(floatLogits, logits.data)),
      ...(tensors?.input !== undefined ? { inputTensor: tensors.input } : {}),
      ...(tensors?.output !== undefined ? { outputTensor: tensors.output } : {}),
    });
  }
  const keepFloat = result.filter((l) => l.isolatedSqnrDb < settings.thresholdDb).sort((a, b) => a.isolatedSqnrDb - b.isolatedSqnrDb).map((l) => l.node);
  return { samples: settings.samples, layers: result, keepFloat, thresholdDb: settings.thresholdDb };
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

/** JSON has no Infinity/NaN: identical outputs report 999 dB, unmeasurable ones −999 dB. */
function finiteOr(v: number): number {
  if (Number.isNaN(v)) return -999;
  return Number.isFinite(v) ? v : 999;
}
