import { defineBackend } from '../defineBackend.js';
import { PER_CHANNEL, grid, refs } from './common.js';
import { APPLE_A17_PRO_ANE } from '../devices.js';

/** P12 — Core ML weight-only int8 (coremltools `linear_symmetric`) (docs/backends.md#coreml-weight-only). */
export const coremlWeightOnly = defineBackend({
  id: 'coreml-weight-only',
  name: 'Core ML weight-only int8',
  vendor: 'Apple',
  description: 'Weight-only: int8 symmetric per-channel weights, float16 activations; isolates the weight error. Weights under 2048 elements stay float.',
  weights: grid({ bits: 8, signed: true, symmetric: true, range: 'narrow', granularity: PER_CHANNEL, rounding: 'half-even' }),
  activations: { kind: 'float16' },
  bias: null,
  requant: 'float',
  calibration: { method: 'none', samples: 0 },
  activationMode: 'static',
  ops: { supported: ['Conv', 'Gemm', 'MatMul'], limits: { '*': { minWeightElements: 2048 } } },
  fallback: { policy: 'per-op', target: 'float32' },
  device: APPLE_A17_PRO_ANE,
  sources: refs('CML2', 'CML3', 'CML4', 'CML7'),
  evidence: { 'weights.range': 'uncertain', 'weights.rounding': 'uncertain' },
});
