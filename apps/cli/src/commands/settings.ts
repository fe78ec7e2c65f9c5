import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type * as tf from '@tensorflow/tfjs';
import { QuantTrimError } from '@quant-trim/errors';
import { loadConfig, mergeOptions, resolveRecipe, resolveSchemes, type Config, type ConfigFlags } from '../config/index.js';
import { describeDataset, loadDataset } from '../data/index.js';
import type { Dataset } from '../data/types.js';
import {
  FINE_TUNE_LR,
  assertExportable,
  buildModel,
  importModelFile,
  isModelName,
  isOnnxModelPath,
  loadModelJson,
  type ImportedModelInfo,
} from '../models/index.js';
import type { CompareOptions } from '../pipeline/compare.js';
import type { SchemeChoice, TrimChoice } from '../train/trainMethod.js';
import type { CommandContext } from './context.js';

/** Flags shared by train / compare / demo / eval: config file + overrides. */
export interface RunFlags extends ConfigFlags {
  /** `--config <file>`; default `quant-trim.config.json` in the working directory, when present. */
  readonly config?: string;
}

/** Whether the config file at `path` sets `lr` itself (the parsed config always has one: the default). */
function fileSetsLr(path: string | undefined): boolean {
  if (path === undefined) return false;
  try {
    const json = JSON.parse(readFileSync(path, 'utf8').replace(/^\uFEFF/, '')) as Record<string, unknown>;
    return json !== null && typeof json === 'object' && 'lr' in json;
  } catch {
    return false;
  }
}

/**
 * The config file (if any) merged with the flags (flags win), warnings reported. An imported ONNX
 * model (`--model model.onnx`) is fine-tuned from its pretrained weights: unless `--lr` or the
 * config sets a learning rate, it gets `FINE_TUNE_LR` (1e-3) instead of the from-scratch default.
 */
export async function resolveConfig(flags: RunFlags, ctx: CommandContext): Promise<Config> {
  const loaded = await loadConfig(flags.config, ctx.cwd);
  for (const w of loaded.warnings) ctx.reporter.onWarning?.(w);
  const config = mergeOptions(loaded.config, flags);
  if (isOnnxModelPath(config.model) && flags.lr === undefined && !fileSetsLr(loaded.path)) return { ...config, lr: FINE_TUNE_LR };
  return config;
}

/**
 * Loads the config's dataset; `labels: 'optional'` (eval --labels float) accepts data without
 * labels. An empty test split is refused (`QT_DATASET_CORRUPT`, exit 3) unless `test: false`
 * (inspect, which only reads the training split): accuracy on no images would read as 0.00 %.
 */
export async function resolveDataset(config: Config, ctx: CommandContext, use: { labels?: 'required' | 'optional'; test?: boolean } = {}): Promise<Dataset> {
  ctx.reporter.onPhaseStart?.({ phase: 'load', label: `load ${config.dataset}` });
  const t0 = performance.now();
  const dataset = await inUserWords(() =>
    loadDataset({
      dataset: config.dataset,
      seed: config.seed,
      cwd: ctx.cwd,
      ...(config.preprocess !== undefined ? { preprocess: config.preprocess } : {}),
      ...(config.arrays !== undefined ? { arrays: config.arrays } : {}),
      ...(use.labels !== undefined ? { labels: use.labels } : {}),
      onWarning: (message) => ctx.reporter.onWarning?.(message),
      ...(config.trainLimit !== undefined ? { trainLimit: config.trainLimit } : {}),
      ...(config.testLimit !== undefined ? { testLimit: config.testLimit } : {}),
    }),
  );
  ctx.reporter.onPhaseEnd?.({ phase: 'load', label: describeDataset(dataset), seconds: (performance.now() - t0) / 1000 });
  if (use.test !== false && dataset.test.count === 0) {
    throw new QuantTrimError({
      code: 'QT_DATASET_CORRUPT',
      message: `--dataset ${config.dataset}: the test split is empty (${dataset.train.count} training samples, 0 test samples${dataset.splitRule !== undefined ? `; ${dataset.splitRule}` : ''}), so no accuracy can be measured`,
      details: {
        file: dataset.source,
        problem: 'empty-test',
        hint: 'give the dataset more samples (a single pool puts 1/7 of each class in test: at least 4 images per class), or a test split of its own (test/ folder, t10k-* IDX files, x_test / y_test arrays)',
      },
    });
  }
  return dataset;
}

/** The flag (or config field) behind each `loadDataset` argument. */
const DATASET_FLAGS: Record<string, string> = {
  dataset: '--dataset',
  trainLimit: '--train-limit',
  testLimit: '--test-limit',
  seed: '--seed',
  labels: '--labels',
};

/**
 * Runs `load` and rewrites `loadDataset`'s library-API wording (``argument `dataset` of
 * `loadDataset`: …``) into the user's: the flag (`--dataset: …`) or the config field
 * (`config preprocess.resize: …`).
 */
async function inUserWords<T>(load: () => Promise<T>): Promise<T> {
  try {
    return await load();
  } catch (e) {
    const match = e instanceof QuantTrimError ? /^argument `([\w.]+)` of `loadDataset`: /.exec(e.message) : null;
    if (match === null) throw e;
    const q = e as QuantTrimError;
    const argument = match[1]!;
    const where = DATASET_FLAGS[argument] ?? `config ${argument}`;
    throw new QuantTrimError({
      code: q.code,
      message: `${where}: ${q.message.slice(match[0].length)}`,
      cause: e,
      details: { ...(q.details ?? {}), field: where },
    });
  }
}

/** The model of a run: its name, a builder of fresh float models, and where an imported one came from. */
export interface ResolvedModel {
  readonly name: string;
  readonly build: (seed?: number) => Promise<tf.LayersModel>;
  /** Set for `--model model.onnx`: the file and its hash (reports, resume fingerprints). */
  readonly imported?: ImportedModelInfo;
}

/**
 * A builder of fresh, seeded float models (default seed: the config's): a built-in architecture, a
 * user's tfjs model.json (reloaded each time, its own weights), or an ONNX classifier imported with
 * @quant-trim/onnx-import (re-imported each time: every method and seed starts from the file's
 * pretrained weights, the seed only orders the data). With `exportable`, an imported model whose
 * layers `exportOnnx` cannot write fails here, before any training (compare evaluates ONNX exports).
 */
export function resolveModel(config: Config, dataset: Dataset, ctx: CommandContext, use: { exportable?: boolean } = {}): ResolvedModel {
  const name = config.model;
  if (isModelName(name)) {
    return { name, build: async (seed = config.seed) => buildModel(name, { inputShape: dataset.sampleShape, classes: dataset.classes, seed }) };
  }
  const path = resolve(ctx.cwd, name);
  if (isOnnxModelPath(name)) {
    const imported = importModelFile(path, name, dataset);
    let checked = !use.exportable;
    const build = async () => {
      const model = imported.build();
      if (!checked) {
        try {
          assertExportable(model, name);
        } catch (e) {
          model.dispose();
          throw e;
        }
        checked = true;
      }
      return model;
    };
    return { name, build, imported: imported.info };
  }
  return { name, build: () => loadModelJson(path) };
}

export function schemeChoice(config: Config): SchemeChoice {
  const s = resolveSchemes(config.scheme);
  return { weights: s.weights, activations: s.activations, ...(s.layers.length > 0 ? { layers: Object.fromEntries(s.layers) } : {}) };
}

/** Everything `runComparison` needs from a resolved config. */
export function comparisonOptions(
  config: Config,
  dataset: Dataset,
  ctx: CommandContext,
  extra: { resume: boolean; command: string; out: string },
): CompareOptions {
  return {
    dataset,
    model: resolveModel(config, dataset, ctx, { exportable: true }),
    methods: config.methods,
    scheme: schemeChoice(config),
    epochs: config.epochs,
    batchSize: config.batchSize,
    learningRate: config.lr,
    seed: config.seed,
    seeds: config.seeds,
    bootstrapResamples: config.bootstrapResamples,
    lambda: config.lambda,
    freezeBatchNorm: config.freezeBatchNorm,
    trim: config.trim as TrimChoice,
    recipe: resolveRecipe(config),
    profiles: config.profiles,
    calibrationSamples: config.calibrationSamples,
    ...(config.workers !== undefined ? { workers: config.workers } : {}),
    runtimes: config.runtimes,
    latency: config.latency,
    out: extra.out,
    resume: extra.resume,
    command: extra.command,
    reporter: ctx.reporter,
    ...(ctx.signal !== undefined ? { signal: ctx.signal } : {}),
  };
}
