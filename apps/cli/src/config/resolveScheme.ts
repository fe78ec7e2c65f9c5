import { CONFIG_DEFAULTS, type Config } from './schema.js';

/** `config.scheme` with its defaults filled in. */
export interface ResolvedSchemes {
  /** Weight preset of layers no pattern matches. */
  readonly weights: string;
  readonly activations: string;
  /** `[pattern, preset]` in file order; the first match wins. */
  readonly layers: readonly (readonly [pattern: string, preset: string])[];
}

/**
 * Normalises the two forms of `scheme` (a weight preset name, or `{ weights, activations, layers }`).
 *
 * @example
 * resolveSchemes('int4-sym-per-group'); // { weights: 'int4-sym-per-group', activations: 'uint8-asym-per-tensor', layers: [] }
 */
export function resolveSchemes(scheme: Config['scheme']): ResolvedSchemes {
  if (typeof scheme === 'string') return { weights: scheme, activations: CONFIG_DEFAULTS.activations, layers: [] };
  return {
    weights: scheme.weights ?? CONFIG_DEFAULTS.scheme,
    activations: scheme.activations ?? CONFIG_DEFAULTS.activations,
    layers: Object.entries(scheme.layers ?? {}),
  };
}

/**
 * The weight preset of one layer: the first `layers` pattern that matches the whole name (`*` any
 * run of characters, `?` one character), else `weights`.
 *
 * @example
 * weightSchemeFor(resolveSchemes({ layers: { 'conv*': 'int4-sym-per-channel' } }), 'conv2'); // 'int4-sym-per-channel'
 */
export function weightSchemeFor(schemes: ResolvedSchemes, layerName: string): string {
  for (const [pattern, preset] of schemes.layers) if (globToRegExp(pattern).test(layerName)) return preset;
  return schemes.weights;
}

function globToRegExp(pattern: string): RegExp {
  const body = pattern
    .replace(/[.+^${}()|[\]\\]/g, '\\$&')
    .replace(/\*/g, '.*')
    .replace(/\?/g, '.');
  return new RegExp(`^${body}$`);
}
