/*
 * The config's constants and defaults, as plain data: `cli.ts` reads them to print each option's
 * default in `--help` without loading the zod schema and the registries behind it.
 */

/** The file `quant-trim` reads from the working directory when `--config` is not given. */
export const CONFIG_FILE_NAME = 'quant-trim.config.json';
/**
 * The `$id` of the committed JSON Schema (`apps/cli/schema/quant-trim.config.schema.json`): an
 * identifier, not a download location. Config files point `$schema` at the committed file by a
 * relative path (`configSchemaReference`).
 */
export const CONFIG_SCHEMA_ID = 'https://quant-trim.github.io/schemas/cli/quant-trim.config-1.json';

export const BUILTIN_DATASETS = ['mnist', 'fashion-mnist', 'synthetic'] as const;
export const BUILTIN_MODELS = ['mlp', 'cnn', 'dscnn', 'resnet-tiny'] as const;
export const METHODS = ['fp', 'qat', 'quant-trim', 'quant-trim-paper'] as const;
export const RUNTIMES = ['onnxruntime-node', 'onnxruntime-web'] as const;
/** `eval --labels`: score against the dataset's labels, or agreement with the float model. */
export const LABEL_SOURCES = ['dataset', 'float'] as const;
export type Method = (typeof METHODS)[number];
export type RuntimeName = (typeof RUNTIMES)[number];

/** Defaults of every config field; `profiles` defaults to every profile registered when the config is parsed. */
export const CONFIG_DEFAULTS = Object.freeze({
  seed: 0,
  dataset: 'mnist',
  labels: 'dataset' as (typeof LABEL_SOURCES)[number],
  model: 'cnn',
  methods: ['fp', 'qat', 'quant-trim'] as Method[],
  scheme: 'int8-sym-per-channel',
  activations: 'uint8-asym-per-tensor',
  epochs: 3,
  batchSize: 64,
  lr: 0.003,
  /** λ: the curriculum of @quant-trim/schedulers (its README, "The λ curriculum") with its default breakpoints; `totalSteps` is filled in at run time. */
  lambda: { type: 'quantTrimCurriculum', unit: 'fraction', warmup: 0.1, quarticEnd: 0.5, lambdaAtQuarticEnd: 0.25, fullAt: 0.85 } as LambdaConfig,
  trim: { pMax: 0.005, refreshEvery: 100, enabled: true },
  activationTrim: { enabled: false, pMax: 0.005, momentum: 0.9, refreshEvery: 4, deploy: true },
  /**
   * The default recipe of `--method quant-trim`: calibrator and scheme randomisation on top of the
   * paper's curriculum and weight trimming, the setting the ablation's rule picked
   * (`apps/cli/bench/ablationTable.ts`, `scoreRecipes`); tail trimming and blank suppression stay opt-in.
   */
  randomCalibration: { enabled: true, calibrators: ['minmax', 'percentile', 'entropy', 'mse', 'sqnr'], refreshEvery: 200 },
  blankSuppression: { enabled: false, weight: 1, value: 0, mode: 'decoupled' as 'decoupled' | 'loss', stepSize: 0.5 },
  /** `scheme.randomize` when the config does not set it (a string `scheme` included): on, part of the default recipe. */
  randomizeSchemes: true,
  /**
   * QAT / Quant-Trim: the fraction of training at which BatchNorm statistics freeze, or false (batch
   * statistics until the end). Off: at the CLI's constant learning rate freezing cost float accuracy
   * (docs/method.md#batchnorm).
   */
  freezeBatchNorm: false as number | false,
  calibrationSamples: 512,
  metrics: [] as string[],
  runtimes: ['onnxruntime-node', 'onnxruntime-web'] as RuntimeName[],
  latency: false,
  out: 'quant-trim-out',
  seeds: 3,
  bootstrapResamples: 1000,
});

/** A schedule config from `@quant-trim/schedulers` (`{ type, ...params }`). */
export interface LambdaConfig {
  readonly type: string;
  readonly [key: string]: unknown;
}
