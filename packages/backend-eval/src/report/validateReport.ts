import { QuantTrimError } from '@quant-trim/errors';
import type { NodeCoverage, NodeNumerics } from '../compile/compileForBackend.js';
import type { ComparisonMetrics } from '../metrics/classificationMetrics.js';
import {
  REPORT_SCHEMA_ID,
  type CostEstimate,
  type CoverageSummary,
  type EvaluationReport,
  type ExecutionMode,
  type LatencyStats,
  type LayerSensitivity,
  type MetricScore,
  type ModelReport,
  type OutputFidelity,
  type PlacementEstimate,
  type ProfileResult,
  type RuntimeDisagreement,
  type RuntimeName,
  type RuntimeResult,
  type ScoreResult,
  type SensitivityReport,
  type SourcedValue,
  type TensorRange,
  type TensorSpec,
} from '../evaluate/reportTypes.js';

/*
 * One walker over a small spec. The spec mirrors schema/evaluation-report.schema.json (the tests
 * check that both accept and reject the same reports); its phantom type parameter makes tsc check
 * that every object spec lists exactly the fields of the TypeScript type, optional ones via `opt`.
 */

type Node =
  | { readonly kind: 'string' | 'date-time' | 'boolean' }
  | { readonly kind: 'number'; readonly min: number; readonly max: number; readonly integer: boolean }
  | { readonly kind: 'oneOf'; readonly values: readonly unknown[] }
  | { readonly kind: 'array' | 'record'; readonly items: Node }
  | { readonly kind: 'object'; readonly fields: Readonly<Record<string, Node | Optional<unknown>>> };

/** A spec node that validates values of type `T` (`T` is a compile-time tag only). */
type Spec<T> = Node & { readonly __type?: () => T };
interface Optional<T> {
  readonly kind: 'optional';
  readonly spec: Spec<T>;
}
type Fields<T> = { readonly [K in keyof T]-?: undefined extends T[K] ? Optional<Exclude<T[K], undefined>> : Spec<T[K]> };

const str: Spec<string> = { kind: 'string' };
const dateTime: Spec<string> = { kind: 'date-time' };
const bool: Spec<boolean> = { kind: 'boolean' };
const num = (min = -Infinity, max = Infinity): Spec<number> => ({ kind: 'number', min, max, integer: false });
const int = (min = 0): Spec<number> => ({ kind: 'number', min, max: Infinity, integer: true });
const share = num(0, 1);
const signedShare = num(-1, 1);
const oneOf = <T extends string | number | boolean>(...values: T[]): Spec<T> => ({ kind: 'oneOf', values });
const arr = <E>(items: Spec<E>): Spec<readonly E[]> => ({ kind: 'array', items });
const rec = <V>(items: Spec<V>): Spec<Readonly<Record<string, V>>> => ({ kind: 'record', items });
const opt = <T>(spec: Spec<T>): Optional<T> => ({ kind: 'optional', spec });
const obj = <T>(fields: Fields<T>): Spec<T> => ({ kind: 'object', fields: fields as Readonly<Record<string, Node | Optional<unknown>>> });

const runtimeName = oneOf<RuntimeName>('onnxruntime-node', 'onnxruntime-web');
const mode = oneOf<ExecutionMode>('emulate', 'native');
const latency = obj<LatencyStats>({ batch: int(1), runs: int(1), p50Ms: num(0), p90Ms: num(0) });
const runtimeResult = obj<RuntimeResult>({
  runtime: runtimeName,
  version: str,
  mode,
  threads: int(),
  samples: int(),
  accuracy: opt(share),
  agreementWithEmulation: share,
  maxAbsDiffFromEmulation: num(0),
  latency: arr(latency),
  optimizedOps: opt(rec(int())),
});
const disagreement = obj<RuntimeDisagreement>({
  a: runtimeName,
  b: runtimeName,
  mode,
  samples: int(),
  top1Agreement: share,
  maxAbsDiff: num(0),
  meanAbsDiff: num(0),
});
const sensitivity = obj<SensitivityReport>({
  samples: int(),
  layers: arr(obj<LayerSensitivity>({ node: str, opType: str, outputSqnrDb: num(), isolatedSqnrDb: num(), inputTensor: opt(str), outputTensor: opt(str) })),
  keepFloat: arr(str),
  thresholdDb: num(),
});
const estimate = obj<CostEstimate>({
  device: str,
  macs: obj<CostEstimate['macs']>({ int4: int(), int8: int(), int16: int(), float16: int(), float32: int() }),
  bytesMoved: int(),
  energyMicrojoules: num(0),
  latencyMs: num(0),
  costUsdPerMillion: num(0),
  placement: opt(
    obj<PlacementEstimate>({
      host: opt(str),
      acceleratorMacs: int(),
      fallbackMacs: int(),
      invocations: int(),
      transferBytes: num(0),
      acceleratorMs: num(0),
      hostMs: num(0),
      transferMs: num(0),
      overheadMs: num(0),
    }),
  ),
  assumptions: rec(obj<SourcedValue>({ value: num(), unit: str, source: str })),
});
const coverage = obj<CoverageSummary>({
  integer: int(),
  onAccelerator: opt(int()),
  total: int(),
  macShare: share,
  acceleratorMacShare: opt(share),
  nodes: arr(
    obj<NodeCoverage>({
      node: str,
      opType: str,
      integer: bool,
      onAccelerator: bool,
      numerics: oneOf<NodeNumerics>('integer', 'weight-only', 'float16', 'float32'),
      weightBits: opt(int(1)),
      reason: opt(str),
      transparent: opt(oneOf<true>(true)),
    }),
  ),
});
const metrics = obj<ComparisonMetrics>({
  samples: int(),
  accuracy: opt(share),
  floatAccuracy: opt(share),
  drop: opt(signedShare),
  top1Agreement: share,
  kl: num(),
  logitCosine: num(),
  ece: opt(share),
});
type Defined<T> = Exclude<T, undefined>;
const tensorRange = obj<TensorRange>({
  tensor: str,
  observedMin: num(),
  observedMax: num(),
  clipMin: num(),
  clipMax: num(),
  scale: num(0),
  zeroPoint: num(),
  source: oneOf<TensorRange['source']>('calibrated', 'fixed', 'shared', 'min-range'),
});
const fidelity = obj<OutputFidelity>({ output: str, elements: int(1), sqnrDb: num(-999, 999), cosine: signedShare, maxAbsError: num(0) });
const score = obj<MetricScore>({ metric: str, name: str, higherIsBetter: bool, value: num() });
const scoreResult = obj<ScoreResult>({ metric: str, name: str, higherIsBetter: bool, value: num(), floatValue: num(), drop: num() });
const tensorSpec = obj<TensorSpec>({ name: str, sampleShape: arr(int()) });
const profile = obj<ProfileResult>({
  profile: str,
  name: str,
  vendor: str,
  status: oneOf<ProfileResult['status']>('ok', 'error'),
  error: opt(obj<Defined<ProfileResult['error']>>({ code: str, message: str })),
  metrics: opt(metrics),
  fidelity: opt(arr(fidelity)),
  scores: opt(arr(scoreResult)),
  coverage: opt(coverage),
  approximations: opt(arr(str)),
  calibration: opt(obj<Defined<ProfileResult['calibration']>>({ samples: int(), batches: int(), seconds: num(0), tensors: opt(arr(tensorRange)) })),
  sensitivity: opt(sensitivity),
  predictions: opt(arr(int())),
  runtimes: opt(arr(runtimeResult)),
  disagreement: opt(arr(disagreement)),
  estimate: opt(estimate),
  timing: opt(obj<Defined<ProfileResult['timing']>>({ compileSeconds: num(0), inferenceSeconds: num(0), sensitivitySeconds: num(0), runtimeSeconds: num(0) })),
});
const model = obj<ModelReport>({
  name: str,
  parameters: int(),
  macs: int(),
  inputs: opt(arr(tensorSpec)),
  outputs: opt(arr(tensorSpec)),
  float: obj<ModelReport['float']>({
    accuracy: opt(share),
    scores: opt(arr(score)),
    runtimes: arr(runtimeResult),
    estimate: opt(estimate),
    predictions: opt(arr(int())),
  }),
  profiles: arr(profile),
  acrossProfiles: opt(obj<Defined<ModelReport['acrossProfiles']>>({ meanDrop: signedShare, worstDrop: signedShare, worstProfile: str, spread: share })),
});
const report = obj<EvaluationReport>({
  $schema: oneOf(REPORT_SCHEMA_ID),
  schemaVersion: oneOf<1>(1),
  createdAt: dateTime,
  tool: obj<EvaluationReport['tool']>({ name: oneOf<'@quant-trim/backend-eval'>('@quant-trim/backend-eval'), version: str }),
  environment: obj<EvaluationReport['environment']>({
    node: str,
    platform: str,
    arch: str,
    cpu: str,
    isa: arr(str),
    runtimes: obj<EvaluationReport['environment']['runtimes']>({ 'onnxruntime-node': opt(str), 'onnxruntime-web': opt(str) }),
  }),
  data: obj<EvaluationReport['data']>({ samples: int(), calibrationSamples: int(), classes: int(1), labelled: bool }),
  models: arr(model),
});

/** RFC 3339 date-time (JSON Schema `date-time`): calendar-checked; a second of 60 is accepted at any minute. */
function isDateTime(text: string): boolean {
  const m = /^(\d{4})-(\d\d)-(\d\d)[T\s](\d\d):(\d\d):(\d\d)(?:\.\d+)?(?:Z|[+-](\d\d)(?::?(\d\d))?)$/i.exec(text);
  if (m === null) return false;
  const [year, month, day, hour, minute, second, tzHour = 0, tzMinute = 0] = m.slice(1).map((g) => (g === undefined ? 0 : Number(g)));
  const days = new Date(Date.UTC(year!, month!, 0)).getUTCDate();
  return month! >= 1 && month! <= 12 && day! >= 1 && day! <= days && hour! <= 23 && minute! <= 59 && second! <= 60 && tzHour <= 23 && tzMinute <= 59;
}

function describe(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (Array.isArray(value)) return 'an array';
  if (value !== null && typeof value === 'object') return 'an object';
  const text = JSON.stringify(value);
  return text.length > 40 ? `${text.slice(0, 39)}…"` : text;
}

function fail(path: string, message: string): never {
  throw new QuantTrimError({ code: 'QT_INVALID_ARGUMENT', message: `${path}: ${message}`, details: { path } });
}

function expected(path: string, what: string, value: unknown): never {
  return fail(path, `expected ${what}, got ${describe(value)}`);
}

const member = (path: string, key: string): string => (/^[A-Za-z_$][\w$]*$/.test(key) ? `${path}.${key}` : `${path}[${JSON.stringify(key)}]`);

function isPlainObject(value: unknown): value is Readonly<Record<string, unknown>> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function checkNumber(value: unknown, spec: Extract<Node, { kind: 'number' }>, path: string): void {
  const what = spec.integer ? 'an integer' : 'a number';
  if (typeof value !== 'number' || !Number.isFinite(value) || (spec.integer && !Number.isInteger(value))) expected(path, what, value);
  const range = spec.max === Infinity ? `≥ ${spec.min}` : `in [${spec.min}, ${spec.max}]`;
  if (value < spec.min || value > spec.max) expected(path, `${what} ${range}`, value);
}

function checkObject(value: unknown, fields: Readonly<Record<string, Node | Optional<unknown>>>, path: string): void {
  if (!isPlainObject(value)) return expected(path, 'an object', value);
  for (const [key, field] of Object.entries(fields)) {
    const present = Object.hasOwn(value, key);
    if (field.kind === 'optional') {
      if (present) walk(value[key], field.spec, member(path, key));
    } else if (!present) {
      fail(member(path, key), 'required field is missing');
    } else walk(value[key], field, member(path, key));
  }
  for (const key of Object.keys(value)) if (!Object.hasOwn(fields, key)) fail(member(path, key), 'unknown field');
}

function walk(value: unknown, spec: Node, path: string): void {
  switch (spec.kind) {
    case 'string':
    case 'boolean':
      if (typeof value !== spec.kind) expected(path, `a ${spec.kind}`, value);
      return;
    case 'date-time':
      if (typeof value !== 'string' || !isDateTime(value)) expected(path, 'an RFC 3339 date-time string', value);
      return;
    case 'number':
      return checkNumber(value, spec, path);
    case 'oneOf':
      if (!spec.values.includes(value)) expected(path, spec.values.map((v) => JSON.stringify(v)).join(' or '), value);
      return;
    case 'array':
      if (!Array.isArray(value)) return expected(path, 'an array', value);
      return value.forEach((item: unknown, i) => walk(item, spec.items, `${path}[${i}]`));
    case 'record':
      if (!isPlainObject(value)) return expected(path, 'an object', value);
      for (const [key, item] of Object.entries(value)) walk(item, spec.items, member(path, key));
      return;
    case 'object':
      return checkObject(value, spec.fields, path);
  }
}

/**
 * Checks that `value` (typically `JSON.parse` of a report file) is an `EvaluationReport` of this
 * schema version, deeply: `$schema`, `schemaVersion`, every required field, field types, enums,
 * integer counts, shares in [0, 1], and no unknown fields. Accepts exactly what
 * `schema/evaluation-report.schema.json` accepts, without a JSON Schema library.
 *
 * @throws QuantTrimError `QT_INVALID_ARGUMENT` whose message starts with the JSON path of the first
 * bad field, e.g. `report.models[0].profiles[3].metrics.kl: expected a number, got "x"`
 * (`details.path` holds the path).
 *
 * @example
 * const report = validateReport(JSON.parse(await readFile('report.json', 'utf8')));
 * console.log(formatReportTable(report, { format: 'text' }));
 */
export function validateReport(value: unknown): EvaluationReport {
  walk(value, report, 'report');
  return value as EvaluationReport;
}
