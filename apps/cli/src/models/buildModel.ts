import type * as tf from '@tensorflow/tfjs';
import { QuantTrimError } from '@quant-trim/errors';
import { buildCnn } from './cnn.js';
import { buildDscnn } from './dscnn.js';
import { buildMlp } from './mlp.js';
import { buildResnetTiny } from './resnetTiny.js';
import type { BuildModelOptions, ModelName } from './types.js';

/** Every built-in architecture, in the order `--help` and reports list them. */
export const MODEL_NAMES: readonly ModelName[] = ['mlp', 'cnn', 'dscnn', 'resnet-tiny'];

/** True when `name` is a built-in architecture. */
export function isModelName(name: unknown): name is ModelName {
  return typeof name === 'string' && (MODEL_NAMES as readonly string[]).includes(name);
}

const BUILDERS: Record<ModelName, { build: (options: BuildModelOptions, seed: number) => tf.LayersModel; minSize: number }> = {
  mlp: { build: buildMlp, minSize: 1 },
  // conv1 (valid 3×3) → pool 2 → conv2 (valid 3×3) needs at least 8×8.
  cnn: { build: buildCnn, minSize: 8 },
  dscnn: { build: buildDscnn, minSize: 1 },
  'resnet-tiny': { build: buildResnetTiny, minSize: 1 },
};

function invalid(message: string, details: Record<string, unknown>): never {
  throw new QuantTrimError({ code: 'QT_INVALID_ARGUMENT', message, details });
}

/**
 * Builds a fresh built-in model: a tfjs LayersModel for `[height, width, channels]` samples that
 * outputs `classes` logits (no softmax; train with softmax cross-entropy from logits). Every
 * kernel initializer is seeded from `options.seed` (default 0), so the same seed builds identical
 * weights. Layer names are stable (`conv1`, `block2_pw_bn`, `head`, …): reports show them.
 *
 * @throws QT_INVALID_ARGUMENT for an unknown name, a bad input shape, class count or seed.
 */
export function buildModel(name: ModelName, options: BuildModelOptions): tf.LayersModel {
  if (!isModelName(name)) invalid(`unknown model ${JSON.stringify(name)}; expected one of ${MODEL_NAMES.join(', ')}`, { name, expected: MODEL_NAMES });
  const { inputShape, classes } = options;
  const seed = options.seed ?? 0;
  if (!Array.isArray(inputShape) || inputShape.length !== 3 || !inputShape.every((d) => Number.isInteger(d) && d >= 1))
    invalid(`inputShape: expected [height, width, channels] of positive integers, got ${JSON.stringify(inputShape)}`, { inputShape });
  const { minSize } = BUILDERS[name];
  if (inputShape[0] < minSize || inputShape[1] < minSize)
    invalid(`inputShape: model ${name} needs samples of at least ${minSize}×${minSize}, got ${inputShape[0]}×${inputShape[1]}`, { inputShape, name });
  if (!Number.isInteger(classes) || classes < 2) invalid(`classes: expected an integer ≥ 2, got ${JSON.stringify(classes)}`, { classes });
  if (!Number.isInteger(seed) || seed < 0 || seed > 0xffffffff)
    invalid(`seed: expected an integer from 0 to 4294967295, got ${JSON.stringify(options.seed)}`, { seed: options.seed });
  return BUILDERS[name].build(options, seed);
}
