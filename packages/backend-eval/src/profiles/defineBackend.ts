import type { BackendProfile } from './types.js';
import { type ValidateProfileOptions, validateProfile } from './validateProfile.js';

/**
 * Defines a backend profile: validates it and returns a deep-frozen copy. It never registers
 * anything; pass the result to `registry.register(profile)`.
 *
 * @example
 * const acme = defineBackend({ ...builtinProfiles['tflite-int8'], id: 'acme-npu', name: 'Acme NPU',
 *   vendor: 'Acme', sources: [{ id: 'ACME1', url: 'https://acme.example/npu' }], evidence: {} });
 * createBackendRegistry().register(acme);
 */
export function defineBackend<const TProfile extends BackendProfile>(
  profile: TProfile,
  options?: ValidateProfileOptions,
): BackendProfile & { readonly id: TProfile['id'] } {
  return validateProfile(profile, options) as BackendProfile & { readonly id: TProfile['id'] };
}
