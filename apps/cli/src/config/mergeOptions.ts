import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { QuantTrimError } from '@quant-trim/errors';
import { dottedPath, toProblems } from './issues.js';
import { configSchema, type Config } from './schema.js';

/**
 * Command-line flags that override config fields, as cac parses them (camelCased; numbers may
 * arrive as strings; lists as `a,b` or repeated flags). Other keys (`json`, `verbose`, …) are ignored.
 */
export interface ConfigFlags {
  readonly seed?: number | string;
  /** `--seeds <n>` (compare / demo). */
  readonly seeds?: number | string;
  /** `--bootstrap-resamples <n>` (compare / demo). */
  readonly bootstrapResamples?: number | string;
  readonly dataset?: string | number;
  /** `--labels <dataset|float>` (eval): score against the labels, or agreement with the float model. */
  readonly labels?: string;
  readonly trainLimit?: number | string;
  readonly testLimit?: number | string;
  readonly model?: string;
  readonly methods?: string | readonly string[];
  /** `--scheme <preset>`: the weight preset (keeps a config's per-layer patterns and activations). */
  readonly scheme?: string;
  /** `--activations <preset>`: the activation preset. */
  readonly activations?: string;
  readonly epochs?: number | string;
  readonly batchSize?: number | string;
  readonly lr?: number | string;
  /** `--p-max <p>` → `trim.pMax`. */
  readonly pMax?: number | string;
  /** `--refresh-every <k>` → `trim.refreshEvery`. */
  readonly refreshEvery?: number | string;
  /** `--no-trim` → `trim.enabled: false`. `true` is ignored: cac sets it by default for a `--no-*` flag. */
  readonly trim?: boolean;
  readonly profiles?: string | readonly string[];
  readonly calibrationSamples?: number | string;
  /** `--workers <n>` → `workers`. */
  readonly workers?: number | string;
  /** `--metric <ids>` (eval) → `metrics`: task metrics, comma-separated or repeated. */
  readonly metric?: string | readonly string[];
  readonly runtimes?: string | readonly string[];
  readonly latency?: boolean;
  readonly out?: string | number;
  /** `--activation-trim` / `--no-activation-trim` → `activationTrim.enabled`. */
  readonly activationTrim?: boolean;
  /** `--random-calibration` / `--no-random-calibration` → `randomCalibration.enabled`. */
  readonly randomCalibration?: boolean;
  /** `--blank-suppression` / `--no-blank-suppression` → `blankSuppression.enabled`. */
  readonly blankSuppression?: boolean;
  /** `--randomize-schemes` → `scheme.randomize: true` (the file's sets, else the default ones); `--no-randomize-schemes` → `false`. */
  readonly randomizeSchemes?: boolean;
  /** `--freeze-batch-norm <fraction|off>` → `freezeBatchNorm` (`off` → false). */
  readonly freezeBatchNorm?: number | string;
  /** `--lambda <json | file.json>`: the λ schedule (a @quant-trim/schedulers config). */
  readonly lambda?: string;
  /** `--trim-schedule <json | file.json>` → `trim.strength`: the trimming strength schedule. */
  readonly trimSchedule?: string;
}

type FlagKey = keyof ConfigFlags;

/** Where each flag lands in the config. */
const TARGETS: { readonly [K in FlagKey]-?: readonly string[] } = {
  seed: ['seed'],
  seeds: ['seeds'],
  bootstrapResamples: ['bootstrapResamples'],
  dataset: ['dataset'],
  labels: ['labels'],
  trainLimit: ['trainLimit'],
  testLimit: ['testLimit'],
  model: ['model'],
  methods: ['methods'],
  scheme: ['scheme', 'weights'],
  activations: ['scheme', 'activations'],
  epochs: ['epochs'],
  batchSize: ['batchSize'],
  lr: ['lr'],
  pMax: ['trim', 'pMax'],
  refreshEvery: ['trim', 'refreshEvery'],
  trim: ['trim', 'enabled'],
  profiles: ['profiles'],
  calibrationSamples: ['calibrationSamples'],
  workers: ['workers'],
  metric: ['metrics'],
  runtimes: ['runtimes'],
  latency: ['latency'],
  out: ['out'],
  lambda: ['lambda'],
  freezeBatchNorm: ['freezeBatchNorm'],
  trimSchedule: ['trim', 'strength'],
  activationTrim: ['activationTrim', 'enabled'],
  randomCalibration: ['randomCalibration', 'enabled'],
  blankSuppression: ['blankSuppression', 'enabled'],
  randomizeSchemes: ['scheme', 'randomize'],
};
/** Config sections a flag sets one field of (the others keep the file's values). */
const SECTIONS = new Set(['trim', 'activationTrim', 'randomCalibration', 'blankSuppression']);
const NUMBERS = new Set<FlagKey>([
  'seed',
  'seeds',
  'bootstrapResamples',
  'trainLimit',
  'testLimit',
  'epochs',
  'batchSize',
  'lr',
  'pMax',
  'refreshEvery',
  'calibrationSamples',
  'workers',
  'freezeBatchNorm',
]);
const LISTS = new Set<FlagKey>(['methods', 'profiles', 'runtimes', 'metric']);
const STRINGS = new Set<FlagKey>(['dataset', 'labels', 'model', 'scheme', 'activations', 'out']);

/** `trainLimit` → `--train-limit`; `trim` → `--no-trim`. */
export function flagName(key: FlagKey): string {
  return key === 'trim' ? '--no-trim' : `--${key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`;
}

/**
 * Applies command-line flags over a parsed config. Precedence: **flags > config file > defaults**
 * (the config already holds its defaults, so any flag given wins). Flag values are validated with
 * the same schema as the file; a bad one throws `QT_INVALID_ARGUMENT` naming the flag
 * (`--epochs: expected an integer ≥ 1, got 0`).
 *
 * @example
 * const { config } = await loadConfig(flags.config, cwd);
 * const options = mergeOptions(config, flags); // `--epochs 1` beats `"epochs": 5`
 */
export function mergeOptions(config: Config, cliFlags: ConfigFlags): Config {
  const given = (Object.keys(TARGETS) as FlagKey[]).filter((key) => cliFlags[key] !== undefined && !(key === 'trim' && cliFlags.trim !== false));
  if (given.length === 0) return config;

  const input: Record<string, Record<string, unknown> | unknown> = {};
  for (const key of given) {
    const [head, leaf] = TARGETS[key] as [string, string | undefined];
    const value = normalise(key, cliFlags[key]);
    if (leaf === undefined) input[head] = value;
    else input[head] = { ...(input[head] as Record<string, unknown> | undefined), [leaf]: value };
  }

  const result = configSchema.safeParse(input, { reportInput: true });
  if (!result.success) {
    const errors = toProblems(result.error.issues).map((problem) => {
      const key = given.find((k) => TARGETS[k].every((segment, i) => problem.path[i] === segment)) ?? given.find((k) => TARGETS[k][0] === problem.path[0]);
      const dotted = dottedPath(problem.path);
      const rest = problem.message.startsWith(`${dotted}: `) ? problem.message.slice(dotted.length + 2) : problem.message;
      return key ? `${flagName(key)}: ${rest}` : problem.message;
    });
    throw new QuantTrimError({
      code: 'QT_INVALID_ARGUMENT',
      message: errors.join('\n'),
      details: { errors, hint: 'run with --help for the accepted values; flags override quant-trim.config.json' },
    });
  }

  const parsed = result.data;
  const merged: Record<string, unknown> = { ...config };
  for (const key of given) {
    const [head] = TARGETS[key] as [keyof Config];
    if (SECTIONS.has(head) || head === 'scheme') continue;
    merged[head] = parsed[head];
  }
  for (const section of SECTIONS) {
    if (!given.some((key) => TARGETS[key][0] === section)) continue;
    const flags = (input[section] ?? {}) as Record<string, unknown>;
    const value = parsed[section as keyof Config] as Record<string, unknown>;
    merged[section] = { ...(config[section as keyof Config] as Record<string, unknown>), ...Object.fromEntries(Object.keys(flags).map((k) => [k, value[k]])) };
  }
  if (cliFlags.scheme !== undefined || cliFlags.activations !== undefined || cliFlags.randomizeSchemes !== undefined) {
    merged['scheme'] = mergeScheme(config.scheme, cliFlags.scheme, cliFlags.activations, cliFlags.randomizeSchemes);
  }
  return merged as Config;
}

function mergeScheme(scheme: Config['scheme'], weights: string | undefined, activations: string | undefined, randomize: boolean | undefined): Config['scheme'] {
  if (typeof scheme === 'string') {
    if (activations === undefined && randomize === undefined) return weights ?? scheme;
    return { weights: weights ?? scheme, ...(activations !== undefined ? { activations } : {}), ...(randomize !== undefined ? { randomize } : {}) };
  }
  // --randomize-schemes keeps the file's own sets when it has some.
  const keepSets = randomize === true && typeof scheme.randomize === 'object';
  return {
    ...scheme,
    ...(weights !== undefined ? { weights } : {}),
    ...(activations !== undefined ? { activations } : {}),
    ...(randomize !== undefined && !keepSets ? { randomize } : {}),
  };
}

/** `--lambda` / `--trim-schedule`: inline JSON, or a path to a JSON file (relative to the working directory). */
function scheduleFlag(flag: string, value: unknown): unknown {
  const text = String(value).trim();
  let source = text;
  if (!text.startsWith('{')) {
    try {
      source = readFileSync(resolve(text), 'utf8');
    } catch (e) {
      throw new QuantTrimError({
        code: 'QT_INVALID_ARGUMENT',
        message: `${flag}: expected a JSON schedule or a path to one, cannot read ${resolve(text)} (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`,
      });
    }
  }
  try {
    return JSON.parse(source) as unknown;
  } catch (e) {
    throw new QuantTrimError({ code: 'QT_INVALID_ARGUMENT', message: `${flag}: invalid JSON (${(e as Error).message})` });
  }
}

function normalise(key: FlagKey, value: unknown): unknown {
  if (key === 'lambda' || key === 'trimSchedule') return scheduleFlag(flagName(key), value);
  // `--freeze-batch-norm off`: false; a fraction goes through the number rule below.
  if (key === 'freezeBatchNorm' && value === 'off') return false;
  if (NUMBERS.has(key) && typeof value === 'string' && value.trim() !== '' && Number.isFinite(Number(value))) return Number(value);
  if (STRINGS.has(key) && typeof value === 'number') return String(value);
  if (LISTS.has(key)) {
    const items = (Array.isArray(value) ? value : [value]).flatMap((item) => String(item).split(','));
    // `--runtimes none`: an empty list.
    return items.map((item) => item.trim()).filter((item) => item.length > 0 && item !== 'none');
  }
  return value;
}
