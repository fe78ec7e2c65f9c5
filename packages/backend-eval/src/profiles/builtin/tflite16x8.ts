import { defineBackend } from '../defineBackend.js';
import { grid, refs } from './common.js';
import { TFLITE_SHARED_SCALE, TFLITE_WEIGHTS } from './tfliteInt8.js';
import { RASPBERRY_PI_5_CPU } from '../devices.js';

/** P3 — TFLite 16x8: int8 weights, symmetric int16 activations (docs/backends.md#tflite-16x8). */
export const tflite16x8 = defineBackend({
  id: 'tflite-16x8',
  name: 'TFLite / LiteRT 16x8',
  vendor: 'Google',
  description:
    'Symmetric 16-bit activations with int8 weights for activation-sensitive models (super-resolution, audio, denoising); ops without 16x8 kernels run in float.',
  weights: TFLITE_WEIGHTS,
  activations: grid({ bits: 16, signed: true, symmetric: true, rounding: 'half-away' }),
  bias: { bits: 64, scale: 'product', rounding: 'half-away' },
  requant: 'fixed-double',
  calibration: { method: 'minmax', samples: 100 },
  activationMode: 'static',
  sharedScale: TFLITE_SHARED_SCALE,
  fusedActivations: ['Conv+Relu', 'Conv+Clip', 'Gemm+Relu', 'Gemm+Clip'],
  ops: {
    supported: [
      'Conv',
      'Gemm',
      'MatMul',
      'Add',
      'Mul',
      'Relu',
      'Clip',
      'Sigmoid',
      'Softmax',
      'MaxPool',
      'AveragePool',
      'GlobalAveragePool',
      'Flatten',
      'Reshape',
      'Transpose',
      'Concat',
    ],
  },
  fallback: { policy: 'per-op', target: 'float32' },
  accumulator: { bits: 64, saturating: false },
  device: RASPBERRY_PI_5_CPU,
  sources: refs('TFL1', 'TFL3', 'TFL4', 'TFL7'),
  evidence: {
    'activations.symmetric': 'uncertain',
    'activations.rounding': 'uncertain',
    'bias.bits': 'uncertain',
    'ops.supported': 'uncertain',
    accumulator: 'uncertain',
  },
});
