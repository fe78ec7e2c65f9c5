import { defineBackend } from '../defineBackend.js';
import { CORE_ONNX_OPS, PER_CHANNEL, grid, refs } from './common.js';
import { RASPBERRY_PI_5_CPU } from '../devices.js';

/** TFLite's weight grid, shared by P2–P4: s8 sym [-127, 127], per output channel, ties away. */
export const TFLITE_WEIGHTS = grid({ bits: 8, signed: true, symmetric: true, range: 'narrow', granularity: PER_CHANNEL, rounding: 'half-away' });

/** Ops whose inputs and output share (s, zp) in the TFLite spec, as ONNX op types. */
export const TFLITE_SHARED_SCALE = ['AveragePool', 'MaxPool', 'Concat', 'Reshape', 'Pad', 'Resize', 'Transpose', 'Gather'];

/** TFLite fused activations (Relu, Relu6 = Clip, ReluN1To1 = Clip) after their producers. */
export const TFLITE_FUSED = ['Conv+Relu', 'Conv+Clip', 'Gemm+Relu', 'Gemm+Clip', 'Add+Relu', 'Add+Clip', 'Mul+Relu'];

/** P2 — LiteRT (TFLite) full-integer quantization (docs/backends.md#tflite-int8). */
export const tfliteInt8 = defineBackend({
  id: 'tflite-int8',
  name: 'TFLite / LiteRT full integer int8',
  vendor: 'Google',
  description:
    'The reference int8 scheme consumed by Edge TPU, Ethos-U and i.MX: s8 sym narrow per-channel weights, s8 asym activations, ties away from zero, fixed-point requantization.',
  weights: TFLITE_WEIGHTS,
  activations: grid({ bits: 8, signed: true, symmetric: false, rounding: 'half-away' }),
  bias: { bits: 32, scale: 'product', rounding: 'half-away' },
  requant: 'fixed-double',
  calibration: { method: 'minmax', samples: 100 },
  activationMode: 'static',
  fixedOutput: {
    Sigmoid: { scale: 1 / 256, zeroPoint: -128 },
    Softmax: { scale: 1 / 256, zeroPoint: -128 },
    Tanh: { scale: 1 / 128, zeroPoint: 0 },
    LpNormalization: { scale: 1 / 128, zeroPoint: 0 },
    LogSoftmax: { scale: 16 / 256, zeroPoint: 127 },
  },
  sharedScale: TFLITE_SHARED_SCALE,
  fusedActivations: TFLITE_FUSED,
  ops: { supported: [...CORE_ONNX_OPS] },
  fallback: { policy: 'per-op', target: 'float32' },
  accumulator: { bits: 32, saturating: false },
  device: RASPBERRY_PI_5_CPU,
  sources: refs('TFL1', 'TFL2', 'TFL4', 'TFL6', 'TFL7', 'TFL8', 'TFL9'),
  evidence: { 'weights.granularity': 'uncertain', fusedActivations: 'third-party' },
});
