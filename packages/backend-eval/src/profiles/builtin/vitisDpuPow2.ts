import { defineBackend } from '../defineBackend.js';
import { grid, refs } from './common.js';
import { KRIA_KV260_DPU } from '../devices.js';

/** P9 — AMD Vitis AI DPU with power-of-two scales (docs/backends.md#vitis-dpu-pow2). */
export const vitisDpuPow2 = defineBackend({
  id: 'vitis-dpu-pow2',
  name: 'AMD Vitis AI DPU (power-of-two)',
  vendor: 'AMD',
  description:
    'The only power-of-two scale profile, with half-up activation rounding (MQBench; PPQ says half-even); float-scale modes do not deploy to the DPU.',
  weights: grid({ bits: 8, signed: true, symmetric: true, scale: 'pow2', rounding: 'half-even' }),
  activations: grid({ bits: 8, signed: true, symmetric: true, scale: 'pow2', rounding: 'half-up' }),
  // MQBench: 8-bit power-of-two bias; PPQ: 30-bit. The MQBench reading is kept, as for rounding.
  bias: { bits: 8, scale: 'pow2', rounding: 'half-up' },
  requant: 'float',
  calibration: { method: 'pow2', options: { mode: 'min-mse', candidates: [-2, -1, 0] }, samples: 100 },
  activationMode: 'static',
  fusedActivations: ['Conv+Relu', 'Conv+Clip'],
  ops: {
    supported: [
      'Conv',
      'Gemm',
      'Add',
      'Mul',
      'Relu',
      'Clip',
      'HardSwish',
      'MaxPool',
      'AveragePool',
      'GlobalAveragePool',
      'Flatten',
      'Reshape',
      'Concat',
      'BatchNormalization',
    ],
  },
  fallback: { policy: 'per-op', target: 'float32' },
  device: KRIA_KV260_DPU,
  sources: refs('VAI1', 'VAI3', 'VAI4', 'VAI6', 'VAI7', 'VAI8'),
  evidence: {
    'weights.rounding': 'uncertain',
    'activations.rounding': 'third-party',
    bias: 'uncertain',
    requant: 'uncertain',
    'calibration.options': 'uncertain',
    fusedActivations: 'uncertain',
    'ops.supported': 'uncertain',
  },
});
