import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type * as tf from '@tensorflow/tfjs';
import {
  type builtinProfiles,
  defaultBackendRegistry,
  defineBackend,
  evaluate,
  type BackendProfile,
  type EvaluationReport,
  type RuntimeName,
} from '@quant-trim/backend-eval';
import { initTrainingBackend } from '@quant-trim/fake-quant';
import { QuantTrimError } from '@quant-trim/errors';
import { readOnnx } from '@quant-trim/onnx-export';
import { defaultRegistry, type SchemeName } from '@quant-trim/quant-grid';
import type { LambdaConfig } from '../config/defaults.js';
import { describeRecipe } from '../config/recipe.js';
import type { Dataset } from '../data/types.js';
import type { Reporter } from '../output/types.js';
import type { ImportedModel, Method, MethodRun, RunReport } from '../report/types.js';
import { RUN_REPORT_SCHEMA_ID } from '../report/types.js';
import { exportCheckpoint, weightHistograms } from '../train/exportModels.js';
import { seededSubset } from '../data/split.js';
import { writeFileAtomic } from '../train/checkpoints.js';
import { accuracyOf, autoTrainingWorkers, trainMethod, type RecipeChoice, type SchemeChoice, type TrimChoice } from '../train/trainMethod.js';
import { versions } from '../versions.js';
import { evaluationKey, readCachedEvaluation, writeCachedEvaluation } from './evaluationCache.js';
import { trainedWeightBits } from '../train/trainedWidths.js';
import { METHOD_LABELS, summarizeSeeds, type SeedEvaluation } from './summarize.js';

export { METHOD_LABELS, verdicts } from './summarize.js';

export interface CompareOptions {
  readonly dataset: Dataset;
  /** Model name (for the report) and builder of a fresh float model with logits out, initialised from `seed`. */
  readonly model: {
    readonly name: string;
    readonly build: (seed: number) => tf.LayersModel | Promise<tf.LayersModel>;
    /** An imported ONNX model: every method and seed starts from its weights; its hash joins the resume fingerprints and the report. */
    readonly imported?: ImportedModel;
  };
  readonly methods: readonly Method[];
  readonly scheme: SchemeChoice;
  readonly epochs: number;
  readonly batchSize: number;
  readonly learningRate: number;
  /** Base seed S: seed k of the run is S + k. */
  readonly seed: number;
  /** Seeds to run (each trains and evaluates every method); default 1. */
  readonly seeds?: number;
  /** Bootstrap resamples behind the intervals; default 1000. */
  readonly bootstrapResamples?: number;
  readonly lambda?: LambdaConfig;
  /** QAT / Quant-Trim: the fraction of training at which BatchNorm statistics freeze; default false (never). */
  readonly freezeBatchNorm?: number | false;
  readonly trim?: TrimChoice;
  /** Mechanisms the `quant-trim` method adds to the paper's recipe. */
  readonly recipe?: RecipeChoice;
  /** Profile ids (default: all registered). */
  readonly profiles?: readonly string[];
  readonly calibrationSamples: number;
  /** Worker threads evaluating the profiles (default: the core count). */
  readonly workers?: number;
  readonly runtimes: readonly RuntimeName[];
  readonly latency: boolean;
  /** Output directory: `checkpoints/seed-<s>/<method>/` and each seed's `checkpoints/seed-<s>/evaluation.json`. */
  readonly out: string;
  readonly resume: boolean;
  readonly command: string;
  readonly reporter?: Reporter;
  readonly signal?: AbortSignal;
}

/** Bits of a quant-grid preset (the weight width QAT trains for). */
export function presetBits(preset: string): number {
  return defaultRegistry.scheme(preset as SchemeName).bits;
}

/**
 * The profiles to deploy on. At 8-bit weights the profiles as they are; at another width (INT4
 * QAT), each profile's weight grid at that width (`<id>-w4`), everything else unchanged, so all
 * three checkpoints are deployed at the width QAT trained for.
 */
export function deploymentProfiles(ids: readonly string[] | undefined, weightBits: number, reporter?: Reporter): BackendProfile[] {
  const base = (ids ?? defaultBackendRegistry.ids()).map((id) => defaultBackendRegistry.get(id as keyof typeof builtinProfiles));
  if (weightBits === 8) return base;
  const out: BackendProfile[] = [];
  for (const p of base) {
    if (p.weights === null) {
      out.push(p);
      continue;
    }
    try {
      out.push(
        defineBackend({ ...p, id: `${p.id}-w${weightBits}`, name: `${p.name}, ${weightBits}-bit weights`, weights: { ...p.weights, bits: weightBits } }),
      );
    } catch (e) {
      reporter?.onWarning?.(`profile ${p.id} has no ${weightBits}-bit weight variant (${(e as Error).message}); skipped`);
    }
  }
  return out;
}

/** The settings a finished seed's saved evaluation must share with this run to be reused by `--resume`. */
function evaluationFingerprint(options: CompareOptions, seed: number, profiles: readonly BackendProfile[]): Record<string, unknown> {
  const { dataset } = options;
  return {
    seed,
    dataset: dataset.name,
    preprocessing: dataset.preprocessing ?? null,
    trainSamples: dataset.train.count,
    testSamples: dataset.test.count,
    model: options.model.name,
    methods: options.methods,
    scheme: options.scheme,
    epochs: options.epochs,
    batchSize: options.batchSize,
    learningRate: options.learningRate,
    lambda: options.lambda ?? null,
    freezeBatchNorm: options.freezeBatchNorm ?? false,
    trim: options.trim ?? null,
    recipe: options.recipe ?? null,
    profiles: profiles.map((p) => p.id),
    calibrationSamples: options.calibrationSamples,
    runtimes: options.runtimes,
    latency: options.latency,
    // Only for imported models, so built-in models keep their keys.
    ...(options.model.imported !== undefined ? { modelSha256: options.model.imported.sha256 } : {}),
  };
}

/** What `<out>/checkpoints/seed-<s>/evaluation.json` holds: enough to skip a finished seed on `--resume`. */
interface SavedSeed {
  readonly fingerprint: Record<string, unknown>;
  readonly runs: MethodRun[];
  readonly parameters: number;
  readonly evaluation: EvaluationReport;
}

function readSavedSeed(file: string, fingerprint: Record<string, unknown>): SavedSeed | undefined {
  if (!existsSync(file)) return undefined;
  try {
    const saved = JSON.parse(readFileSync(file, 'utf8')) as SavedSeed;
    return JSON.stringify(saved.fingerprint) === JSON.stringify(fingerprint) ? saved : undefined;
  } catch {
    return undefined;
  }
}

/** The report without the per-sample predictions (they are only needed for the bootstrap). */
function withoutPredictions(report: EvaluationReport): EvaluationReport {
  return {
    ...report,
    models: report.models.map((m) => {
      const { predictions: _float, ...float } = m.float;
      return { ...m, float, profiles: m.profiles.map(({ predictions: _p, ...p }) => p) };
    }),
  };
}

/** Trains every method with `seed` and evaluates them across the profiles (per-sample predictions kept). */
async function runSeed(options: CompareOptions, seed: number, index: number, profiles: readonly BackendProfile[]): Promise<SavedSeed & { seed: number }> {
  const { dataset, reporter } = options;
  const dir = join(options.out, 'checkpoints', `seed-${seed}`);
  const fingerprint = evaluationFingerprint(options, seed, profiles);
  const savedFile = join(dir, 'evaluation.json');
  if (options.resume) {
    const saved = readSavedSeed(savedFile, fingerprint);
    if (saved !== undefined) {
      reporter?.onResult?.(`seed ${seed}: finished earlier, reusing ${savedFile}\n`);
      return { ...saved, seed };
    }
  }
  const runs: MethodRun[] = [];
  const onnx: { name: Method; onnx: Uint8Array; trained?: Record<string, number> }[] = [];
  let parameters = 0;
  const seedLabel = (options.seeds ?? 1) > 1 ? `, seed ${seed}` : '';
  for (const method of options.methods) {
    const checkpoint = join(dir, method);
    const trained = await trainMethod({
      method,
      build: () => options.model.build(seed),
      dataset,
      epochs: options.epochs,
      batchSize: options.batchSize,
      learningRate: options.learningRate,
      seed,
      scheme: options.scheme,
      ...(options.lambda !== undefined ? { lambda: options.lambda } : {}),
      ...(options.freezeBatchNorm !== undefined ? { freezeBatchNorm: options.freezeBatchNorm } : {}),
      ...(options.trim !== undefined ? { trim: options.trim } : {}),
      ...(options.recipe !== undefined ? { recipe: options.recipe } : {}),
      dir: checkpoint,
      resume: options.resume,
      label: `${options.model.name}${seedLabel}`,
      ...(options.model.imported !== undefined ? { source: options.model.imported } : {}),
      ...(reporter !== undefined ? { reporter } : {}),
      ...(options.signal !== undefined ? { signal: options.signal } : {}),
      workers: options.workers ?? 'auto',
    });
    try {
      const exported = exportCheckpoint(trained.quantized, { qdq: false });
      parameters = exported.float.countParams();
      const floatAccuracy = accuracyOf(exported.float, dataset.test, dataset.sampleShape);
      exported.float.dispose();
      const bytes = exported.fp32.bytes();
      // Layers trained at their own width (scheme.layers) are deployed at it where a profile allows mixed widths.
      const widths = trainedWeightBits(readOnnx(bytes));
      onnx.push({ name: method, onnx: bytes, ...(widths !== undefined ? { trained: widths } : {}) });
      runs.push({
        method,
        seed,
        label: METHOD_LABELS[method] ?? method,
        floatAccuracy,
        history: trained.history,
        schedule: trained.schedule,
        weights: weightHistograms(trained.quantized),
        trainSeconds: trained.trainSeconds,
        checkpoint,
      });
    } finally {
      trained.quantized.dispose();
      trained.trim?.dispose();
    }
  }

  const sampleSize = dataset.sampleShape.reduce((a, b) => a * b, 1);
  // The calibration slice follows the seed too.
  const calibration = seededSubset(dataset.train, sampleSize, seed, 'calibration', options.calibrationSamples).x;
  const total = onnx.length * profiles.length;
  reporter?.onPhaseStart?.({ phase: 'evaluate', label: `evaluate ${onnx.length} checkpoint(s) × ${profiles.length} profiles${seedLabel}`, total });
  const t0 = performance.now();
  // Real runtimes (agreement, latency) only for the first seed: the report keeps that seed's full evaluation.
  const firstSeed = index === 0;
  const runtimes = firstSeed ? options.runtimes : [];
  const latency = options.latency && firstSeed;
  // A checkpoint evaluated before with the same settings (e.g. FP / QAT shared by several runs) is not evaluated again.
  const settings = {
    dataset: dataset.name,
    preprocessing: dataset.preprocessing ?? null,
    splitSeed: options.seed,
    trainSamples: dataset.train.count,
    testSamples: dataset.test.count,
    calibration: { seed, samples: options.calibrationSamples },
    profiles: profiles.map((p) => p.id),
    runtimes,
    latency,
    versions: versions(),
  };
  const keyed = onnx.map((m) => ({
    ...m,
    dir: join(dir, m.name),
    key: evaluationKey(m.onnx, m.trained === undefined ? settings : { ...settings, trainedWeightBits: m.trained }),
  }));
  const cached = keyed.map((m) => readCachedEvaluation(m.dir, m.key));
  const fresh = keyed.filter((_, i) => cached[i] === undefined);
  const reused = keyed.filter((_, i) => cached[i] !== undefined).map((m) => m.name);
  if (reused.length > 0) reporter?.onResult?.(`seed ${seed}: reusing the earlier evaluation of ${reused.join(', ')} (same checkpoint and settings)\n`);
  const modelIndex = new Map(fresh.map((m, i) => [m.name as string, i]));
  const evaluated =
    fresh.length === 0
      ? undefined
      : await evaluate({
          models: fresh.map(({ name, onnx: bytes, trained }) => ({
            name,
            onnx: bytes,
            ...(trained !== undefined ? { compile: { trainedWeightBits: trained } } : {}),
          })),
          profiles,
          data: { inputs: dataset.test.x, labels: dataset.test.y, sampleShape: dataset.sampleShape, calibration },
          runtimes,
          ...(latency ? {} : { latency: false as const }),
          predictions: true,
          workers: options.workers ?? 'auto',
          onProgress: (e) => {
            const done = (modelIndex.get(e.model) ?? 0) * profiles.length + e.done;
            reporter?.onProgress?.({
              phase: 'evaluate',
              label: 'evaluate',
              done,
              total: fresh.length * profiles.length,
              detail: e.profile === undefined ? e.model : `${METHOD_LABELS[e.model as Method] ?? e.model} · ${e.profile} · ${e.stage}`,
            });
          },
        });
  for (const m of fresh) {
    const model = evaluated!.models.find((x) => x.name === m.name);
    if (model !== undefined) writeCachedEvaluation(m.dir, m.key, evaluated!, model);
  }
  const frame = evaluated ?? { ...cached.find((c) => c !== undefined)!.frame, models: [] };
  const evaluation: EvaluationReport = { ...frame, models: keyed.map((m, i) => cached[i]?.model ?? evaluated!.models.find((x) => x.name === m.name)!) };
  reporter?.onPhaseEnd?.({ phase: 'evaluate', label: 'evaluate', seconds: (performance.now() - t0) / 1000 });
  for (const m of evaluation.models) {
    for (const p of m.profiles) {
      reporter?.onEvalEnd?.({
        model: m.name,
        profile: p.profile,
        status: p.status,
        ...(p.metrics?.accuracy !== undefined ? { accuracy: p.metrics.accuracy } : {}),
        ...(p.metrics?.drop !== undefined ? { drop: p.metrics.drop } : {}),
        ...(p.error ? { error: p.error.message } : {}),
      });
    }
  }
  const saved: SavedSeed = { fingerprint, runs, parameters, evaluation };
  writeFileAtomic(savedFile, JSON.stringify(saved));
  return { ...saved, seed };
}

/**
 * The FP / QAT / Quant-Trim comparison (apps/cli/README.md) end to end, once per seed: seed k of a run with base seed S is S + k, and with it
 * every method is trained (data order, initialisation) into `checkpoints/seed-<s>/<method>`,
 * stripped, exported to FP32 ONNX and evaluated across the backend profiles (deployed at the width
 * QAT trained for; the calibration slice also follows the seed). Methods are paired by seed. The
 * summaries, intervals and verdicts come from a paired bootstrap over seeds and test images
 * (`summarizeSeeds`). With `resume`, finished methods and seeds are not redone.
 */
export async function runComparison(options: CompareOptions): Promise<RunReport> {
  const { dataset, reporter } = options;
  await initTrainingBackend({ backend: 'wasm' });
  const weightBits = presetBits(options.scheme.weights);
  const profiles = deploymentProfiles(options.profiles, weightBits, reporter);
  if (profiles.length === 0) throw new QuantTrimError({ code: 'QT_INVALID_ARGUMENT', message: 'no backend profile to evaluate on' });
  const count = options.seeds ?? 1;
  if (!Number.isInteger(count) || count < 1) throw new QuantTrimError({ code: 'QT_INVALID_ARGUMENT', message: `seeds: expected an integer ≥ 1, got ${count}` });

  const seeds = Array.from({ length: count }, (_, k) => options.seed + k);
  const done: (SavedSeed & { seed: number })[] = [];
  for (const [k, seed] of seeds.entries()) done.push(await runSeed(options, seed, k, profiles));

  const t0 = performance.now();
  const resamples = options.bootstrapResamples ?? 1000;
  reporter?.onPhaseStart?.({
    phase: 'report',
    label: `bootstrap (${resamples} resamples over ${count} seed${count === 1 ? '' : 's'} and ${dataset.test.count} test images)`,
  });
  const evaluations: SeedEvaluation[] = done.map((d) => ({ seed: d.seed, evaluation: d.evaluation }));
  const stats = summarizeSeeds(evaluations, dataset.test.y, { resamples, seed: options.seed });
  reporter?.onPhaseEnd?.({ phase: 'report', label: 'bootstrap', seconds: (performance.now() - t0) / 1000 });

  return {
    $schema: RUN_REPORT_SCHEMA_ID,
    schemaVersion: 2,
    createdAt: new Date().toISOString(),
    command: options.command,
    seed: options.seed,
    seeds,
    bootstrap: stats.bootstrap,
    versions: versions(),
    dataset: {
      name: dataset.name,
      source: dataset.source,
      trainSamples: dataset.train.count,
      testSamples: dataset.test.count,
      classes: dataset.classes,
      sampleShape: [...dataset.sampleShape],
    },
    model: {
      name: options.model.name,
      parameters: done[0]?.parameters ?? 0,
      ...(options.model.imported !== undefined ? { imported: options.model.imported } : {}),
    },
    scheme: { weights: options.scheme.weights, activations: options.scheme.activations },
    budget: {
      epochs: options.epochs,
      batchSize: options.batchSize,
      learningRate: options.learningRate,
      freezeBatchNorm: options.freezeBatchNorm ?? false,
      workers: options.workers ?? autoTrainingWorkers(dataset.train.count, options.epochs),
    },
    ...(options.methods.includes('quant-trim') ? { recipe: describeRecipe(options.recipe ?? {}, options.trim) } : {}),
    methods: done.flatMap((d) => d.runs),
    evaluation: withoutPredictions(done[0]!.evaluation),
    seedResults: stats.seedResults,
    summary: stats.summary,
    comparisons: stats.comparisons,
    verdicts: stats.verdicts,
  };
}
