import { defineBackend } from '../defineBackend.js';
import { refs } from './common.js';
import { tfliteInt8 } from './tfliteInt8.js';
import { CORAL_USB_ACCELERATOR } from '../devices.js';

/** P4 — Coral Edge TPU: TFLite int8 numerics, strictest partitioning (docs/backends.md#edgetpu-strict). */
export const edgetpuStrict = defineBackend({
  ...tfliteInt8,
  id: 'edgetpu-strict',
  name: 'Coral Edge TPU (single-cut)',
  vendor: 'Google',
  description:
    'Compiles the quantized TFLite int8 model: same numerics as tflite-int8, but everything from the first unsupported op onward runs on the CPU in TFLite int8.',
  ops: {
    supported: [
      'Conv',
      'Gemm',
      'Add',
      'Mul',
      'Relu',
      'Clip',
      'Sigmoid',
      'HardSwish',
      'Softmax',
      'MaxPool',
      'AveragePool',
      'GlobalAveragePool',
      'Flatten',
      'Reshape',
      'Concat',
    ],
    limits: {
      '*': { bits: 8, staticShapes: true, constantParams: true, maxNonUnitInnermostDims: 3 },
      MaxPool: { fusedActivation: false },
      AveragePool: { fusedActivation: false },
      Concat: { fusedActivation: false },
    },
  },
  fallback: { policy: 'single-cut', target: 'cpu-int8' },
  device: CORAL_USB_ACCELERATOR,
  sources: refs('ETPU1', 'ETPU3', 'ETPU4', 'TFL1', 'TFL4', 'TFL7'),
  evidence: {
    'weights.granularity': 'uncertain',
    'activations.rounding': 'uncertain',
    requant: 'uncertain',
    fusedActivations: 'third-party',
  },
});
