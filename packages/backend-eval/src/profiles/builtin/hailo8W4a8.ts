import { defineBackend } from '../defineBackend.js';
import { CORE_ONNX_OPS, grid, refs } from './common.js';
import { HAILO_8_AI_HAT } from '../devices.js';

/** P7 — Hailo-8 Dataflow Compiler with mixed 4/8/16-bit weights (docs/backends.md#hailo8-w4a8). */
export const hailo8W4a8 = defineBackend({
  id: 'hailo8-w4a8',
  name: 'Hailo-8 (Dataflow Compiler, w4/w8 mixed)',
  vendor: 'Hailo',
  description:
    'The only mixed 4/8/16-bit weight profile: 8-bit weights, 4-bit on layers chosen by compression level, u8 asym activations, equalization before and fine-tuning after quantization.',
  weights: grid({ bits: 8, signed: true, symmetric: true, rounding: 'half-even' }),
  activations: grid({ bits: 8, signed: false, symmetric: false, rounding: 'half-even' }),
  bias: { bits: 32, scale: 'product', rounding: 'half-even' },
  requant: 'float',
  calibration: { method: 'minmax', samples: 64 },
  activationMode: 'static',
  ops: { supported: CORE_ONNX_OPS.filter((op) => op !== 'Transpose') },
  fallback: { policy: 'graph-cut', target: 'float32' },
  mixedPrecision: {
    weightBits: [4, 8, 16],
    rule: 'compressionLevel moves a share of layers to 4-bit weights; 16-bit weights through the a16_w16 precision mode; level 0 keeps all 8-bit',
  },
  preQuant: ['equalization'],
  postQuant: ['finetune'],
  device: HAILO_8_AI_HAT,
  sources: refs('HL1', 'HL2', 'HL3', 'HL5', 'HL6', 'HL7', 'HL8', 'HL10'),
  evidence: {
    'weights.symmetric': 'uncertain',
    'weights.granularity': 'uncertain',
    'weights.rounding': 'uncertain',
    'activations.rounding': 'uncertain',
    bias: 'uncertain',
    requant: 'uncertain',
    'calibration.samples': 'third-party',
    'mixedPrecision.rule': 'uncertain',
    postQuant: 'third-party',
    'ops.supported': 'uncertain',
    fallback: 'third-party',
  },
});
