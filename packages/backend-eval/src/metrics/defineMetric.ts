import { QuantTrimError } from '@quant-trim/errors';
import { NamedRegistry, type RegisterOptions } from '@quant-trim/internal';
import type { OutputValues } from './fidelity.js';

/** What a task metric reads: one model's outputs over the evaluation samples (the float model, or one profile's emulated model). */
export interface MetricInput {
  /** Every output of the model, in graph order (integer outputs as float32 values). */
  readonly outputs: readonly OutputValues[];
  /** Samples evaluated (the batch axis of every output). */
  readonly samples: number;
  /** `data.targets` of the evaluation (else `data.labels`), when given: class indices, label maps, regression targets. */
  readonly targets?: ArrayLike<number>;
}

/** A task metric as written by its author (`defineMetric` validates and freezes it). */
export interface MetricDefinition {
  /** Lower-case kebab-case id (`miou`, `top5`, `box-map`): the name `evaluate({ metrics })` and `--metric` use. */
  readonly id: string;
  /** Display name ("mean IoU"). */
  readonly name: string;
  /** Whether a larger value is better (accuracy, mIoU) or worse (an error). Sets the sign of `drop`. */
  readonly higherIsBetter: boolean;
  readonly description?: string;
  /** Whether `compute` needs `targets`: `evaluate` refuses a run without them up front. Default true. */
  readonly needsTargets?: boolean;
  /** The metric's value; must return a finite number (throw a `QuantTrimError` for bad data). */
  compute(input: MetricInput): number;
}

/** A validated, frozen metric from `defineMetric`. */
export interface Metric extends MetricDefinition {
  readonly needsTargets: boolean;
}

const METRIC_FIELDS = ['id', 'name', 'higherIsBetter', 'description', 'needsTargets', 'compute'] as const;
const ID = /^[a-z0-9]+(?:-[a-z0-9]+)*$/;
const validated = new WeakSet<object>();

function invalidPlugin(path: string, message: string): QuantTrimError {
  return new QuantTrimError({ code: 'QT_INVALID_PLUGIN', message: `${path}: ${message}`, details: { field: path } });
}

const show = (v: unknown): string => (typeof v === 'function' ? 'a function' : (JSON.stringify(v) ?? String(v)));

/**
 * Defines a task metric: validates every field (`QT_INVALID_PLUGIN` naming the dotted path, e.g.
 * `metrics.miou.higherIsBetter: expected a boolean, got "yes"`) and returns a frozen copy. It never
 * registers anything; pass the result to `evaluate({ metrics: [metric] })` or `registry.register(metric)`.
 *
 * @example
 * const meanOutput = defineMetric({
 *   id: 'mean-output', name: 'mean of the first output', higherIsBetter: true, needsTargets: false,
 *   compute: ({ outputs }) => outputs[0]!.data.reduce((a, v) => a + v, 0) / outputs[0]!.data.length,
 * });
 */
export function defineMetric<const T extends MetricDefinition>(definition: T): Metric & { readonly id: T['id'] } {
  if (typeof definition !== 'object' || definition === null || Array.isArray(definition))
    throw invalidPlugin('metric', `expected an object, got ${show(definition)}`);
  const d = definition as unknown as Record<string, unknown>;
  const path = typeof d['id'] === 'string' && d['id'] !== '' ? `metrics.${d['id']}` : 'metric';
  for (const key of Object.keys(d)) {
    if (!(METRIC_FIELDS as readonly string[]).includes(key))
      throw invalidPlugin(`${path}.${key}`, `unknown field; expected one of ${METRIC_FIELDS.join(', ')}`);
  }
  if (typeof d['id'] !== 'string' || !ID.test(d['id']))
    throw invalidPlugin(`${path}.id`, `expected a lower-case kebab-case id matching ${ID}, got ${show(d['id'])}`);
  if (typeof d['name'] !== 'string' || d['name'].trim() === '') throw invalidPlugin(`${path}.name`, `expected a non-empty string, got ${show(d['name'])}`);
  if (typeof d['higherIsBetter'] !== 'boolean') throw invalidPlugin(`${path}.higherIsBetter`, `expected a boolean, got ${show(d['higherIsBetter'])}`);
  if (d['description'] !== undefined && typeof d['description'] !== 'string')
    throw invalidPlugin(`${path}.description`, `expected a string, got ${show(d['description'])}`);
  if (d['needsTargets'] !== undefined && typeof d['needsTargets'] !== 'boolean')
    throw invalidPlugin(`${path}.needsTargets`, `expected a boolean, got ${show(d['needsTargets'])}`);
  if (typeof d['compute'] !== 'function') throw invalidPlugin(`${path}.compute`, `expected a function (input) => number, got ${show(d['compute'])}`);
  const metric: Metric = Object.freeze({
    id: d['id'],
    name: d['name'],
    higherIsBetter: d['higherIsBetter'],
    ...(d['description'] !== undefined ? { description: d['description'] as string } : {}),
    needsTargets: (d['needsTargets'] as boolean | undefined) ?? true,
    compute: d['compute'] as Metric['compute'],
  });
  validated.add(metric);
  return metric as Metric & { readonly id: T['id'] };
}

/** Whether `value` came from `defineMetric`. */
export function isValidatedMetric(value: unknown): value is Metric {
  return typeof value === 'object' && value !== null && validated.has(value);
}

/**
 * Runs `metric` on `input` and checks its result: a non-number or non-finite value is
 * `QT_INVALID_PLUGIN` naming the metric; errors it throws pass through.
 */
export function computeMetric(metric: Metric, input: MetricInput): number {
  const value = metric.compute(input);
  if (typeof value !== 'number' || !Number.isFinite(value)) {
    throw new QuantTrimError({
      code: 'QT_INVALID_PLUGIN',
      message: `metric "${metric.id}" returned ${show(value)}; compute must return a finite number`,
      details: { metric: metric.id },
    });
  }
  return value;
}

/** Task metrics by id, with the shared duplicate rules of every Quant-Trim registry. */
export interface MetricRegistry {
  /** Adds a metric from `defineMetric`. The same object twice does nothing; a different one under a taken id throws `QT_DUPLICATE_NAME` unless `{ override: true }`. */
  register(metric: Metric, options?: RegisterOptions): Metric;
  /** Throws `QT_UNKNOWN_METRIC` (listing the registered ids) when nothing is registered under `id`. */
  get(id: string): Metric;
  has(id: string): boolean;
  /** Registered ids, sorted. */
  ids(): string[];
  values(): Metric[];
}

interface Entry {
  readonly name: string;
  readonly metric: Metric;
}
const entries = new WeakMap<Metric, Entry>();
function entryFor(metric: Metric): Entry {
  let entry = entries.get(metric);
  if (entry === undefined) {
    entry = Object.freeze({ name: metric.id, metric });
    entries.set(metric, entry);
  }
  return entry;
}

/**
 * A new metric registry; it starts with `builtins` (pass `builtinMetrics`, or nothing for an
 * empty one).
 */
export function createMetricRegistry(builtins: Readonly<Record<string, Metric>> = {}): MetricRegistry {
  const metrics = new NamedRegistry<Entry>('metric', 'QT_UNKNOWN_METRIC');
  const registry: MetricRegistry = {
    register(metric, options) {
      if (!isValidatedMetric(metric)) {
        throw new QuantTrimError({
          code: 'QT_INVALID_PLUGIN',
          message: `register metric "${String((metric as { id?: unknown } | null)?.id)}": pass it through defineMetric() first, which validates and freezes it`,
        });
      }
      metrics.register(entryFor(metric), options);
      return metric;
    },
    get: (id) => metrics.get(id).metric,
    has: (id) => metrics.has(id),
    ids: () => metrics.names(),
    values: () => metrics.values().map((e) => e.metric),
  };
  for (const m of Object.values(builtins)) registry.register(m);
  return registry;
}
