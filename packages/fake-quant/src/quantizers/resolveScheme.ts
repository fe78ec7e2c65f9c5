import { type Granularity, type QuantGridRegistry, type QuantScheme, type SchemeOptions, createScheme, defaultRegistry } from '@quant-trim/quant-grid';
import { QuantTrimError } from '@quant-trim/errors';

/**
 * How a config names a scheme: a quant-grid preset name (`'int8-sym-per-channel'`), a preset with
 * options (`['int4-sym-per-group', { groupSize: 16 }]`), grid options (`{ bits: 4 }`) or a
 * scheme from `createScheme`. JSON-serialisable except for schemes carrying a plugin rule.
 */
export type SchemeSpec = string | readonly [string, Record<string, unknown>] | SchemeOptions | QuantScheme;

/** Resolves a spec through the registry (presets and plugins) or `createScheme`. */
export function resolveScheme(spec: SchemeSpec, field: string, registry: QuantGridRegistry = defaultRegistry): QuantScheme {
  try {
    if (typeof spec === 'string') return registry.scheme(spec);
    if (Array.isArray(spec)) return registry.scheme(spec[0], spec[1]);
    if (typeof spec === 'object' && spec !== null && 'qmin' in spec && 'qmax' in spec) return spec as QuantScheme;
    return createScheme(spec as SchemeOptions);
  } catch (e) {
    const message = e instanceof Error ? e.message : String(e);
    throw new QuantTrimError({ code: 'QT_INVALID_SCHEME', message: `${field}: ${message}`, cause: e, details: { field } });
  }
}

/** The same scheme with another granularity (weights pick their axis from the layer type). */
export function withGranularity(scheme: QuantScheme, granularity: Granularity): QuantScheme {
  if (JSON.stringify(scheme.granularity) === JSON.stringify(granularity)) return scheme;
  const { qmin: _qmin, qmax: _qmax, qparamsRule, ...options } = scheme;
  const next = createScheme({ ...options, granularity });
  return qparamsRule === undefined ? next : Object.freeze({ ...next, qparamsRule });
}

/** `*` matches any run of characters, `?` one character; the whole name must match. */
export function globMatch(pattern: string, name: string): boolean {
  const source = pattern
    .replace(/[.+^${}()|[\]\\]/g, '\\$&')
    .replace(/\*/g, '.*')
    .replace(/\?/g, '.');
  return new RegExp(`^${source}$`).test(name);
}
