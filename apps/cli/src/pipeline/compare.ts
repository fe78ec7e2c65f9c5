import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { builtinProfiles, defaultBackendRegistry, defineBackend, evaluate, type BackendProfile, type EvaluationReport, type RuntimeName } from '@quant-trim/backend-eval';
import { initTrainingBackend } from '@quant-trim/fake-quant';
import { QuantTrimError } from '@quant-trim/internal';
import { defaultRegistry } from '@quant-trim/quant-grid';
import type { ScheduleConfig } from '@quant-trim/schedulers';
import type { Dataset } from '../data/types.js';
import type { Reporter } from '../output/types.js';
import type { Method, MethodRun, MethodSummary, RunReport } from '../report/types.js';
import { RUN_REPORT_SCHEMA_ID } from '../report/types.js';
import { exportCheckpoint, weightHistograms } from '../train/exportModels.js';
import { seededSubset } from '../data/split.js';
import { accuracyOf, trainMethod, type SchemeChoice, type TrimChoice } from '../train/trainMethod.js';
import { versions } from '../versions.js';

export const METHOD_LABELS: Readonly<Record<Method, string>> = { fp: 'FP', qat: 'QAT', 'quant-trim': 'Quant-Trim' };

export interface CompareOptions {
  readonly dataset: Dataset;
  /** Model name (for the report) and builder of a fresh seeded float model with logits out. */
  readonly model: { readonly name: string; readonly build: () => tf.LayersModel | Promise<tf.LayersModel> };
  readonly methods: readonly Method[];
  readonly scheme: SchemeChoice;
  readonly epochs: number;
  readonly batchSize: number;
  readonly learningRate: number;
  readonly seed: number;
  readonly lambda?: ScheduleConfig;
  readonly trim?: TrimChoice;
  /** Profile ids (default: all registered). */
  readonly profiles?: readonly string[];
  readonly calibrationSamples: number;
  readonly runtimes: readonly RuntimeName[];
  readonly latency: boolean;
  /** Output directory: checkpoints/<method>/, onnx/<method>.onnx. */
  readonly out: string;
  readonly resume: boolean;
  readonly command: string;
  readonly reporter?: Reporter;
  readonly signal?: AbortSignal;
}

/** Bits of a quant-grid preset (the weight width QAT trains for). */
export function presetBits(preset: string): number {
  return defaultRegistry.scheme(preset as never).bits;
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
      out.push(defineBackend({ ...p, id: `${p.id}-w${weightBits}`, name: `${p.name}, ${weightBits}-bit weights`, weights: { ...p.weights, bits: weightBits } }));
    } catch (e) {
      reporter?.onWarning?.(`profile ${p.id} has no ${weightBits}-bit weight variant (${(e as Error).message}); skipped`);
    }
  }
  return out;
}

function summarize(report: EvaluationReport, methods: readonly MethodRun[]): MethodSummary[] {
  return methods.flatMap((m) => {
    const model = report.models.find((r) => r.name === m.method);
    const a = model?.acrossProfiles;
    return a === undefined ? [] : [{ method: m.method, floatAccuracy: model?.float.accuracy ?? m.floatAccuracy, meanDrop: a.meanDrop, worstDrop: a.worstDrop, worstProfile: a.worstProfile, spread: a.spread }];
  });
}

const pp = (v: number) => `${(v * 100).toFixed(2)} pp`;

/** METHOD.md §6 verdicts: does Quant-Trim narrow the worst-case drop and the spread against FP and QAT? */
export function verdicts(summary: readonly MethodSummary[]): string[] {
  const qt = summary.find((s) => s.method === 'quant-trim');
  if (qt === undefined) return ['Quant-Trim was not part of this run: no verdict.'];
  const out: string[] = [];
  for (const other of summary.filter((s) => s.method !== 'quant-trim')) {
    const name = METHOD_LABELS[other.method];
    for (const [what, a, b] of [
      ['worst-case drop', qt.worstDrop, other.worstDrop],
      ['spread', qt.spread, other.spread],
    ] as const) {
      // Compare at the 0.01 pp the table shows (accuracies of the same test set differ by whole samples).
      const d = Math.round((a - b) * 1e4);
      const verdict = d < 0 ? 'narrower' : d === 0 ? 'equal' : 'NOT narrower';
      out.push(`Quant-Trim ${what} ${pp(a)} vs ${name} ${pp(b)}: ${verdict}${verdict === 'NOT narrower' ? ' — Quant-Trim does not improve on this here' : ''}.`);
    }
  }
  return out;
}

/**
 * METHOD.md §6 end to end: trains the requested methods with the same model, data and budget,
 * strips and exports each to FP32 ONNX, evaluates all of them across the backend profiles
 * (deployed at the width QAT trained for) and returns the run report.
 */
export async function runComparison(options: CompareOptions): Promise<RunReport> {
  const { dataset, reporter } = options;
  await initTrainingBackend({ backend: 'wasm' });
  const weightBits = presetBits(options.scheme.weights);
  const profiles = deploymentProfiles(options.profiles, weightBits, reporter);
  if (profiles.length === 0) throw new QuantTrimError({ code: 'QT_INVALID_ARGUMENT', message: 'no backend profile to evaluate on' });

  const runs: MethodRun[] = [];
  const onnx: { name: Method; onnx: Uint8Array }[] = [];
  let parameters = 0;
  for (const method of options.methods) {
    const trained = await trainMethod({
      method,
      build: options.model.build,
      dataset,
      epochs: options.epochs,
      batchSize: options.batchSize,
      learningRate: options.learningRate,
      seed: options.seed,
      scheme: options.scheme,
      ...(options.lambda !== undefined ? { lambda: options.lambda } : {}),
      ...(options.trim !== undefined ? { trim: options.trim } : {}),
      dir: join(options.out, 'checkpoints', method),
      resume: options.resume,
      label: options.model.name,
      ...(reporter !== undefined ? { reporter } : {}),
      ...(options.signal !== undefined ? { signal: options.signal } : {}),
    });
    try {
      const exported = exportCheckpoint(trained.quantized, { qdq: false });
      parameters = exported.float.countParams();
      const floatAccuracy = accuracyOf(exported.float, dataset.test, dataset.sampleShape);
      exported.float.dispose();
      onnx.push({ name: method, onnx: exported.fp32.bytes() });
      runs.push({
        method,
        label: METHOD_LABELS[method],
        floatAccuracy,
        history: trained.history,
        schedule: trained.schedule,
        weights: weightHistograms(trained.quantized),
        trainSeconds: trained.trainSeconds,
        checkpoint: join(options.out, 'checkpoints', method),
      });
    } finally {
      trained.quantized.dispose();
      trained.trim?.dispose();
    }
  }

  // Calibration: a seeded slice of the training split, apart from the test inputs.
  const sampleSize = dataset.sampleShape.reduce((a, b) => a * b, 1);
  const calibration = seededSubset(dataset.train, sampleSize, options.seed, 'calibration', options.calibrationSamples).x;

  const total = onnx.length * profiles.length;
  reporter?.onPhaseStart?.({ phase: 'evaluate', label: `evaluate ${onnx.length} checkpoint(s) × ${profiles.length} profiles`, total });
  const t0 = performance.now();
  const modelIndex = new Map(onnx.map((m, i) => [m.name as string, i]));
  const evaluation = await evaluate({
    models: onnx,
    profiles,
    data: { inputs: dataset.test.x, labels: dataset.test.y, sampleShape: dataset.sampleShape, calibration },
    runtimes: options.runtimes,
    ...(options.latency ? {} : { latency: false as const }),
    onProgress: (e) => {
      const done = (modelIndex.get(e.model) ?? 0) * profiles.length + e.done;
      reporter?.onProgress?.({ phase: 'evaluate', label: 'evaluate', done, total, detail: e.profile === undefined ? e.model : `${METHOD_LABELS[e.model as Method] ?? e.model} · ${e.profile} · ${e.stage}` });
    },
  });
  reporter?.onPhaseEnd?.({ phase: 'evaluate', label: 'evaluate', seconds: (performance.now() - t0) / 1000 });
  for (const m of evaluation.models) {
    for (const p of m.profiles) {
      reporter?.onEvalEnd?.({ model: m.name, profile: p.profile, status: p.status, ...(p.metrics?.accuracy !== undefined ? { accuracy: p.metrics.accuracy } : {}), ...(p.metrics?.drop !== undefined ? { drop: p.metrics.drop } : {}), ...(p.error ? { error: p.error.message } : {}) });
    }
  }

  const summary = summarize(evaluation, runs);
  return {
    $schema: RUN_REPORT_SCHEMA_ID,
    schemaVersion: 1,
    createdAt: new Date().toISOString(),
    command: options.command,
    seed: options.seed,
    versions: versions(),
    dataset: { name: dataset.name, source: dataset.source, trainSamples: dataset.train.count, testSamples: dataset.test.count, classes: dataset.classes, sampleShape: [...dataset.sampleShape] },
    model: { name: options.model.name, parameters },
    scheme: { weights: options.scheme.weights, activations: options.scheme.activations },
    budget: { epochs: options.epochs, batchSize: options.batchSize, learningRate: options.learningRate },
    methods: runs,
    evaluation,
    summary,
    verdicts: verdicts(summary),
  };
}
