import { QuantTrimError } from '@quant-trim/errors';
import { NamedRegistry, type RegisterOptions } from '@quant-trim/internal';
import { builtinProfiles } from './builtinProfiles.js';
import type { BackendProfile, BackendRegistry } from './types.js';
import { isValidatedProfile } from './validateProfile.js';

/** Ids of the 12 built-in profiles (docs/backends.md#the-built-in-profiles). */
export type BuiltinBackendId = keyof typeof builtinProfiles;
/** A profile id: built-ins and ids declared in `BackendRegistry` autocomplete; any other string is accepted and checked at lookup. */
export type BackendId = BuiltinBackendId | keyof BackendRegistry | (string & {});

/** Backend profiles by id, with the shared duplicate rules of every Quant-Trim registry. */
export interface BackendProfileRegistry {
  /**
   * Adds a profile from `defineBackend` (or `validateProfile`). The same object twice does nothing;
   * a different profile under a taken id throws `QT_DUPLICATE_NAME` unless `{ override: true }`.
   */
  register(profile: BackendProfile, options?: RegisterOptions): BackendProfile;
  /** Throws `QT_UNKNOWN_PROFILE` (listing the registered ids) when nothing is registered under `id`. */
  get<TId extends BackendId>(id: TId): BackendProfile & { readonly id: TId };
  has(id: string): boolean;
  /** Registered ids, sorted. */
  ids(): string[];
  /** Registered profiles, in registration order. */
  values(): BackendProfile[];
}

interface Entry {
  readonly name: string;
  readonly profile: BackendProfile;
}

/** One entry object per profile, so registering the same profile twice is a no-op. */
const entries = new WeakMap<BackendProfile, Entry>();
function entryFor(profile: BackendProfile): Entry {
  let entry = entries.get(profile);
  if (entry === undefined) {
    entry = Object.freeze({ name: profile.id, profile });
    entries.set(profile, entry);
  }
  return entry;
}

/** Registers every built-in profile on `registry`. */
export function registerBuiltinProfiles(registry: BackendProfileRegistry): BackendProfileRegistry {
  for (const profile of Object.values(builtinProfiles)) registry.register(profile);
  return registry;
}

/**
 * A new registry instance; with `builtins: false` it starts empty.
 *
 * @example
 * const registry = createBackendRegistry();
 * registry.get('tflite-int8').activations; // s8 asym, half-away
 */
export function createBackendRegistry(options: { builtins?: boolean } = {}): BackendProfileRegistry {
  const profiles = new NamedRegistry<Entry>('backend profile', 'QT_UNKNOWN_PROFILE');
  const registry: BackendProfileRegistry = {
    register(profile, opts) {
      if (!isValidatedProfile(profile)) {
        throw new QuantTrimError({
          code: 'QT_INVALID_PLUGIN',
          message: `register backend profile "${String((profile as { id?: unknown } | null)?.id)}": pass it through defineBackend() first, which validates and freezes it`,
        });
      }
      profiles.register(entryFor(profile), opts);
      return profile;
    },
    get: <TId extends BackendId>(id: TId) => profiles.get(id).profile as BackendProfile & { readonly id: TId },
    has: (id) => profiles.has(id),
    ids: () => profiles.names(),
    values: () => profiles.values().map((entry) => entry.profile),
  };
  return options.builtins === false ? registry : registerBuiltinProfiles(registry);
}

/** The registry used when none is passed. Plugins may register on it or on their own instance. */
export const defaultBackendRegistry: BackendProfileRegistry = createBackendRegistry();
