import * as tf from '../tf.js';
import { QuantTrimError } from '@quant-trim/errors';
import type { CalibratorState } from '@quant-trim/quant-grid';
import { type ControllerState, QuantTrimController } from '../controller/QuantTrimController.js';
import type { Reporter } from '../controller/Reporter.js';
import { QuantState } from '../quantizers/QuantState.js';
import { type SchemeSpec, resolveScheme } from '../quantizers/resolveScheme.js';
import type { WeightTransform } from '../quantizers/WeightQuantizer.js';
import { FakeQuant } from './layers/FakeQuant.js';
import { QuantBatchNormalization } from './layers/QuantBatchNormalization.js';
import { linkFoldedBatchNorms } from './linkFoldedBatchNorms.js';
import { QuantLayer } from './layers/QuantLayer.js';
import type { LayerReport } from './quantizeModel.js';
import { QuantizedModel } from './QuantizedModel.js';
import { registerQuantLayers } from './registerQuantLayers.js';

const METADATA_KEY = 'quantTrim';

/** What a checkpoint carries besides the weights (tfjs `userDefinedMetadata`). */
export interface QuantCheckpointMetadata {
  version: 1;
  config: Record<string, unknown>;
  state: { lambda: number; strength: number; step: number; observersFrozen: boolean; batchNormFrozen: boolean };
  controller: ControllerState | null;
  /** Serialised calibrator observers, by activation-quantizer layer name. */
  calibrators: Record<string, CalibratorState>;
  layers: LayerReport[];
  warnings: string[];
  /**
   * Adam's running β1^t, β2^t as trained (float32 values). tfjs's `setWeights` recomputes them
   * with `pow`, which differs from the product of the steps in the last bit, so a resumed run
   * would drift; `loadQuantizedModel` restores these exact values.
   */
  adam?: { accBeta1: number; accBeta2: number };
}

interface AdamInternals {
  accBeta1?: tf.Variable;
  accBeta2?: tf.Variable;
}

export interface SaveOptions {
  /** Saved so training resumes at the same step with the same schedules. */
  controller?: QuantTrimController;
  /** Also save the optimizer state (tfjs `includeOptimizer`); needs a compiled model. Default true when compiled. */
  includeOptimizer?: boolean;
}

/**
 * Saves a quantized model with tfjs IO (any handler or URL scheme tfjs accepts): topology with the
 * quantized layer classes, weights (observer ranges included), and the quantization config, λ,
 * freeze flags, calibrator states and controller state as metadata.
 */
export async function saveQuantizedModel(
  quantized: QuantizedModel,
  handlerOrUrl: tf.io.IOHandler | string,
  options: SaveOptions = {},
): Promise<tf.io.SaveResult> {
  const s = quantized.state;
  const calibrators: Record<string, CalibratorState> = {};
  for (const layer of quantized.fakeQuantLayers()) {
    const state = layer.quantizer.calibratorState();
    if (state !== undefined) calibrators[layer.name] = state;
  }
  const metadata: QuantCheckpointMetadata = {
    version: 1,
    config: quantized.config,
    state: { lambda: s.lambdaValue, strength: s.strength, step: s.step, observersFrozen: s.observersFrozen, batchNormFrozen: s.batchNormFrozen },
    controller: options.controller?.toJSON() ?? null,
    calibrators,
    layers: [...quantized.layers],
    warnings: [...quantized.warnings],
  };
  const adam = quantized.model.optimizer as unknown as AdamInternals | undefined;
  if (adam?.accBeta1 instanceof tf.Variable && adam.accBeta2 instanceof tf.Variable) {
    metadata.adam = { accBeta1: adam.accBeta1.dataSync()[0]!, accBeta2: adam.accBeta2.dataSync()[0]! };
  }
  quantized.model.setUserDefinedMetadata({ [METADATA_KEY]: metadata });
  const includeOptimizer = options.includeOptimizer ?? quantized.model.optimizer !== undefined;
  return quantized.model.save(handlerOrUrl, { includeOptimizer });
}

export interface LoadOptions {
  /** The weight transform is code, not data: pass it again to resume training with it. */
  weightTransform?: WeightTransform;
  reporter?: Reporter;
}

/**
 * Loads a model saved by `saveQuantizedModel`, re-attaching one shared state to its quantizers.
 * Returns the controller too when one was saved, positioned at the saved step.
 */
export async function loadQuantizedModel(
  handlerOrUrl: tf.io.IOHandler | string,
  options: LoadOptions = {},
): Promise<{ quantized: QuantizedModel; controller: QuantTrimController | undefined }> {
  registerQuantLayers();
  const model = await tf.loadLayersModel(handlerOrUrl);
  const metadata = (model.getUserDefinedMetadata() as Record<string, unknown> | undefined)?.[METADATA_KEY] as QuantCheckpointMetadata | undefined;
  if (metadata?.version !== 1) {
    model.dispose();
    throw new QuantTrimError({
      code: 'QT_INVALID_ARGUMENT',
      message: 'loadQuantizedModel: the model carries no Quant-Trim metadata (was it saved with saveQuantizedModel?)',
    });
  }
  const adam = model.optimizer as unknown as AdamInternals | undefined;
  if (metadata.adam !== undefined && adam?.accBeta1 instanceof tf.Variable && adam.accBeta2 instanceof tf.Variable) {
    adam.accBeta1.assign(tf.scalar(metadata.adam.accBeta1));
    adam.accBeta2.assign(tf.scalar(metadata.adam.accBeta2));
  }
  const state = new QuantState(metadata.state.lambda);
  state.strength = metadata.state.strength;
  state.step = metadata.state.step;
  state.observersFrozen = metadata.state.observersFrozen;
  state.batchNormFrozen = metadata.state.batchNormFrozen;
  for (const layer of model.layers) {
    if (layer instanceof QuantLayer || layer instanceof QuantBatchNormalization) layer.quantState = state;
    if (layer instanceof FakeQuant) {
      layer.quantState = state;
      layer.syncObserved();
      const calibrator = metadata.calibrators[layer.name];
      if (calibrator !== undefined) layer.quantizer.loadCalibratorState(calibrator);
    }
    if (layer instanceof QuantLayer && options.weightTransform) layer.setWeightTransform(options.weightTransform);
  }
  linkFoldedBatchNorms(model);
  const randomize = metadata.config['randomize'] as { weights?: SchemeSpec[]; activations?: SchemeSpec[]; seed?: number } | undefined;
  const quantized = new QuantizedModel({
    model,
    state,
    config: metadata.config,
    randomize: randomize && {
      weights: (randomize.weights ?? []).map((s, i) => resolveScheme(s, `config.randomize.weights.${i}`)),
      activations: (randomize.activations ?? []).map((s, i) => resolveScheme(s, `config.randomize.activations.${i}`)),
      seed: randomize.seed ?? 0,
    },
    layers: metadata.layers,
    warnings: metadata.warnings,
    ...(options.weightTransform ? { weightTransform: options.weightTransform } : {}),
  });
  const controller =
    metadata.controller === null
      ? undefined
      : QuantTrimController.fromJSON(quantized, metadata.controller, options.reporter ? { reporter: options.reporter } : {});
  return { quantized, controller };
}
