import { defineBackend } from '../defineBackend.js';
import { CORE_ONNX_OPS, PER_CHANNEL, grid, refs } from './common.js';
import { JETSON_ORIN_NANO_SUPER } from '../devices.js';

/** P1 — TensorRT implicit INT8 with the entropy (KL) calibrator (docs/backends.md#trt-int8-entropy). */
export const trtInt8Entropy = defineBackend({
  id: 'trt-int8-entropy',
  name: 'TensorRT INT8 (entropy calibrator)',
  vendor: 'NVIDIA',
  description: 'Symmetric-only KL path: s8 sym per-channel weights, s8 sym static activations, KL-chosen ranges; unsupported ops fall back to fp16 on the GPU.',
  weights: grid({ bits: 8, signed: true, symmetric: true, range: 'narrow', granularity: PER_CHANNEL, rounding: 'half-even' }),
  activations: grid({ bits: 8, signed: true, symmetric: true, rounding: 'half-even' }),
  bias: { bits: 32, scale: 'product', rounding: 'half-even' },
  requant: 'float',
  calibration: { method: 'entropy', options: { bins: 2048, start: 128, stride: 1, thresholdAt: 'edge' }, samples: 100 },
  activationMode: 'static',
  fusedActivations: ['Conv+Relu', 'Conv+Clip', 'Gemm+Relu', 'Gemm+Clip'],
  ops: { supported: [...CORE_ONNX_OPS] },
  fallback: { policy: 'per-op', target: 'fp16' },
  accumulator: { bits: 32, saturating: false },
  device: JETSON_ORIN_NANO_SUPER,
  sources: refs('TRT1', 'TRT5', 'TRT9', 'TRT10', 'TRT15', 'TRT18', 'TRT19'),
  evidence: {
    'weights.range': 'third-party',
    'weights.granularity': 'third-party',
    bias: 'uncertain',
    fusedActivations: 'uncertain',
    requant: 'uncertain',
    accumulator: 'third-party',
    fallback: 'third-party',
  },
});
