import { rmSync } from 'node:fs';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import {
  QuantTrimController,
  attachBlankSuppression,
  loadQuantizedModel,
  quantizeModel,
  saveQuantizedModel,
  type BlankSuppression,
  type BlankSuppressionConfig,
  type CalibratorRandomizationConfig,
  type ObserverConfig,
  type QuantizedModel,
  type RandomizeConfig,
  type TailTrimConfig,
} from '@quant-trim/fake-quant';
import { defaultWorkerCount, fileSystemHandler } from '@quant-trim/fake-quant/node';
import type { DataParallelReplica } from '@quant-trim/fake-quant';
import { QuantTrimError, isQuantTrimError } from '@quant-trim/errors';
import { createReversePrune, type ReversePrune } from '@quant-trim/reverse-prune';
import { fromJSON, type ScheduleConfig } from '@quant-trim/schedulers';
import type { LambdaConfig } from '../config/defaults.js';
import { withTotalSteps } from '../config/lambda.js';
import type { Dataset, Split } from '../data/types.js';
import type { Reporter } from '../output/types.js';
import type { HistoryEntry, Method, ScheduleSample, TensorDisagreement } from '../report/types.js';
import { tensorDisagreements } from './disagreement.js';
import { backendMemoryError } from './backendMemory.js';
import { listNames, nonFiniteWeights, refuseNonFiniteCheckpoint } from './finite.js';
import { checkpointLoadProblem, commitLatest, readLatest, type TrainState } from './checkpoints.js';
import { seededPermutation, seededRng } from '../data/random.js';
import { trainInWorkers } from './trainInWorkers.js';

export interface SchemeChoice {
  /** quant-grid preset of the weights (QAT and Quant-Trim). */
  readonly weights: string;
  /** quant-grid preset of the activations. */
  readonly activations: string;
  /** Per-layer weight presets by layer-name pattern (`conv*`), first match wins. */
  readonly layers?: Readonly<Record<string, string>>;
}

export interface TrimChoice {
  readonly enabled?: boolean;
  /** Largest share of weights trimmed per group (p_max), default 0.005. */
  readonly pMax?: number;
  /** Mask refresh period in steps, default 100 (masks also refresh at every epoch start). */
  readonly refreshEvery?: number;
  /** Trimming strength schedule s_t (p_t = p_max·s_t); default: the controller's λ_t. */
  readonly strength?: ScheduleConfig;
}

/**
 * The activation-side and scheme mechanisms of the `quant-trim` method beyond the paper (each off
 * when absent); `quant-trim-paper` never uses them.
 */
export interface RecipeChoice {
  /** Activation tail trimming: clamp each quantized activation at a running high quantile (p_t = pMax·λ_t). */
  readonly activationTrim?: TailTrimConfig;
  /** Calibrator randomisation: each step an activation quantizer takes its range from one of several calibrators. */
  readonly randomCalibration?: CalibratorRandomizationConfig;
  /** Scheme randomisation: each step every weight (activation) quantizer uses one grid of a set. */
  readonly randomize?: RandomizeConfig;
  /** Blank-response suppression: a loss term driving every spatial activation's response to a blank input to 0. */
  readonly blankSuppression?: BlankSuppressionConfig;
}

export interface TrainOptions {
  readonly method: Method;
  /** Builds a fresh float model that outputs logits (seeded). */
  readonly build: () => tf.LayersModel | Promise<tf.LayersModel>;
  readonly dataset: Dataset;
  readonly epochs: number;
  readonly batchSize: number;
  readonly learningRate: number;
  readonly seed: number;
  readonly scheme: SchemeChoice;
  /** λ schedule of Quant-Trim (default: the curriculum over the whole run). */
  readonly lambda?: LambdaConfig;
  /** QAT / Quant-Trim: the fraction of training at which BatchNorm statistics freeze; default false (never). FP never freezes. */
  readonly freezeBatchNorm?: number | false;
  readonly trim?: TrimChoice;
  /** Mechanisms beyond the paper (`quant-trim` only). */
  readonly recipe?: RecipeChoice;
  /** Checkpoint directory of this method: `latest.json` + one model directory. */
  readonly dir: string;
  /** Continue from `dir`'s last complete checkpoint (an error when the settings differ). */
  readonly resume?: boolean;
  readonly reporter?: Reporter;
  /** Aborting stops after the current step; the last complete checkpoint stays. */
  readonly signal?: { readonly aborted: boolean };
  /** Name shown in progress, e.g. `cnn`. */
  readonly label?: string;
  /** An imported model's file and hash: part of the resume fingerprint (absent for built-in models, whose fingerprints stay as they were). */
  readonly source?: { readonly file: string; readonly sha256: string; readonly inputLayout?: 'NCHW' | 'NHWC' };
  /**
   * Data-parallel worker threads (default 1: this thread; `auto`: `autoTrainingWorkers`). Results
   * equal one worker's up to float summation order and are deterministic for a given count; not
   * part of the resume fingerprint (a run may resume with another count).
   */
  readonly workers?: number | 'auto';
  /**
   * Stop as an interrupted run does (`QT_INTERRUPTED`) once this many epochs are checkpointed:
   * training in slices, resumed later with `resume`. At the same epoch in every replica.
   */
  readonly stopAfterEpoch?: number;
}

export interface TrainResult {
  readonly method: Method;
  /** The trained model with its fake-quant layers (FP: none active). The caller disposes it. */
  readonly quantized: QuantizedModel;
  readonly trim: ReversePrune | undefined;
  readonly history: readonly HistoryEntry[];
  readonly schedule: readonly ScheduleSample[];
  readonly trainSeconds: number;
  /** Epoch the run started from (0 unless resumed). */
  readonly resumedFrom: number;
  /** Data-parallel worker threads it trained with (1: this thread). */
  readonly workers: number;
}

/**
 * Training samples × epochs from which `workers: 'auto'` trains on every core. Starting a worker
 * (loading the backend and the model) costs a few seconds per method: the demo (8,571 × 3) took
 * 54 s with 2 workers against 45 s with 1 on a 2-core machine (BENCHMARKS.md, "Training speed").
 */
export const AUTO_WORKERS_MIN_SAMPLES = 100_000;

/** `workers: 'auto'`: the core count for runs of at least `AUTO_WORKERS_MIN_SAMPLES` samples × epochs, else 1. */
export function autoTrainingWorkers(trainSamples: number, epochs: number): number {
  return trainSamples * epochs >= AUTO_WORKERS_MIN_SAMPLES ? defaultWorkerCount() : 1;
}

/** Appends a softmax so tfjs's serialisable `categoricalCrossentropy` trains a logits model (removed again at export). */
function withSoftmax(model: tf.LayersModel): tf.LayersModel {
  const output = tf.layers.activation({ activation: 'softmax', name: 'softmax' }).apply(model.outputs[0]!) as tf.SymbolicTensor;
  return tf.model({ inputs: model.inputs, outputs: output, name: model.name });
}

async function createQuantized(options: TrainOptions, trim: ReversePrune | undefined): Promise<QuantizedModel> {
  const model = withSoftmax(await options.build());
  const keepSoftmaxFloat = { pattern: 'softmax', exclude: true } as const;
  if (options.method === 'fp') return quantizeModel(model, { weights: false, activations: false, lambda: 0 });
  const overrides = [keepSoftmaxFloat, ...Object.entries(options.scheme.layers ?? {}).map(([pattern, weights]) => ({ pattern, weights }))];
  const recipe = options.method === 'quant-trim' ? (options.recipe ?? {}) : {};
  const observer: ObserverConfig = {
    ...(recipe.activationTrim !== undefined ? { tailTrim: recipe.activationTrim } : {}),
    ...(recipe.randomCalibration !== undefined ? { randomCalibration: { seed: options.seed, ...recipe.randomCalibration } } : {}),
  };
  return quantizeModel(model, {
    weights: options.scheme.weights,
    activations: options.scheme.activations,
    overrides,
    lambda: options.method === 'qat' ? 1 : 0,
    ...(Object.keys(observer).length > 0 ? { observer } : {}),
    ...(recipe.randomize !== undefined ? { randomize: { seed: options.seed, ...recipe.randomize } } : {}),
    ...(trim !== undefined ? { weightTransform: trim } : {}),
  });
}

/** Methods that follow the λ curriculum with reverse pruning (the paper's recipe, and ours on top of it). */
export function isQuantTrimMethod(method: Method): boolean {
  return method === 'quant-trim' || method === 'quant-trim-paper';
}

function lambdaSchedule(options: TrainOptions, totalSteps: number): ScheduleConfig | undefined {
  if (options.method === 'qat') return { type: 'constant', value: 1 } as ScheduleConfig;
  if (options.method === 'fp') return { type: 'constant', value: 0 } as ScheduleConfig;
  // A curriculum in fractions of training gets the run's step count.
  return options.lambda === undefined ? undefined : (withTotalSteps(options.lambda, totalSteps) as ScheduleConfig);
}

/** The largest batch input `trainMethod` allocates (float32 values). */
const MAX_BATCH_BYTES = 2 ** 30;

/** Stops a run whose loss or weights are no longer finite, naming them; the last complete checkpoint stays. */
function diverged(
  options: TrainOptions,
  what: string,
  quantized: QuantizedModel,
  previous: TrainState | undefined,
  bad = nonFiniteWeights(quantized.model),
): never {
  const where = bad.length > 0 ? `; non-finite weights in ${listNames(bad)}` : '';
  const kept = previous !== undefined ? `the last complete checkpoint (epoch ${previous.epoch}) is kept in ${options.dir}` : 'no checkpoint was written';
  throw new QuantTrimError({
    code: 'QT_TRAINING_DIVERGED',
    message: `${options.method} diverged: ${what}${where}; ${kept}`,
    details: { method: options.method, weights: bad, hint: `lower the learning rate (--lr, now ${options.learningRate})` },
  });
}

/** Settings a resumed run must share with the checkpoint. */
function fingerprint(options: TrainOptions, stepsPerEpoch: number): Record<string, unknown> {
  return {
    method: options.method,
    dataset: options.dataset.name,
    trainSamples: options.dataset.train.count,
    epochs: options.epochs,
    batchSize: options.batchSize,
    learningRate: options.learningRate,
    seed: options.seed,
    scheme: options.scheme,
    lambda: options.lambda ?? null,
    trim: options.trim ?? null,
    recipe: options.method === 'quant-trim' ? (options.recipe ?? null) : null,
    // Not for FP (which never freezes), so FP checkpoints from before the option stay resumable.
    ...(options.method !== 'fp' ? { freezeBatchNorm: options.freezeBatchNorm ?? false } : {}),
    stepsPerEpoch,
    ...(options.source !== undefined
      ? {
          model: {
            file: options.source.file,
            sha256: options.source.sha256,
            ...(options.source.inputLayout !== undefined ? { inputLayout: options.source.inputLayout } : {}),
          },
        }
      : {}),
  };
}

function batchOf(
  split: Split,
  order: Uint32Array,
  start: number,
  size: number,
  sampleShape: readonly number[],
  classes: number,
): { x: tf.Tensor; y: tf.Tensor } {
  const sampleSize = sampleShape.reduce((a, b) => a * b, 1);
  const n = Math.min(size, order.length - start);
  const x = new Float32Array(n * sampleSize);
  const y = new Float32Array(n * classes);
  for (let i = 0; i < n; i++) {
    const s = order[start + i]!;
    x.set(split.x.subarray(s * sampleSize, (s + 1) * sampleSize), i * sampleSize);
    y[i * classes + split.y[s]!] = 1;
  }
  return { x: tf.tensor(x, [n, ...sampleShape]), y: tf.tensor2d(y, [n, classes]) };
}

/** Training samples the end-of-epoch calibrator-disagreement probe runs on (a fixed, seeded batch). */
export const DISAGREEMENT_SAMPLES = 256;

/**
 * The epoch's calibrator disagreement per activation tensor on a fixed seeded training batch, or
 * undefined when it cannot be measured (a model without activation tensors to probe). Not part of
 * training: it runs at λ = 0 in inference mode and changes no state.
 */
function disagreementOf(quantized: QuantizedModel, options: TrainOptions): TensorDisagreement[] | undefined {
  const { dataset } = options;
  const n = Math.min(DISAGREEMENT_SAMPLES, dataset.train.count);
  if (n === 0) return undefined;
  const order = seededPermutation(dataset.train.count, seededRng(options.seed, 'disagreement'));
  const { x, y } = batchOf(dataset.train, order, 0, n, dataset.sampleShape, dataset.classes);
  try {
    const all = tensorDisagreements(quantized, x, options.scheme.activations);
    return all.length === 0 ? undefined : all;
  } finally {
    tf.dispose([x, y]);
  }
}

/** Top-1 accuracy of `model` on `split`, in batches. */
export function accuracyOf(model: tf.LayersModel, split: Split, sampleShape: readonly number[], batchSize = 500): number {
  return split.count === 0 ? 0 : correctOf(model, split, sampleShape, 0, split.count, batchSize) / split.count;
}

/** Correct top-1 predictions of `model` on rows [from, to) of `split`, in batches. */
function correctOf(model: tf.LayersModel, split: Split, sampleShape: readonly number[], from: number, to: number, batchSize = 500): number {
  const sampleSize = sampleShape.reduce((a, b) => a * b, 1);
  let correct = 0;
  for (let start = from; start < to; start += batchSize) {
    const n = Math.min(batchSize, to - start);
    const predicted = tf.tidy(() => {
      const x = tf.tensor(split.x.subarray(start * sampleSize, (start + n) * sampleSize), [n, ...sampleShape]);
      return (model.predict(x) as tf.Tensor).argMax(-1).dataSync();
    });
    for (let i = 0; i < n; i++) if (predicted[i] === split.y[start + i]) correct++;
  }
  return correct;
}

/** `accuracyOf` the test split in a data-parallel run: each replica predicts its rows, the counts are summed. */
function shardedAccuracy(model: tf.LayersModel, dataset: Dataset, replica: DataParallelReplica): number {
  const { count } = dataset.test;
  if (count === 0) return 0;
  // Shards of at least as many rows as replicas (no padding); replicas past the end predict nothing.
  const shard = replica.shard(Math.max(count, replica.size));
  const own = shard.start < count ? correctOf(model, dataset.test, dataset.sampleShape, shard.start, Math.min(count, shard.start + shard.count)) : 0;
  return replica.sum(Float32Array.of(own))[0]! / count;
}

/** Whether the run was interrupted; in a data-parallel run, whether any replica saw it (all agree on the step). */
function interrupted(signal: { readonly aborted: boolean } | undefined, replica: DataParallelReplica | undefined): boolean {
  const own = signal?.aborted === true;
  return replica === undefined ? own : replica.sum(Float32Array.of(own ? 1 : 0))[0]! > 0;
}

/**
 * Trains one method (`fp`, `qat` or `quant-trim`; docs/method.md#the-three-checkpoints) with a seeded, manual loop:
 * each epoch visits the training split in a seeded order (so a resumed run sees exactly the same
 * batches), the controller sets λ (and reverse pruning's strength) per step, masks refresh at every
 * epoch start, and after each epoch the model, optimizer, controller and loop state are written to
 * `dir` atomically (`latest.json` is the commit point). With `resume`, training continues from
 * the last complete checkpoint and ends with the same weights as an uninterrupted run.
 */
export async function trainMethod(options: TrainOptions): Promise<TrainResult> {
  const workers = options.workers === 'auto' ? autoTrainingWorkers(options.dataset.train.count, options.epochs) : (options.workers ?? 1);
  if (workers > 1) return await trainInWorkers({ ...options, workers });
  return await trainReplica(options, undefined);
}

/**
 * `trainMethod` in this thread: alone (`replica` undefined), or as one replica of a data-parallel
 * run (`trainInWorkers`), which trains its rows of every batch and, on rank 0 only, writes the
 * checkpoints and reports progress.
 */
export async function trainReplica(options: TrainOptions, replica: DataParallelReplica | undefined): Promise<TrainResult> {
  const { dataset, batchSize, epochs } = options;
  const sampleShape = dataset.sampleShape;
  const batchBytes = batchSize * sampleShape.reduce((a, b) => a * b, 1) * 4;
  if (batchBytes > MAX_BATCH_BYTES) {
    // The input of one batch alone (every activation is larger still): refuse instead of allocating gigabytes.
    throw new QuantTrimError({
      code: 'QT_INVALID_ARGUMENT',
      message: `--batch-size ${batchSize}: one batch of ${sampleShape.join('×')} samples is ${(batchBytes / 2 ** 30).toFixed(1)} GiB of input alone (at most 1 GiB)`,
      details: { field: 'batchSize', hint: `use at most --batch-size ${Math.floor(MAX_BATCH_BYTES / (batchBytes / batchSize))}; 32–256 is usual` },
    });
  }
  const stepsPerEpoch = Math.ceil(dataset.train.count / batchSize);
  const totalSteps = stepsPerEpoch * epochs;
  const print = fingerprint(options, stepsPerEpoch);
  const strength = options.trim?.strength === undefined ? undefined : fromJSON(withTotalSteps(options.trim.strength, totalSteps) as ScheduleConfig);
  const trim =
    isQuantTrimMethod(options.method) && options.trim?.enabled !== false
      ? createReversePrune({
          pMax: options.trim?.pMax ?? 0.005,
          refreshEvery: options.trim?.refreshEvery ?? 100,
          ...(strength !== undefined ? { strength } : {}),
        })
      : undefined;

  const previous = options.resume ? readLatest(options.dir) : undefined;
  if (!options.resume) rmSync(options.dir, { recursive: true, force: true });
  let quantized: QuantizedModel;
  let controller: QuantTrimController;
  if (previous !== undefined) {
    if (JSON.stringify(previous.fingerprint) !== JSON.stringify(print)) {
      const diff = Object.keys(print).filter((k) => JSON.stringify(print[k]) !== JSON.stringify(previous!.fingerprint[k]));
      throw new QuantTrimError({
        code: 'QT_INVALID_ARGUMENT',
        message: `--resume: the checkpoint in ${options.dir} was made with different settings (${diff.join(', ')})`,
        details: { hint: 'rerun with the same settings, or with --force instead of --resume to start over' },
      });
    }
    const from = join(options.dir, previous.checkpoint);
    let loaded: Awaited<ReturnType<typeof loadQuantizedModel>>;
    try {
      loaded = await loadQuantizedModel(fileSystemHandler(from), trim !== undefined ? { weightTransform: trim } : {});
    } catch (e) {
      throw new QuantTrimError({
        code: 'QT_MODEL_LOAD',
        message: `--resume: cannot load the checkpoint ${from}: ${checkpointLoadProblem(from, e)}`,
        cause: e,
        details: { path: from, hint: 'rerun with --force instead of --resume to start over, or restore the checkpoint' },
      });
    }
    quantized = loaded.quantized;
    refuseNonFiniteCheckpoint(quantized, from, 'resume from', 'rerun with --force instead of --resume to start over');
    controller = loaded.controller ?? new QuantTrimController(quantized, { totalSteps, startStep: previous.step });
  } else {
    quantized = await createQuantized(options, trim);
    quantized.model.compile({ optimizer: tf.train.adam(options.learningRate), loss: 'categoricalCrossentropy' });
    const lambda = lambdaSchedule(options, totalSteps);
    // FP is plain float training: its BatchNorm never freezes; QAT and Quant-Trim freeze it only when asked.
    const freeze =
      options.method === 'fp' || options.freezeBatchNorm === undefined || options.freezeBatchNorm === false ? false : { atFraction: options.freezeBatchNorm };
    controller = new QuantTrimController(quantized, { totalSteps, ...(lambda !== undefined ? { lambda } : {}), freezeBatchNorm: freeze });
  }

  replica?.attach(quantized.model);
  // A loss term, not model state: attached for this run's steps only (fresh and resumed alike).
  const blank =
    options.method === 'quant-trim' && options.recipe?.blankSuppression !== undefined
      ? blankSuppressionFor(quantized, options.recipe.blankSuppression, options.reporter)
      : undefined;
  try {
    return await trainEpochs(options, { quantized, controller, trim, blank, previous, print, stepsPerEpoch, totalSteps, replica });
  } finally {
    blank?.detach();
  }
}

/**
 * Blank-response suppression on `quantized`, or undefined: silently for a model without spatial
 * activations (an MLP: nothing to suppress), with a warning for one it cannot serve (several
 * inputs, input sizes not fixed); the run trains on without it, as a layer that cannot be
 * quantized stays float.
 */
function blankSuppressionFor(quantized: QuantizedModel, config: BlankSuppressionConfig, reporter: Reporter | undefined): BlankSuppression | undefined {
  try {
    return attachBlankSuppression(quantized, config);
  } catch (e) {
    if (!isQuantTrimError(e, 'QT_INVALID_ARGUMENT')) throw e;
    const details = e.details as { field?: string; reason?: string } | undefined;
    if (details?.field !== 'model') throw e;
    if (details.reason !== 'no-spatial-activation')
      reporter?.onWarning?.(`blank-response suppression skipped: ${e.message.replace(/^attachBlankSuppression: /, '')}`);
    return undefined;
  }
}

interface LoopState {
  readonly quantized: QuantizedModel;
  readonly controller: QuantTrimController;
  readonly trim: ReversePrune | undefined;
  readonly blank: BlankSuppression | undefined;
  readonly previous: TrainState | undefined;
  readonly print: Record<string, unknown>;
  readonly stepsPerEpoch: number;
  readonly totalSteps: number;
  /** This thread's replica of a data-parallel run (undefined: training alone). */
  readonly replica: DataParallelReplica | undefined;
}

/** The epochs of `trainMethod` from the loop state it set up (a fresh model or a resumed checkpoint). */
async function trainEpochs(options: TrainOptions, loop: LoopState): Promise<TrainResult> {
  const { dataset, batchSize, epochs } = options;
  const { quantized, controller, trim, blank, print, stepsPerEpoch, totalSteps, replica } = loop;
  // In a data-parallel run only rank 0 reports and writes checkpoints.
  const lead = replica === undefined || replica.rank === 0;
  const reporter = lead ? options.reporter : undefined;
  const sampleShape = dataset.sampleShape;
  let previous = loop.previous;
  const history: HistoryEntry[] = [...(previous?.history ?? [])];
  const schedule: ScheduleSample[] = [...(previous?.schedule ?? [])];
  const sampleEvery = Math.max(1, Math.floor(totalSteps / 200));
  const startEpoch = previous?.epoch ?? 0;
  let trainSeconds = previous?.trainSeconds ?? 0;
  const label = `train ${options.method}${options.label ? ` (${options.label})` : ''}`;
  reporter?.onPhaseStart?.({ phase: 'train', label, total: totalSteps });
  const phaseStart = performance.now();
  for (let epoch = startEpoch; epoch < epochs; epoch++) {
    const t0 = performance.now();
    trim?.dispose(); // masks refresh at every epoch start, in fresh and resumed runs alike
    const order = seededPermutation(dataset.train.count, seededRng(options.seed, `train/epoch/${epoch}`));
    let lossSum = 0;
    for (let b = 0; b < stepsPerEpoch; b++) {
      if (interrupted(options.signal, replica)) {
        throw new QuantTrimError({
          code: 'QT_INTERRUPTED',
          message: `interrupted during epoch ${epoch + 1} of ${options.method}; the last complete checkpoint (epoch ${previous?.epoch ?? 0}) is in ${options.dir}`,
          details: { hint: 'rerun the same command with --resume to continue' },
        });
      }
      const info = controller.beginStep();
      const rows = Math.min(batchSize, dataset.train.count - b * batchSize);
      const shard = replica?.shard(rows) ?? { start: 0, count: rows };
      const { x, y } = batchOf(dataset.train, order, b * batchSize + shard.start, shard.count, sampleShape, dataset.classes);
      let loss: number;
      try {
        loss =
          replica === undefined
            ? ((await quantized.model.trainOnBatch(x, y)) as number)
            : await replica.trainOnShard(quantized.model, x, y, rows, shard.padding === true);
        blank?.step(); // decoupled blank suppression (a no-op when the penalty is part of the loss)
      } catch (e) {
        throw backendMemoryError(e, { step: info.step + 1, batchSize, method: options.method });
      }
      tf.dispose([x, y]);
      if (!Number.isFinite(loss))
        diverged(options, `the loss became ${loss} at step ${info.step + 1} (epoch ${epoch + 1}, batch ${b + 1})`, quantized, previous);
      await controller.endStep({ loss });
      lossSum += loss;
      if (info.step % sampleEvery === 0) schedule.push({ step: info.step, lambda: info.lambda, trim: trim?.stats().share ?? 0 });
      reporter?.onProgress?.({
        phase: 'train',
        label,
        done: epoch * stepsPerEpoch + b + 1,
        total: totalSteps,
        detail: `epoch ${epoch + 1}/${epochs} loss ${(lossSum / (b + 1)).toFixed(3)}`,
      });
      // Let signal handlers (Ctrl-C) run between steps.
      if (b % 8 === 7) await new Promise((resolve) => setImmediate(resolve));
    }
    const testAccuracy = replica === undefined ? accuracyOf(quantized.model, dataset.test, sampleShape) : shardedAccuracy(quantized.model, dataset, replica);
    const seconds = (performance.now() - t0) / 1000;
    trainSeconds += seconds;
    const calibratorDisagreement = lead ? disagreementOf(quantized, options) : undefined;
    const entry: HistoryEntry = {
      epoch: epoch + 1,
      step: (epoch + 1) * stepsPerEpoch,
      loss: lossSum / stepsPerEpoch,
      testAccuracy,
      seconds,
      ...(calibratorDisagreement ? { calibratorDisagreement } : {}),
    };
    history.push(entry);
    // Never checkpoint a model that has diverged (a finite loss can still come with infinite weights).
    const bad = nonFiniteWeights(quantized.model);
    if (!Number.isFinite(entry.loss) || bad.length > 0) diverged(options, `epoch ${epoch + 1} ended with non-finite weights`, quantized, previous, bad);
    const checkpoint = `epoch-${epoch + 1}`;
    if (lead) await saveQuantizedModel(quantized, fileSystemHandler(join(options.dir, checkpoint)), { controller });
    const state: TrainState = {
      version: 1,
      method: options.method,
      epoch: epoch + 1,
      epochs,
      step: (epoch + 1) * stepsPerEpoch,
      checkpoint,
      history,
      schedule,
      fingerprint: print,
      trainSeconds,
    };
    if (lead) commitLatest(options.dir, state, previous);
    previous = state;
    if (options.stopAfterEpoch === epoch + 1 && epoch + 1 < epochs) {
      throw new QuantTrimError({
        code: 'QT_INTERRUPTED',
        message: `stopped after epoch ${epoch + 1} of ${options.method} as asked; the checkpoint is in ${options.dir}`,
        details: { hint: 'rerun the same command with --resume to continue' },
      });
    }
    const top = calibratorDisagreement?.[0];
    reporter?.onEpochEnd?.({
      method: options.method,
      epoch: epoch + 1,
      epochs,
      loss: entry.loss,
      testAccuracy,
      seconds,
      checkpoint: join(options.dir, checkpoint),
      ...(top ? { disagreement: { layer: top.layer, ratio: top.ratio } } : {}),
    });
  }
  reporter?.onPhaseEnd?.({ phase: 'train', label, seconds: (performance.now() - phaseStart) / 1000 });
  return { method: options.method, quantized, trim, history, schedule, trainSeconds, resumedFrom: startEpoch, workers: replica?.size ?? 1 };
}
