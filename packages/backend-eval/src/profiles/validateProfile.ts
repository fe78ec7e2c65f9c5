import { defaultRegistry } from '@quant-trim/quant-grid';
import { ROUNDING_MODES } from '@quant-trim/quant-grid';
import {
  type Obj,
  OP_TYPE,
  array,
  boolean,
  deepFreeze,
  fail,
  finite,
  integer,
  integerIn,
  isObject,
  jsonValue,
  object,
  oneOf,
  opList,
  show,
  string,
} from './checks.js';
import type { BackendProfile, FloatActivations, OpLimits, TensorGrid } from './types.js';
import { validateCrossFields } from './validateCrossFields.js';
import { ACTIVATION_BITS, WEIGHT_BITS, validateGrid } from './validateGrid.js';

export interface ValidateProfileOptions {
  /**
   * Calibrator names `calibration.method` may use (besides `none`): a list, or a quant-grid
   * registry holding plugin calibrators. Default: quant-grid's `defaultRegistry`, read at call time.
   */
  calibrators?: readonly string[] | { calibratorNames(): string[] };
  /** Prefix of every error path. Default `profiles.<id>` (or `profile` when the id is unreadable). */
  path?: string;
}

const PROFILE_FIELDS = [
  'id',
  'name',
  'vendor',
  'description',
  'weights',
  'activations',
  'bias',
  'requant',
  'calibration',
  'activationMode',
  'minRange',
  'fixedOutput',
  'sharedScale',
  'fusedActivations',
  'ops',
  'fallback',
  'accumulator',
  'mixedPrecision',
  'preQuant',
  'postQuant',
  'device',
  'sources',
  'evidence',
] as const;
const ID = /^[a-z0-9]+(?:-[a-z0-9]+)*$/;
const TRANSFORMS = ['equalization', 'biasCorrection', 'adaround', 'finetune'] as const;
const validated = new WeakSet<object>();

/** True for profiles returned by `validateProfile` / `defineBackend` (frozen and checked). */
export function isValidatedProfile(value: unknown): value is BackendProfile {
  return typeof value === 'object' && value !== null && validated.has(value);
}

/**
 * Checks an unknown value (a literal, or parsed JSON) against the profile schema and returns a
 * deep-frozen copy. The first problem throws `QT_INVALID_PROFILE` whose message starts with the
 * dotted path, e.g. `profiles.tflite-int8.weights.bits: expected 4, 8 or 16, got 7`.
 */
export function validateProfile(value: unknown, options: ValidateProfileOptions = {}): BackendProfile {
  const rawId = isObject(value) ? value.id : undefined;
  const root = options.path ?? (typeof rawId === 'string' && rawId.length > 0 ? `profiles.${rawId}` : 'profile');
  const input = object(value, root, PROFILE_FIELDS);
  const at = (field: string) => `${root}.${field}`;
  const calibrators = options.calibrators ?? defaultRegistry;
  const known = Array.isArray(calibrators) ? calibrators : (calibrators as { calibratorNames(): string[] }).calibratorNames();

  const profile: Record<string, unknown> = {
    id: string(input.id, at('id'), ID),
    name: string(input.name, at('name')),
    vendor: string(input.vendor, at('vendor')),
    description: string(input.description, at('description')),
    weights: input.weights === null ? null : validateGrid(input.weights, at('weights'), WEIGHT_BITS),
    activations: activations(input.activations, at('activations')),
    bias: input.bias === null ? null : bias(input.bias, at('bias')),
    requant: oneOf(input.requant, at('requant'), ['float', 'fixed-double', 'fixed-single']),
    calibration: calibration(input.calibration, at('calibration'), known),
    activationMode: oneOf(input.activationMode, at('activationMode'), ['static', 'dynamic']),
  };
  const optional: Record<string, (v: unknown, path: string) => unknown> = {
    minRange: (v, p) => finite(v, p, { positive: true }),
    fixedOutput: fixedOutput,
    sharedScale: (v, p) => opList(v, p, { nonEmpty: true }),
    fusedActivations: fusedActivations,
    accumulator: (v, p) => {
      const a = object(v, p, ['bits', 'saturating']);
      return { bits: integer(a.bits, `${p}.bits`, 16, 64), saturating: boolean(a.saturating, `${p}.saturating`) };
    },
    mixedPrecision: (v, p) => {
      const m = object(v, p, ['weightBits', 'rule']);
      const bits = array(m.weightBits, `${p}.weightBits`, { nonEmpty: true }).map((b, i) => integerIn(b, `${p}.weightBits.${i}`, WEIGHT_BITS));
      return { weightBits: bits, rule: string(m.rule, `${p}.rule`) };
    },
    preQuant: transforms,
    postQuant: transforms,
    device: device,
  };
  profile.ops = ops(input.ops, at('ops'));
  profile.fallback = fallback(input.fallback, at('fallback'));
  for (const [field, read] of Object.entries(optional)) {
    if (input[field] !== undefined) profile[field] = read(input[field], at(field));
  }
  profile.sources = sources(input.sources, at('sources'));
  profile.evidence = evidence(input.evidence, at('evidence'));

  const result = profile as unknown as BackendProfile;
  validateCrossFields(result, root);
  deepFreeze(result);
  validated.add(result);
  return result;
}

function activations(value: unknown, path: string): TensorGrid | FloatActivations {
  if (isObject(value) && 'kind' in value) {
    object(value, path, ['kind']);
    return { kind: oneOf(value.kind, `${path}.kind`, ['float16', 'float32']) };
  }
  return validateGrid(value, path, ACTIVATION_BITS);
}

function bias(value: unknown, path: string): Obj {
  const b = object(value, path, ['bits', 'scale', 'rounding']);
  return {
    bits: integer(b.bits, `${path}.bits`, 8, 64),
    scale: oneOf(b.scale, `${path}.scale`, ['product', 'pow2']),
    rounding: oneOf(b.rounding, `${path}.rounding`, ROUNDING_MODES),
  };
}

function calibration(value: unknown, path: string, known: readonly string[]): Obj {
  const c = object(value, path, ['method', 'options', 'samples']);
  const method = string(c.method, `${path}.method`);
  if (method !== 'none' && !known.includes(method)) {
    fail(`${path}.method`, `unknown calibrator ${show(method)}; expected 'none' or one of ${known.join(', ')}`);
  }
  const samples = method === 'none' ? integer(c.samples, `${path}.samples`, 0, 0) : integer(c.samples, `${path}.samples`, 1, 1e9);
  const result: Obj = { method, samples };
  if (c.options !== undefined) {
    if (!isObject(c.options)) fail(`${path}.options`, `expected an object, got ${show(c.options)}`);
    result.options = jsonValue(c.options, `${path}.options`);
  }
  return result;
}

function fixedOutput(value: unknown, path: string): Obj {
  if (!isObject(value)) fail(path, `expected an object keyed by op type, got ${show(value)}`);
  const out: Obj = {};
  for (const [op, params] of Object.entries(value)) {
    const p = `${path}.${op}`;
    if (!OP_TYPE.test(op)) fail(p, 'expected an ONNX op type (PascalCase) as key');
    const o = object(params, p, ['scale', 'zeroPoint']);
    out[op] = { scale: finite(o.scale, `${p}.scale`, { positive: true }), zeroPoint: integer(o.zeroPoint, `${p}.zeroPoint`, -(2 ** 15), 2 ** 16 - 1) };
  }
  return out;
}

function fusedActivations(value: unknown, path: string): string[] {
  return array(value, path, { nonEmpty: true }).map((pattern, i) => {
    const p = `${path}.${i}`;
    const text = string(pattern, p);
    const parts = text.split('+');
    if (parts.length < 2 || !parts.every((part) => OP_TYPE.test(part)))
      fail(p, `expected a pattern of op types joined by '+' (e.g. 'Conv+Relu'), got ${show(text)}`);
    return text;
  });
}

function ops(value: unknown, path: string): Obj {
  const o = object(value, path, ['supported', 'limits']);
  const result: Obj = { supported: opList(o.supported, `${path}.supported`) };
  if (o.limits !== undefined) {
    if (!isObject(o.limits)) fail(`${path}.limits`, `expected an object keyed by op type or '*', got ${show(o.limits)}`);
    const limits: Record<string, OpLimits> = {};
    for (const [op, entry] of Object.entries(o.limits)) {
      const p = `${path}.limits.${op}`;
      if (op !== '*' && !OP_TYPE.test(op)) fail(p, "expected an ONNX op type or '*' as key");
      if (!isObject(entry)) fail(p, `expected an object of limits, got ${show(entry)}`);
      for (const [k, v] of Object.entries(entry)) {
        if (typeof v !== 'boolean' && typeof v !== 'string' && !(typeof v === 'number' && Number.isFinite(v)))
          fail(`${p}.${k}`, `expected a number, boolean or string, got ${show(v)}`);
      }
      limits[op] = { ...(entry as OpLimits) };
    }
    result.limits = limits;
  }
  return result;
}

function fallback(value: unknown, path: string): Obj {
  const f = object(value, path, ['policy', 'target']);
  return {
    policy: oneOf(f.policy, `${path}.policy`, ['per-op', 'single-cut', 'graph-cut']),
    target: oneOf(f.target, `${path}.target`, ['float32', 'fp16', 'cpu-int8']),
  };
}

function transforms(value: unknown, path: string): string[] {
  return array(value, path, { nonEmpty: true }).map((t, i) => oneOf(t, `${path}.${i}`, TRANSFORMS));
}

const DEVICE_FIGURES = ['tops', 'precisionTops', 'watts', 'priceUsd', 'memoryGBps', 'utilization', 'linkGBps', 'overheadMs'] as const;
const HOST_FIGURES = ['tops', 'precisionTops', 'memoryGBps', 'utilization'] as const;
const DEVICE_PRECISIONS = ['int4', 'int16', 'float16', 'float32'] as const;
const URL_IN_TEXT = /https?:\/\/\S+/;

function device(value: unknown, path: string): Obj {
  const d = object(value, path, ['name', ...DEVICE_FIGURES, 'host', 'source', 'sources']);
  const out = processor(d, path, ['tops', 'watts', 'priceUsd', 'memoryGBps', 'linkGBps']);
  if (d.overheadMs !== undefined) out.overheadMs = finite(d.overheadMs, `${path}.overheadMs`, { min: 0 });
  if (d.host !== undefined) {
    const h = object(d.host, `${path}.host`, ['name', ...HOST_FIGURES, 'source', 'sources']);
    const host = processor(h, `${path}.host`, ['tops', 'memoryGBps']);
    if (h.sources !== undefined) host.sources = deviceSources(h.sources, `${path}.host.sources`, host, HOST_FIGURES);
    out.host = host;
  }
  if (d.sources !== undefined) out.sources = deviceSources(d.sources, `${path}.sources`, out, DEVICE_FIGURES);
  return out;
}

/** The figures a device and its host share: name, positive `numbers`, precisionTops, utilization, source. */
function processor(d: Obj, path: string, numbers: readonly string[]): Obj {
  const out: Obj = { name: string(d.name, `${path}.name`) };
  for (const key of numbers) {
    if (d[key] !== undefined) out[key] = finite(d[key], `${path}.${key}`, { positive: true });
  }
  if (d.precisionTops !== undefined) out.precisionTops = precisionTops(d.precisionTops, `${path}.precisionTops`);
  if (d.utilization !== undefined) {
    const u = finite(d.utilization, `${path}.utilization`, { positive: true });
    if (u > 1) fail(`${path}.utilization`, `expected a share of peak throughput in (0, 1], got ${show(u)}`);
    out.utilization = u;
  }
  if (d.source !== undefined) out.source = string(d.source, `${path}.source`);
  return out;
}

function precisionTops(value: unknown, path: string): Obj {
  const p = object(value, path, DEVICE_PRECISIONS);
  const out: Obj = {};
  for (const [key, tops] of Object.entries(p)) out[key] = finite(tops, `${path}.${key}`, { positive: true });
  return out;
}

/** Figure → source text holding a URL; each key must name a figure the device gives. */
function deviceSources(value: unknown, path: string, figures: Obj, keys: readonly string[]): Obj {
  const s = object(value, path, keys);
  const out: Obj = {};
  for (const [key, text] of Object.entries(s)) {
    const p = `${path}.${key}`;
    if (figures[key] === undefined) fail(p, `names no figure of this device (${key} is not given)`);
    out[key] = string(text, p, URL_IN_TEXT);
  }
  return out;
}

function sources(value: unknown, path: string): Obj[] {
  const ids = new Set<string>();
  return array(value, path, { nonEmpty: true }).map((entry, i) => {
    const p = `${path}.${i}`;
    const s = object(entry, p, ['id', 'url']);
    const id = string(s.id, `${p}.id`);
    if (ids.has(id)) fail(`${p}.id`, `duplicate source id ${show(id)}`);
    ids.add(id);
    return { id, url: string(s.url, `${p}.url`, /^https?:\/\/\S+$/) };
  });
}

function evidence(value: unknown, path: string): Obj {
  if (!isObject(value)) fail(path, `expected an object (field path -> 'vendor' | 'third-party' | 'uncertain'), got ${show(value)}`);
  const out: Obj = {};
  for (const [field, level] of Object.entries(value)) out[field] = oneOf(level, `${path}.${field}`, ['vendor', 'third-party', 'uncertain']);
  return out;
}
