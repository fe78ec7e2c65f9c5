import type { QParamsRule, SchemeOptions } from '../scheme.js';

/**
 * A scheme plugin: a name and a function from its options to grid options. An optional `qparams`
 * hook changes how a range becomes (scale, zero point); host-specific extensions live under
 * `extensions` (for example `onnx`, typed with `import type` by the package that reads them), so
 * a scheme never pulls those packages into a bundle.
 */
export interface SchemeDefinition<TOptions = SchemeOptions> {
  readonly name: string;
  readonly description?: string;
  /** Grid options for these plugin options; the registry validates them with `createScheme`. */
  create(options: TOptions): SchemeOptions;
  /** Replaces the affine min/max → (scale, zero point) rule for every group. */
  readonly qparams?: QParamsRule;
  /** Extensions read by other packages (`onnx`, `eval`, ...). */
  readonly extensions?: Readonly<Record<string, unknown>>;
}

/**
 * Declares a scheme plugin. Returns the definition unchanged (typed); registering is separate.
 *
 * @example
 * export const acmeInt6 = defineScheme({
 *   name: 'acme-int6',
 *   create: (o: { axis?: number } = {}) => ({ bits: 6, granularity: { kind: 'per-channel', axis: o.axis ?? 0 } }),
 * });
 * registry.registerScheme(acmeInt6);
 * const scheme = registry.scheme('acme-int6', { axis: 1 });
 */
export function defineScheme<TOptions = SchemeOptions>(definition: SchemeDefinition<TOptions>): SchemeDefinition<TOptions> {
  return definition;
}
