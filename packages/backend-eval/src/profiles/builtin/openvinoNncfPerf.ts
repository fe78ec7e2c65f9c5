import { defineBackend } from '../defineBackend.js';
import { CORE_ONNX_OPS, PER_CHANNEL, grid, refs } from './common.js';
import { INTEL_I7_1185G7 } from '../devices.js';

/** P10 — OpenVINO NNCF `performance` preset (docs/backends.md#openvino-nncf-perf). */
export const openvinoNncfPerf = defineBackend({
  id: 'openvino-nncf-perf',
  name: 'OpenVINO NNCF (performance preset)',
  vendor: 'Intel',
  description:
    'Mean-of-min/max activation statistics, fast bias correction, narrow symmetric weights; activations symmetric, unsigned when non-negative. The first-layer 7-bit overflow fix is not part of this profile.',
  weights: grid({ bits: 8, signed: true, symmetric: true, range: 'narrow', granularity: PER_CHANNEL, rounding: 'half-even' }),
  activations: grid({ bits: 8, signed: true, symmetric: 'unsignedIfNonNeg', rounding: 'half-even' }),
  bias: { bits: 32, scale: 'product', rounding: 'half-even' },
  requant: 'float',
  // NNCF reduces each sample to its min / max, then averages over samples (per sample, not per batch).
  calibration: { method: 'mean-minmax', options: { perSample: true }, samples: 300 },
  activationMode: 'static',
  ops: { supported: [...CORE_ONNX_OPS] },
  fallback: { policy: 'per-op', target: 'float32' },
  accumulator: { bits: 32, saturating: false },
  postQuant: ['biasCorrection'],
  device: INTEL_I7_1185G7,
  sources: refs('OV3', 'OV4', 'OV5', 'OV6', 'OV7', 'OV9'),
  evidence: {
    'weights.rounding': 'uncertain',
    'activations.rounding': 'uncertain',
    bias: 'uncertain',
    requant: 'uncertain',
    'accumulator.saturating': 'uncertain',
  },
});
