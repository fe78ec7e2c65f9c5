import { builtinProfiles, createBackendRegistry, defineBackend } from '@quant-trim/backend-eval';

const registry = createBackendRegistry();
for (const profile of registry.values()) console.log(`${profile.id}: ${profile.calibration.method}`);

// A custom profile: validated and frozen by defineBackend, registered only when you say so.
const ethosU = defineBackend({
  ...builtinProfiles['tflite-int8'],
  id: 'ethos-u-int8',
  name: 'Arm Ethos-U',
  vendor: 'Arm',
  fallback: { policy: 'per-op', target: 'cpu-int8' },
});
registry.register(ethosU);
console.log(`registered ${registry.ids().length} profiles`);
