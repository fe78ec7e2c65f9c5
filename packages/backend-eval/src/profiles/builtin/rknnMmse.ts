import { defineBackend } from '../defineBackend.js';
import { CORE_ONNX_OPS, PER_CHANNEL, grid, refs } from './common.js';
import { RK3588_NPU } from '../devices.js';

/** P8 — Rockchip RKNN toolkit with the mmse algorithm (docs/backends.md#rknn-mmse). */
export const rknnMmse = defineBackend({
  id: 'rknn-mmse',
  name: 'Rockchip RKNN (mmse)',
  vendor: 'Rockchip',
  description: 'MSE-searched ranges, a third family beside KL and SQNR: s8 sym per-channel weights, 8-bit asym activations, 30-bit biases.',
  weights: grid({ bits: 8, signed: true, symmetric: true, range: 'narrow', granularity: PER_CHANNEL, rounding: 'half-even' }),
  activations: grid({ bits: 8, signed: true, symmetric: false, rounding: 'half-even' }),
  bias: { bits: 30, scale: 'product', rounding: 'half-even' },
  requant: 'float',
  // The toolkit suggests 20-50 images for mmse; the upper end is used.
  calibration: { method: 'mse', options: { bins: 2048, start: 128, stride: 1 }, samples: 50 },
  activationMode: 'static',
  fusedActivations: ['Conv+Relu', 'Conv+Clip'],
  ops: { supported: [...CORE_ONNX_OPS] },
  fallback: { policy: 'per-op', target: 'float32' },
  device: RK3588_NPU,
  sources: refs('RK1', 'RK2', 'RK3'),
  evidence: {
    'weights.rounding': 'third-party',
    activations: 'third-party',
    'activations.rounding': 'third-party',
    'bias.bits': 'third-party',
    requant: 'uncertain',
    'calibration.method': 'third-party',
    'calibration.options': 'uncertain',
    'calibration.samples': 'third-party',
    fusedActivations: 'third-party',
    fallback: 'uncertain',
  },
});
