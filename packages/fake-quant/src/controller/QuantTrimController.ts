import * as tf from '../tf.js';
import { QuantTrimError } from '@quant-trim/errors';
import { type Schedule, type ScheduleConfig, fromJSON, quantTrimCurriculum } from '@quant-trim/schedulers';
import type { QuantizedModel } from '../model/QuantizedModel.js';
import type { Reporter, StepInfo } from './Reporter.js';

/** A freeze point: a fraction of training (0..1) or an absolute step. */
export type FreezePoint = { atFraction: number } | { atStep: number } | false;

export interface ControllerOptions {
  totalSteps: number;
  /** λ schedule. Default: the Quant-Trim curriculum over `totalSteps` (docs/method.md#the-lambda-curriculum). */
  lambda?: Schedule | ScheduleConfig;
  /** Strength of the weight transform (reverse pruning's p_t / p_max). Default: equal to λ. */
  strength?: Schedule | ScheduleConfig;
  /**
   * Strength of activation tail trimming (trimmed share p_t = pMax · strength), set on
   * `QuantState.activationStrength` each step. Default: follow λ.
   */
  activationStrength?: Schedule | ScheduleConfig;
  /** When activation observers freeze. Default { atFraction: 0.9 }. */
  freezeObservers?: FreezePoint;
  /**
   * When BatchNorm layers freeze their statistics (normalise with the moving statistics from then
   * on, as PyTorch's `freeze_bn_stats`). Default `false`: batch statistics until the end. Freezing
   * suits a fine-tune whose learning rate is small by then; at a constant Adam learning rate of
   * 0.003, freezing at 90 % cost resnet-tiny 3–4 points of float accuracy (docs/method.md#batchnorm).
   */
  freezeBatchNorm?: FreezePoint;
  /** Seed of the per-step scheme sampling (scheme randomisation). Default the model's randomize seed. */
  seed?: number;
  /** First step (when resuming by hand; `fromJSON` restores it). */
  startStep?: number;
  reporter?: Reporter;
}

/** JSON state of a controller: with the checkpoint, training resumes at the same step with the same schedules. */
export interface ControllerState {
  version: 1;
  step: number;
  totalSteps: number;
  lambda: ScheduleConfig;
  strength: ScheduleConfig | null;
  /** Absent in states saved before activation tail trimming existed (= follow λ). */
  activationStrength?: ScheduleConfig | null;
  freezeObservers: FreezePoint;
  freezeBatchNorm: FreezePoint;
  seed: number;
}

function toSchedule(value: Schedule | ScheduleConfig, field: string): Schedule {
  if (typeof (value as Schedule).at === 'function') return value as Schedule;
  try {
    return fromJSON(value as ScheduleConfig);
  } catch (e) {
    throw new QuantTrimError({ code: 'QT_INVALID_SCHEDULE', message: `${field}: ${(e as Error).message}`, cause: e });
  }
}

function checkFreeze(point: FreezePoint, field: string): FreezePoint {
  if (point === false) return point;
  const value = 'atFraction' in point ? point.atFraction : point.atStep;
  const ok = 'atFraction' in point ? value >= 0 && value <= 1 : Number.isInteger(value) && value >= 0;
  if (!ok)
    throw new QuantTrimError({
      code: 'QT_INVALID_ARGUMENT',
      message: `${field}: expected { atFraction: 0..1 } or { atStep: integer ≥ 0 } or false, got ${JSON.stringify(point)}`,
    });
  return point;
}

/** Deterministic per-step sample index, so a resumed run samples exactly what the uninterrupted one did. */
function sampleIndex(seed: number, step: number, n: number): number {
  let t = (Math.imul(seed ^ 0x9e3779b9, 0x85ebca6b) ^ Math.imul(step + 1, 0xc2b2ae35)) >>> 0;
  t = Math.imul(t ^ (t >>> 16), 0x7feb352d) >>> 0;
  t = Math.imul(t ^ (t >>> 15), 0x846ca68b) >>> 0;
  return ((t ^ (t >>> 16)) >>> 0) % n;
}

/**
 * Drives a quantized model through training: each step it sets λ and the weight-transform strength
 * from their schedules, freezes observers and BatchNorm at their freeze points, samples schemes
 * under randomisation, and reports progress. Use `callback()` with `model.fit`, or
 * `beginStep()` / `endStep()` around a manual training step.
 *
 * @example
 * const controller = new QuantTrimController(q, { totalSteps: epochs * batchesPerEpoch });
 * await q.model.fit(x, y, { epochs, batchSize, callbacks: [controller.callback()] });
 */
export class QuantTrimController {
  readonly model: QuantizedModel;
  readonly totalSteps: number;
  readonly lambda: Schedule;
  readonly strength: Schedule | undefined;
  readonly activationStrength: Schedule | undefined;
  readonly freezeObservers: FreezePoint;
  readonly freezeBatchNorm: FreezePoint;
  readonly seed: number;
  reporter: Reporter | undefined;
  #step: number;

  constructor(model: QuantizedModel, options: ControllerOptions) {
    if (!Number.isInteger(options.totalSteps) || options.totalSteps < 1) {
      throw new QuantTrimError({ code: 'QT_INVALID_ARGUMENT', message: `totalSteps: expected an integer ≥ 1, got ${options.totalSteps}` });
    }
    this.model = model;
    this.totalSteps = options.totalSteps;
    this.lambda = toSchedule(options.lambda ?? quantTrimCurriculum({ totalSteps: options.totalSteps }), 'lambda');
    this.strength = options.strength === undefined ? undefined : toSchedule(options.strength, 'strength');
    this.activationStrength = options.activationStrength === undefined ? undefined : toSchedule(options.activationStrength, 'activationStrength');
    this.freezeObservers = checkFreeze(options.freezeObservers ?? { atFraction: 0.9 }, 'freezeObservers');
    this.freezeBatchNorm = checkFreeze(options.freezeBatchNorm ?? false, 'freezeBatchNorm');
    this.seed = options.seed ?? model.randomize?.seed ?? 0;
    this.reporter = options.reporter;
    this.#step = options.startStep ?? 0;
  }

  /** The step the next `beginStep` applies. */
  get step(): number {
    return this.#step;
  }

  #reached(point: FreezePoint, step: number): boolean {
    if (point === false) return false;
    return 'atFraction' in point ? step >= point.atFraction * this.totalSteps : step >= point.atStep;
  }

  /** Applies every schedule for the current step to the model's shared state. */
  beginStep(): StepInfo {
    const step = this.#step;
    const state = this.model.state;
    const lambda = this.lambda.at(step);
    state.setLambda(lambda);
    state.strength = this.strength === undefined ? state.lambdaValue : this.strength.at(step);
    state.activationStrength = this.activationStrength?.at(step);
    state.step = step;
    this.model.weightTransform?.beginStep?.({ step, strength: state.strength, weights: this.model.quantizedWeights() });
    state.observersFrozen = this.#reached(this.freezeObservers, step);
    state.batchNormFrozen = this.#reached(this.freezeBatchNorm, step);
    const sets = this.model.randomize;
    if (sets !== undefined) {
      state.sampledWeightScheme = sets.weights.length > 0 ? sets.weights[sampleIndex(this.seed, step, sets.weights.length)] : undefined;
      state.sampledActivationScheme = sets.activations.length > 0 ? sets.activations[sampleIndex(this.seed + 1, step, sets.activations.length)] : undefined;
    }
    return this.#info(undefined);
  }

  /** Reports the finished step and advances. */
  async endStep(logs?: Record<string, number>): Promise<StepInfo> {
    const info = this.#info(logs);
    this.#step++;
    await this.reporter?.onStep?.(info);
    return info;
  }

  #info(logs: Record<string, number> | undefined): StepInfo {
    const state = this.model.state;
    return {
      step: this.#step,
      totalSteps: this.totalSteps,
      lambda: state.lambdaValue,
      strength: state.strength,
      observersFrozen: state.observersFrozen,
      batchNormFrozen: state.batchNormFrozen,
      ...(state.sampledWeightScheme?.name !== undefined ? { weightScheme: state.sampledWeightScheme.name } : {}),
      ...(state.sampledActivationScheme?.name !== undefined ? { activationScheme: state.sampledActivationScheme.name } : {}),
      ...(logs ? { logs } : {}),
    };
  }

  /** A tfjs callback for `model.fit` / `fitDataset`: one controller step per batch. */
  callback(): tf.CustomCallback {
    return new tf.CustomCallback({
      onTrainBegin: async () => {
        await this.reporter?.onRunStart?.({ totalSteps: this.totalSteps, step: this.#step });
      },
      onBatchBegin: async () => {
        this.beginStep();
      },
      onBatchEnd: async (_batch, logs) => {
        await this.endStep(logs as Record<string, number> | undefined);
      },
      onEpochEnd: async (epoch, logs) => {
        await this.reporter?.onEpochEnd?.({ epoch, step: this.#step, lambda: this.model.state.lambdaValue, logs: (logs ?? {}) as Record<string, number> });
      },
      onTrainEnd: async () => {
        await this.reporter?.onRunEnd?.({ step: this.#step, lambda: this.model.state.lambdaValue });
      },
    });
  }

  toJSON(): ControllerState {
    return {
      version: 1,
      step: this.#step,
      totalSteps: this.totalSteps,
      lambda: this.lambda.toJSON(),
      strength: this.strength?.toJSON() ?? null,
      activationStrength: this.activationStrength?.toJSON() ?? null,
      freezeObservers: this.freezeObservers,
      freezeBatchNorm: this.freezeBatchNorm,
      seed: this.seed,
    };
  }

  /** Rebuilds a controller from `toJSON()` (for resuming from a checkpoint). */
  static fromJSON(model: QuantizedModel, state: ControllerState, options: { reporter?: Reporter } = {}): QuantTrimController {
    if (state?.version !== 1)
      throw new QuantTrimError({ code: 'QT_INVALID_ARGUMENT', message: `controller state: unsupported version ${String(state?.version)}` });
    return new QuantTrimController(model, {
      totalSteps: state.totalSteps,
      lambda: state.lambda,
      ...(state.strength ? { strength: state.strength } : {}),
      ...(state.activationStrength ? { activationStrength: state.activationStrength } : {}),
      freezeObservers: state.freezeObservers,
      freezeBatchNorm: state.freezeBatchNorm,
      seed: state.seed,
      startStep: state.step,
      ...(options.reporter ? { reporter: options.reporter } : {}),
    });
  }
}
