import { QuantTrimError } from '@quant-trim/errors';
import { NamedRegistry, type RegisterOptions } from '@quant-trim/internal';
import { builtinCalibrators, type BuiltinCalibratorOptions } from '../calibrators/builtins.js';
import type { Calibrator, CalibratorDefinition, CalibratorState } from '../calibrators/types.js';
import { type BuiltinSchemeOptions, builtinSchemes } from '../presets.js';
import { type QuantScheme, createScheme } from '../scheme.js';
import type { SchemeDefinition } from './defineScheme.js';

/**
 * Scheme names added by plugins. Augment it so your names type-check everywhere a scheme name is
 * accepted:
 * ```ts
 * declare module '@quant-trim/quant-grid' {
 *   interface SchemeRegistry { 'acme-int6': { axis?: number } }
 * }
 * ```
 */
// biome-ignore lint: an empty interface is the augmentation point
export interface SchemeRegistry {}

/** Calibrator names added by plugins (augment like `SchemeRegistry`). */
// biome-ignore lint: an empty interface is the augmentation point
export interface CalibratorRegistry {}

/**
 * A scheme name: the built-ins and the names plugins declare in `SchemeRegistry` autocomplete and
 * type their options; any other string is accepted too (a name read from a config file) and
 * checked when it is looked up.
 */
export type SchemeName = keyof BuiltinSchemeOptions | keyof SchemeRegistry | (string & {});
/** The options of a scheme name; `unknown` for a name the types do not know. */
export type SchemeOptionsFor<TName extends SchemeName> = TName extends keyof SchemeRegistry
  ? SchemeRegistry[TName]
  : TName extends keyof BuiltinSchemeOptions
    ? BuiltinSchemeOptions[TName]
    : unknown;

/** A calibrator name, as `SchemeName`: known names autocomplete, any string is accepted. */
export type CalibratorName = keyof BuiltinCalibratorOptions | keyof CalibratorRegistry | (string & {});
/** The options of a calibrator name; `unknown` for a name the types do not know. */
export type CalibratorOptionsFor<TName extends CalibratorName> = TName extends keyof CalibratorRegistry
  ? CalibratorRegistry[TName]
  : TName extends keyof BuiltinCalibratorOptions
    ? BuiltinCalibratorOptions[TName]
    : unknown;

/** Schemes and calibrators by name, with one set of duplicate rules (see `NamedRegistry`). */
export interface QuantGridRegistry {
  registerScheme<TOptions>(definition: SchemeDefinition<TOptions>, options?: RegisterOptions): SchemeDefinition<TOptions>;
  registerCalibrator<TOptions>(definition: CalibratorDefinition<TOptions>, options?: RegisterOptions): CalibratorDefinition<TOptions>;
  /** A validated scheme from a registered definition; its `name` is the definition's. */
  scheme<TName extends SchemeName>(name: TName, options?: SchemeOptionsFor<TName>): QuantScheme;
  /** A fresh calibrator from a registered definition. */
  calibrator<TName extends CalibratorName>(name: TName, options?: CalibratorOptionsFor<TName>): Calibrator;
  /** Rebuilds a calibrator, mid-calibration, from `calibrator.toJSON()`. */
  restoreCalibrator(state: CalibratorState): Calibrator;
  schemeDefinition(name: string): SchemeDefinition<unknown>;
  calibratorDefinition(name: string): CalibratorDefinition<unknown>;
  schemeNames(): string[];
  calibratorNames(): string[];
}

/** Registers every built-in preset scheme and calibrator on `registry`. */
export function registerBuiltins(registry: QuantGridRegistry): QuantGridRegistry {
  for (const definition of Object.values(builtinSchemes)) registry.registerScheme(definition);
  for (const definition of Object.values(builtinCalibrators)) registry.registerCalibrator(definition as CalibratorDefinition<unknown>);
  return registry;
}

/**
 * A new registry instance. With `builtins: false` it starts empty (for isolated plugin tests).
 *
 * @example
 * const registry = createRegistry();
 * const w = registry.scheme('int8-sym-per-channel', { axis: 3 });
 * const observer = registry.calibrator('minmax');
 */
export function createRegistry(options: { builtins?: boolean } = {}): QuantGridRegistry {
  const schemes = new NamedRegistry<SchemeDefinition<unknown>>('scheme', 'QT_UNKNOWN_SCHEME');
  const calibrators = new NamedRegistry<CalibratorDefinition<unknown>>('calibrator', 'QT_UNKNOWN_CALIBRATOR');
  const registry: QuantGridRegistry = {
    registerScheme(definition, opts) {
      if (typeof definition?.create !== 'function') {
        throw new QuantTrimError({
          code: 'QT_INVALID_PLUGIN',
          message: `registerScheme: definition "${String(definition?.name)}" needs a create(options) function`,
        });
      }
      schemes.register(definition as SchemeDefinition<unknown>, opts);
      return definition;
    },
    registerCalibrator(definition, opts) {
      if (typeof definition?.create !== 'function') {
        throw new QuantTrimError({
          code: 'QT_INVALID_PLUGIN',
          message: `registerCalibrator: definition "${String(definition?.name)}" needs a create(options) function`,
        });
      }
      calibrators.register(definition as CalibratorDefinition<unknown>, opts);
      return definition;
    },
    scheme(name, options) {
      const definition = schemes.get(name);
      const grid = definition.create(options ?? {});
      const scheme = createScheme({ ...grid, name: grid.name ?? name });
      return definition.qparams === undefined ? scheme : Object.freeze({ ...scheme, qparamsRule: definition.qparams });
    },
    calibrator(name, options) {
      return calibrators.get(name).create(options ?? {});
    },
    restoreCalibrator(state) {
      if (typeof state !== 'object' || state === null || typeof state.name !== 'string') {
        throw new QuantTrimError({ code: 'QT_INVALID_CALIBRATOR', message: 'restoreCalibrator: expected the object returned by calibrator.toJSON()' });
      }
      return calibrators
        .get(state.name)
        .create(state.options ?? {})
        .load(state.state);
    },
    schemeDefinition: (name) => schemes.get(name),
    calibratorDefinition: (name) => calibrators.get(name),
    schemeNames: () => schemes.names(),
    calibratorNames: () => calibrators.names(),
  };
  return options.builtins === false ? registry : registerBuiltins(registry);
}

/** The registry used when none is passed. Plugins may register on it or on their own instance. */
export const defaultRegistry: QuantGridRegistry = /* @__PURE__ */ createRegistry();
