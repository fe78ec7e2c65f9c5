import { defineBackend } from '../defineBackend.js';
import { grid, refs } from './common.js';
import { XEON_PLATINUM_8380 } from '../devices.js';

/** P11 — ONNX Runtime dynamic quantization, u8 activations × s8 weights (docs/backends.md#ort-dynamic-u8s8). */
export const ortDynamicU8s8 = defineBackend({
  id: 'ort-dynamic-u8s8',
  name: 'ONNX Runtime dynamic (U8S8)',
  vendor: 'Microsoft',
  description:
    "The only dynamic-activation profile: u8 activation params computed per inference (DynamicQuantizeLinear), s8 per-tensor weights, integer MatMul/Gemm; ORT's advice for RNNs and transformers.",
  weights: grid({ bits: 8, signed: true, symmetric: true, range: 'narrow', rounding: 'half-even' }),
  activations: grid({ bits: 8, signed: false, symmetric: false, rounding: 'half-even' }),
  // Output = int32 × (sA·sW) in float, then the float bias.
  bias: null,
  requant: 'float',
  calibration: { method: 'none', samples: 0 },
  activationMode: 'dynamic',
  ops: { supported: ['MatMul', 'Gemm'], limits: { MatMul: { constantB: true }, Gemm: { constantB: true } } },
  fallback: { policy: 'per-op', target: 'float32' },
  accumulator: { bits: 32, saturating: false },
  device: XEON_PLATINUM_8380,
  sources: refs('ORT1', 'ORT3', 'ORT4', 'ORT6', 'ORT13'),
  // U8S8 saturates int16 pairs on AVX2/AVX512 hosts without VNNI; recorded per run, not per profile.
  evidence: { 'accumulator.saturating': 'uncertain' },
});
