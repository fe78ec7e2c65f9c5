import { defaultBackendRegistry, defaultMetricRegistry, type BackendProfileRegistry, type MetricRegistry } from '@quant-trim/backend-eval';
import { builtinSchemes, defaultRegistry, type QuantGridRegistry } from '@quant-trim/quant-grid';
import { defaultScheduleRegistry, type ScheduleRegistryInstance } from '@quant-trim/schedulers';
import { z } from 'zod';
import { checkLambda } from './lambda.js';

export { BUILTIN_DATASETS, BUILTIN_MODELS, CONFIG_DEFAULTS, CONFIG_FILE_NAME, CONFIG_SCHEMA_ID, LABEL_SOURCES, METHODS, RUNTIMES } from './defaults.js';
export type { LambdaConfig, Method, RuntimeName } from './defaults.js';
import { BUILTIN_DATASETS, BUILTIN_MODELS, CONFIG_DEFAULTS, LABEL_SOURCES, METHODS, RUNTIMES } from './defaults.js';

/** The registries the config is validated against; plugins register on them before parsing. */
export interface ConfigRegistries {
  readonly backends?: BackendProfileRegistry;
  /** Task metrics `metrics` may name (default: backend-eval's `defaultMetricRegistry`). */
  readonly metrics?: MetricRegistry;
  readonly schemes?: QuantGridRegistry;
  readonly schedules?: ScheduleRegistryInstance;
}

const quoted = (values: readonly string[]): string => values.map((v) => JSON.stringify(v)).join(', ');

function int(min: number, description: string) {
  const error = `expected an integer ≥ ${min}`;
  return z.int({ error }).min(min, { error }).describe(description);
}

function uniqueItems<T>(values: readonly T[], ctx: z.core.$RefinementCtx<readonly T[]>): void {
  values.forEach((value, i) => {
    if (values.indexOf(value) !== i) ctx.addIssue({ code: 'custom', path: [i], message: `duplicate ${JSON.stringify(value)}`, input: value });
  });
}

/**
 * Builds the config schema against the given registries (default: the packages' default
 * registries), so plugin schemes, schedules and backend profiles validate too.
 */
export function createConfigSchema(registries: ConfigRegistries = {}) {
  const backends = registries.backends ?? defaultBackendRegistry;
  const metricRegistry = registries.metrics ?? defaultMetricRegistry;
  const schemes = registries.schemes ?? defaultRegistry;
  const schedules = registries.schedules ?? defaultScheduleRegistry;
  const builtinSchemeNames = Object.keys(builtinSchemes);

  // One instance, so the JSON Schema holds it once (in `$defs`) and refers to it everywhere.
  const schemeName = z
    .string({ error: 'expected a quant-grid scheme name' })
    .superRefine((name, ctx) => {
      if (!schemes.schemeNames().includes(name)) {
        ctx.addIssue({ code: 'custom', message: `unknown scheme ${JSON.stringify(name)}; registered: ${schemes.schemeNames().join(', ')}`, input: name });
      }
    })
    .meta({
      id: 'schemeName',
      description: 'A @quant-trim/quant-grid scheme preset (or a plugin scheme registered before the config is parsed).',
      examples: builtinSchemeNames,
    });

  const gridError = 'expected a scheme name or grid options { bits?, signed?, symmetric?, narrowRange?, granularity?, scaleConstraint?, rounding? }';
  const grid = z.union(
    [
      schemeName,
      z
        .strictObject(
          {
            bits: z.int({ error: 'expected an integer in 2..16' }).min(2).max(16).optional(),
            signed: z.boolean().optional(),
            symmetric: z.boolean().optional(),
            narrowRange: z.boolean().optional(),
            granularity: z
              .enum(['per-tensor', 'per-channel'], { error: 'expected "per-tensor" or "per-channel"' })
              .optional()
              .describe('Axes are chosen per layer.'),
            scaleConstraint: z.enum(['float', 'pow2'], { error: 'expected "float" or "pow2"' }).optional(),
            rounding: z.enum(['half-even', 'half-away', 'half-up', 'floor'], { error: 'expected "half-even", "half-away", "half-up" or "floor"' }).optional(),
          },
          { error: gridError },
        )
        .describe('Grid options (quant-grid `createScheme`); granularity per-tensor or per-channel.'),
    ],
    { error: gridError },
  );
  const randomize = z
    .union(
      [
        z.boolean({ error: 'expected a boolean or { weights?, activations? }' }),
        z.strictObject(
          {
            weights: z
              .array(grid, { error: 'expected an array of grids' })
              .min(1, { error: 'expected at least one grid' })
              .optional()
              .describe('Weight grids sampled per step. Default: see `true`.'),
            activations: z
              .array(grid, { error: 'expected an array of grids' })
              .min(1, { error: 'expected at least one grid' })
              .optional()
              .describe('Activation grids sampled per step. Default: see `true`.'),
          },
          { error: 'expected a boolean or { weights?, activations? }' },
        ),
      ],
      { error: 'expected a boolean or { weights?, activations? }' },
    )
    .describe(
      'Scheme randomisation (method quant-trim): each training step every weight quantizer uses one grid sampled from `weights` and every activation quantizer one from `activations`. ' +
        '`true`: weights at the trained width per-channel, per-tensor, and per-tensor with power-of-two scales (e.g. INT4 per-tensor and pow2 for an int4 run, as Hailo and Vitis quantize); ' +
        `activations uint8 asymmetric, int8 symmetric and int8 power-of-two per-tensor (8-bit activation presets only). Default ${CONFIG_DEFAULTS.randomizeSchemes}.`,
    );

  const schemeObject = z
    .strictObject(
      {
        weights: schemeName.optional().describe(`Weight preset. Default ${JSON.stringify(CONFIG_DEFAULTS.scheme)}.`),
        activations: schemeName
          .optional()
          .describe(`Activation preset used while training (QAT / Quant-Trim). Default ${JSON.stringify(CONFIG_DEFAULTS.activations)}.`),
        layers: z
          .record(z.string().min(1, { error: 'expected a non-empty layer pattern' }), schemeName, {
            error: 'expected an object mapping layer-name patterns to scheme names',
          })
          .describe(
            'Weight presets per layer: keys are layer-name patterns (`*` any run of characters, `?` one character, matched against the whole name); the first matching pattern in file order wins, unmatched layers use `weights`.',
          )
          .optional(),
        randomize: randomize.optional(),
      },
      { error: 'expected an object { weights?, activations?, layers?, randomize? }' },
    )
    .describe('Weight, activation and per-layer presets, and scheme randomisation.');

  const schedule = () =>
    z
      .looseObject(
        { type: z.string({ error: 'expected a schedule type name' }).describe('Schedule type, e.g. "quantTrimCurriculum", "linear", "cosine", "piecewise".') },
        { error: 'expected a schedule object { type, ...params }' },
      )
      .superRefine((value, ctx) => checkLambda(value, schedules, ctx));
  const lambda = schedule().describe(
    'The λ blend schedule (Quant-Trim only), as @quant-trim/schedulers JSON `{ type, ...params }`. A `quantTrimCurriculum` may omit `totalSteps` (it is set to epochs × batches per epoch at run time) unless its unit is "steps". ' +
      'Default: the Quant-Trim curriculum (warm-up 0.10, quartic ramp to 0.25 at 0.50, quadratic ramp to 1 at 0.85).',
  );

  const pMaxError = 'expected a number in (0, 0.2]';
  const trim = z
    .strictObject(
      {
        pMax: z
          .number({ error: pMaxError })
          .gt(0, { error: pMaxError })
          .lte(0.2, { error: pMaxError })
          .default(CONFIG_DEFAULTS.trim.pMax)
          .describe('p_max, the largest share of weights trimmed per group (p_t = p_max · λ_t). Default 0.005.'),
        refreshEvery: int(1, 'Steps between trim-mask refreshes. Default 100.').default(CONFIG_DEFAULTS.trim.refreshEvery),
        enabled: z
          .boolean({ error: 'expected a boolean' })
          .default(CONFIG_DEFAULTS.trim.enabled)
          .describe('Reverse pruning during Quant-Trim training. Default true.'),
        strength: schedule()
          .optional()
          .describe(
            'Trimming strength s_t over training (p_t = p_max · s_t), as @quant-trim/schedulers JSON; a quantTrimCurriculum may omit totalSteps. Default: follow λ_t.',
          ),
      },
      { error: 'expected an object { pMax?, refreshEvery?, enabled?, strength? }' },
    )
    .describe('Reverse pruning (Quant-Trim only).');

  const shareError = 'expected a number in (0, 0.5)';
  const freezeError = 'expected false or a fraction of training in [0, 1]';
  const activationTrim = z
    .strictObject(
      {
        enabled: z
          .boolean({ error: 'expected a boolean' })
          .default(CONFIG_DEFAULTS.activationTrim.enabled)
          .describe(`Activation tail trimming during quant-trim training. Default ${CONFIG_DEFAULTS.activationTrim.enabled}.`),
        pMax: z
          .number({ error: shareError })
          .gt(0, { error: shareError })
          .lt(0.5, { error: shareError })
          .default(CONFIG_DEFAULTS.activationTrim.pMax)
          .describe('Share of each activation tail clamped at full strength (p_t = pMax · λ_t). Default 0.005.'),
        momentum: z
          .number({ error: 'expected a number in [0, 1)' })
          .min(0, { error: 'expected a number in [0, 1)' })
          .lt(1, { error: 'expected a number in [0, 1)' })
          .default(CONFIG_DEFAULTS.activationTrim.momentum)
          .describe('EMA weight of the running quantile. Default 0.9.'),
        refreshEvery: int(1, 'Steps between quantile estimates. Default 4.').default(CONFIG_DEFAULTS.activationTrim.refreshEvery),
        deploy: z
          .boolean({ error: 'expected a boolean' })
          .default(CONFIG_DEFAULTS.activationTrim.deploy)
          .describe('Keep the clamp in the deployed float model (a Clip in the ONNX file), so every backend calibrates the bounded tensor. Default true.'),
      },
      { error: 'expected an object { enabled?, pMax?, momentum?, refreshEvery?, deploy? }' },
    )
    .describe(
      'Activation tail trimming (method quant-trim, beyond the paper): each quantized activation is clamped at a running high quantile whose share rises with λ.',
    );
  const calibratorNames = schemes.calibratorNames();
  const randomCalibration = z
    .strictObject(
      {
        enabled: z
          .boolean({ error: 'expected a boolean' })
          .default(CONFIG_DEFAULTS.randomCalibration.enabled)
          .describe(`Calibrator randomisation during quant-trim training. Default ${CONFIG_DEFAULTS.randomCalibration.enabled}.`),
        calibrators: z
          .array(
            z.string({ error: 'expected a calibrator name' }).superRefine((name, ctx) => {
              if (!calibratorNames.includes(name))
                ctx.addIssue({ code: 'custom', message: `unknown calibrator ${JSON.stringify(name)}; registered: ${calibratorNames.join(', ')}`, input: name });
            }),
            { error: 'expected an array of calibrator names' },
          )
          .min(1, { error: 'expected at least one calibrator' })
          .superRefine(uniqueItems)
          .default(() => [...CONFIG_DEFAULTS.randomCalibration.calibrators])
          .describe('The calibrators sampled from (quant-grid names; "percentile" means the 99.99th). Default minmax, percentile, entropy, mse, sqnr.'),
        refreshEvery: int(1, 'Steps between calibrator-range refreshes (a new running histogram starts each time). Default 200.').default(
          CONFIG_DEFAULTS.randomCalibration.refreshEvery,
        ),
      },
      { error: 'expected an object { enabled?, calibrators?, refreshEvery? }' },
    )
    .describe(
      'Calibrator randomisation (method quant-trim, beyond the paper): each step an activation quantizer takes its range from one calibrator of the set, on a running histogram.',
    );

  const blankSuppression = z
    .strictObject(
      {
        enabled: z
          .boolean({ error: 'expected a boolean' })
          .default(CONFIG_DEFAULTS.blankSuppression.enabled)
          .describe(`Blank-response suppression during quant-trim training. Default ${CONFIG_DEFAULTS.blankSuppression.enabled}.`),
        weight: z
          .number({ error: 'expected a number > 0' })
          .gt(0, { error: 'expected a number > 0' })
          .default(CONFIG_DEFAULTS.blankSuppression.weight)
          .describe('Weight of the penalty (sum over spatial activation tensors of the mean |response| to the blank input). Default 1.'),
        value: z
          .union([z.number(), z.array(z.number()).min(1)], { error: 'expected a number or an array of numbers (one per input channel)' })
          .default(CONFIG_DEFAULTS.blankSuppression.value)
          .describe('The blank input after preprocessing: one value, or one per input channel. Default 0 (an empty image in [0, 1] pixels).'),
        mode: z
          .enum(['decoupled', 'loss'], { error: 'expected "decoupled" or "loss"' })
          .default(CONFIG_DEFAULTS.blankSuppression.mode)
          .describe(
            'decoupled (default): a plain gradient step of size stepSize on the penalty after each optimizer step (reaches exactly 0 at any learning rate; Adam moves a bias by about the learning rate per step, too little through the loss, above all when fine-tuning); loss: the penalty joins the training loss.',
          ),
        stepSize: z
          .number({ error: 'expected a number > 0' })
          .gt(0, { error: 'expected a number > 0' })
          .default(CONFIG_DEFAULTS.blankSuppression.stepSize)
          .describe('Decoupled mode: size of the penalty step. Default 0.5.'),
      },
      { error: 'expected an object { enabled?, weight?, value?, mode?, stepSize? }' },
    )
    .describe(
      'Blank-response suppression (method quant-trim, beyond the paper): a penalty that trains every spatial activation to answer a blank input with exactly 0, so constant image regions put no point masses into the histograms that calibrators (TensorRT entropy above all) fit.',
    );

  const profileIds = backends.ids();
  const profile = z
    .string({ error: 'expected a backend profile id' })
    .superRefine((id, ctx) => {
      if (!backends.has(id))
        ctx.addIssue({ code: 'custom', message: `unknown backend profile ${JSON.stringify(id)}; registered: ${backends.ids().join(', ')}`, input: id });
    })
    .meta({ examples: profileIds });

  const metric = z
    .string({ error: 'expected a metric id' })
    .superRefine((id, ctx) => {
      if (!metricRegistry.has(id))
        ctx.addIssue({ code: 'custom', message: `unknown metric ${JSON.stringify(id)}; registered: ${metricRegistry.ids().join(', ')}`, input: id });
    })
    .meta({ examples: metricRegistry.ids() });

  const sizeError = 'expected a positive integer or [height, width]';
  const size = z.int({ error: sizeError }).min(1, { error: sizeError });
  const sizeOrPair = z.union([size, z.tuple([size, size], { error: sizeError })], { error: sizeError });
  const layout = (description: string) => z.enum(['NCHW', 'NHWC'], { error: 'expected "NCHW" or "NHWC"' }).describe(description);
  const perChannel = (positive: boolean) => {
    const error = positive ? 'expected 1 or 3 numbers > 0' : 'expected 1 or 3 numbers';
    const value = positive ? z.number({ error }).gt(0, { error }) : z.number({ error });
    return z
      .array(value, { error })
      .min(1, { error })
      .max(3, { error })
      .refine((v) => v.length !== 2, { error });
  };
  const preprocess = z
    .strictObject(
      {
        resize: sizeOrPair
          .optional()
          .describe(
            'Resize (bilinear, antialiased when shrinking): a number sets the shorter side (aspect ratio kept, as torchvision Resize(n)); [height, width] sets both. Default: none (every sample must then have the same size).',
          ),
        centerCrop: sizeOrPair.optional().describe('Cut the central n×n or [height, width] region after resize (as torchvision CenterCrop). Default: none.'),
        scale: z
          .number({ error: 'expected a non-zero number' })
          .refine((v) => v !== 0, { error: 'expected a non-zero number' })
          .optional()
          .describe(
            'Multiplier of the raw values. Default 1/255 for PNG / JPEG and integer arrays, 1 for float arrays and for mnist / fashion-mnist / synthetic / IDX / CSV (already in [0, 1]).',
          ),
        mean: perChannel(false).optional().describe('Per-channel mean subtracted after scale: 1 value or 3 (RGB), e.g. [0.485, 0.456, 0.406]. Default: none.'),
        std: perChannel(true)
          .optional()
          .describe('Per-channel standard deviation divided by after mean: 1 value or 3, e.g. [0.229, 0.224, 0.225]. Default: none.'),
        channels: z
          .union([z.literal(1, { error: 'expected 1 or 3' }), z.literal(3, { error: 'expected 1 or 3' })], { error: 'expected 1 or 3' })
          .optional()
          .describe(
            "1 (gray, ITU-R 601 luma) or 3 (RGB; gray is copied to 3 channels). Default: 3 when mean / std has 3 values, else the source's (an image folder is 1 only when every image is gray).",
          ),
        layout: layout(
          'The layout eval feeds the ONNX model: "NCHW" (PyTorch) or "NHWC". Default: read from the model\'s declared input shape. Training always uses NHWC.',
        ).optional(),
      },
      { error: 'expected an object { resize?, centerCrop?, scale?, mean?, std?, channels?, layout? }' },
    )
    .describe(
      'How samples become model inputs, in this order: channels, resize, centerCrop, scale, mean / std (as torchvision Resize → CenterCrop → ToTensor → Normalize).',
    );
  const key = (description: string) =>
    z.string({ error: 'expected an array name' }).min(1, { error: 'expected an array name' }).optional().describe(description);
  const arrays = z
    .strictObject(
      {
        x: key('Samples array (N×H×W, N×H×W×C or N×C×H×W). Default: x_train when present, else the first of x, images, data, X.'),
        y: key('Labels array (N class indices in 0–255). Default: y_train with x_train, else the first of y, labels, targets, Y; none → no labels.'),
        xTest: key('Test samples array, for archives with their own split. Default: x_test with x_train.'),
        yTest: key('Test labels array. Default: y_test with x_train.'),
        layout: layout('Axis order of 4-D sample arrays. Default: NCHW when the second axis is 1 or 3 and the last is not, else NHWC.').optional(),
      },
      { error: 'expected an object { x?, y?, xTest?, yTest?, layout? }' },
    )
    .describe('Array names in an .npz archive or a directory of <name>.npy files.');

  const methodError = `expected one of ${quoted(METHODS)}`;
  const runtimeError = `expected one of ${quoted(RUNTIMES)}`;

  return z
    .strictObject({
      $schema: z
        .string({ error: 'expected a string' })
        .describe(
          'The JSON Schema of this file, for editors: the committed schema by a path relative to this file, e.g. "./node_modules/@quant-trim/cli/schema/quant-trim.config.schema.json" (or "./apps/cli/schema/quant-trim.config.schema.json" at the root of the quant-trim repository).',
        )
        .optional(),
      seed: z
        .int({ error: 'expected an integer' })
        .default(CONFIG_DEFAULTS.seed)
        .describe('Seed of data shuffling, initialisers and synthetic data. Default 0.'),
      seeds: int(
        1,
        'compare / demo: train and evaluate every method once per seed, seed + 0 … seed + (seeds − 1), and report across-seed means with 95 % bootstrap intervals. Default 3 (demo: 1).',
      ).default(CONFIG_DEFAULTS.seeds),
      bootstrapResamples: int(100, 'compare / demo: bootstrap resamples (over seeds and test images) behind every interval and verdict. Default 1000.').default(
        CONFIG_DEFAULTS.bootstrapResamples,
      ),
      dataset: z
        .string({ error: 'expected a dataset name or path' })
        .min(1, { error: 'expected a dataset name or path' })
        .default(CONFIG_DEFAULTS.dataset)
        .describe(
          '"mnist", "fashion-mnist", "synthetic", or a path (relative to the working directory): IDX / CSV files, an image folder (<root>/<class>/<image>.png|jpg, optionally under train/ and test/), an .npz archive, a .npy file or a directory of .npy files. Default "mnist".',
        )
        .meta({ examples: [...BUILTIN_DATASETS] }),
      trainLimit: int(1, 'Keep at most this many training samples. Default: all.').optional(),
      testLimit: int(1, 'Keep at most this many test samples. Default: all.').optional(),
      preprocess: preprocess.optional(),
      arrays: arrays.optional(),
      labels: z
        .enum(LABEL_SOURCES, { error: `expected one of ${quoted(LABEL_SOURCES)}` })
        .default(CONFIG_DEFAULTS.labels)
        .describe(
          'eval: what the test predictions are scored against. "dataset": its labels (accuracy). "float": the float model\'s top-1 predictions (agreement, not accuracy; for data without labels). Default "dataset".',
        ),
      model: z
        .string({ error: 'expected a model name or a path to a model .json or .onnx' })
        .refine((m) => (BUILTIN_MODELS as readonly string[]).includes(m) || m.endsWith('.json') || /\.onnx$/i.test(m), {
          error: `expected one of ${quoted(BUILTIN_MODELS)} or a path ending in .json or .onnx`,
        })
        .default(CONFIG_DEFAULTS.model)
        .describe(
          '"mlp", "cnn", "dscnn", "resnet-tiny", a path to a tfjs model.json, or a path to an ONNX classifier (.onnx) to fine-tune from its pretrained weights. Default "cnn".',
        )
        .meta({ anyOf: [{ enum: [...BUILTIN_MODELS] }, { pattern: '\\.json$' }, { pattern: '\\.[oO][nN][nN][xX]$' }] }),
      methods: z
        .array(z.enum(METHODS, { error: methodError }), { error: 'expected an array of methods' })
        .min(1, { error: 'expected at least one method' })
        .superRefine(uniqueItems)
        .default(CONFIG_DEFAULTS.methods)
        .describe(
          'Training methods to run, in order: "fp", "qat", "quant-trim" (the curriculum, reverse pruning and the mechanisms enabled below), "quant-trim-paper" (the paper\'s recipe only). Default ["fp", "qat", "quant-trim"].',
        )
        .meta({ uniqueItems: true }),
      scheme: z
        .union([schemeName, schemeObject], { error: 'expected a scheme name or an object { weights?, activations?, layers? }' })
        .default(CONFIG_DEFAULTS.scheme)
        .describe(
          `Quantization grid (a @quant-trim/quant-grid preset): a weight preset name, or { weights, activations, layers } for per-tensor and per-layer presets. Default "${CONFIG_DEFAULTS.scheme}" for weights, "${CONFIG_DEFAULTS.activations}" for activations.`,
        ),
      epochs: int(1, 'Training epochs per method. Default 3.').default(CONFIG_DEFAULTS.epochs),
      batchSize: int(1, 'Training batch size. Default 64.').default(CONFIG_DEFAULTS.batchSize),
      lr: z
        .number({ error: 'expected a number > 0' })
        .gt(0, { error: 'expected a number > 0' })
        .default(CONFIG_DEFAULTS.lr)
        .describe('Learning rate (Adam). Default 0.003; 0.001 for an imported .onnx model (fine-tuning pretrained weights).'),
      freezeBatchNorm: z
        .union([z.literal(false, { error: freezeError }), z.number({ error: freezeError }).min(0, { error: freezeError }).max(1, { error: freezeError })], {
          error: freezeError,
        })
        .default(CONFIG_DEFAULTS.freezeBatchNorm)
        .describe(
          'QAT / Quant-Trim: freeze BatchNorm statistics (normalise with the moving statistics) from this fraction of training on, or false to keep batch statistics until the end. For fine-tunes whose learning rate is small by then; at a constant learning rate freezing costs float accuracy. Default false.',
        ),
      lambda: lambda.default(() => ({ ...CONFIG_DEFAULTS.lambda })),
      trim: trim.prefault({}),
      activationTrim: activationTrim.prefault({}),
      randomCalibration: randomCalibration.prefault({}),
      blankSuppression: blankSuppression.prefault({}),
      profiles: z
        .array(profile, { error: 'expected an array of backend profile ids' })
        .min(1, { error: 'expected at least one profile' })
        .superRefine(uniqueItems)
        .default(() => backends.ids())
        .describe('Backend profiles to evaluate on (see `quant-trim profiles`). Default: every registered profile.')
        .meta({ uniqueItems: true }),
      calibrationSamples: int(1, `Training samples used to calibrate activation ranges per profile. Default ${CONFIG_DEFAULTS.calibrationSamples}.`).default(
        CONFIG_DEFAULTS.calibrationSamples,
      ),
      workers: int(
        1,
        'Worker threads: data-parallel training replicas (results equal one thread up to float summation order, deterministic for a given count) and profile evaluation in parallel (results identical to one thread). Default: the core count for runs large enough to repay starting the workers (training: samples × epochs ≥ 100,000; evaluation: test samples × profiles × max(1, MMACs per sample) ≥ 20,000), else the main thread; 1 trains and evaluates on the main thread only.',
      ).optional(),
      metrics: z
        .array(metric, { error: 'expected an array of metric ids' })
        .superRefine(uniqueItems)
        .default(() => [...CONFIG_DEFAULTS.metrics])
        .describe(
          'eval: task metrics scored for the float model and every profile (value and drop), besides accuracy and per-output fidelity: "top5" (top-5 accuracy), "miou" (segmentation mean IoU over the per-pixel argmax of the first output, against `targets` label maps), "mse" (mean squared error against `targets`), or a defineMetric plugin registered on the defaultMetricRegistry of @quant-trim/backend-eval before the config is parsed. Default [].',
        )
        .meta({ uniqueItems: true }),
      runtimes: z
        .array(z.enum(RUNTIMES, { error: runtimeError }), { error: 'expected an array of runtimes' })
        .superRefine(uniqueItems)
        .default(CONFIG_DEFAULTS.runtimes)
        .describe('Real runtimes that run each compiled model; [] for the integer simulator only. Default ["onnxruntime-node", "onnxruntime-web"].')
        .meta({ uniqueItems: true }),
      latency: z
        .boolean({ error: 'expected a boolean' })
        .default(CONFIG_DEFAULTS.latency)
        .describe('Measure latency on the real runtimes (slow). Default false.'),
      out: z
        .string({ error: 'expected a directory path' })
        .min(1, { error: 'expected a directory path' })
        .default(CONFIG_DEFAULTS.out)
        .describe('Output directory (relative to the working directory). Default "quant-trim-out".'),
    })
    .describe('Configuration of the quant-trim CLI. Precedence: command-line flags > this file > defaults.');
}

/** The config schema validated against the default registries. */
export const configSchema = createConfigSchema();

/** A parsed config: every field with a default is filled in. */
export type Config = z.output<typeof configSchema>;
/** What a user may write in `quant-trim.config.json`. */
export type ConfigInput = z.input<typeof configSchema>;
