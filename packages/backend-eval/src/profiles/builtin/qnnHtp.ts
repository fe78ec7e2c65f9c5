import { defineBackend } from '../defineBackend.js';
import { CORE_ONNX_OPS, F32_EPS, PER_CHANNEL, grid, refs } from './common.js';
import { SNAPDRAGON_X_ELITE_NPU } from '../devices.js';

const QNN_COMMON = {
  vendor: 'Qualcomm',
  // strict_symmetric off: full [-128, 127]; unsigned_symmetric: zp 0 on u8 when min >= 0.
  weights: grid({ bits: 8, signed: true, symmetric: 'unsignedIfNonNeg', range: 'full', granularity: PER_CHANNEL, rounding: 'half-even' }),
  bias: { bits: 32, scale: 'product', rounding: 'half-even' },
  requant: 'float',
  activationMode: 'static',
  fusedActivations: ['Conv+Relu', 'Conv+Clip', 'Conv+BatchNormalization+Relu', 'Add+Relu', 'Gemm+Relu'],
  ops: { supported: [...CORE_ONNX_OPS] },
  fallback: { policy: 'per-op', target: 'float32' },
  accumulator: { bits: 32, saturating: false },
  device: SNAPDRAGON_X_ELITE_NPU,
  evidence: {
    'weights.rounding': 'third-party',
    'activations.rounding': 'third-party',
    'calibration.method': 'uncertain',
    bias: 'uncertain',
    requant: 'uncertain',
    accumulator: 'uncertain',
  },
} as const;

/** SQNR (AIMET tf_enhanced) options: 2048 bins, clipping noise weighted 3x. */
const SQNR = { method: 'sqnr', options: { bins: 2048, gamma: 3 }, samples: 100 } as const;

/** P5 — Qualcomm HTP (QNN/SNPE) w8a8 with AIMET tf_enhanced (SQNR) encodings (docs/backends.md#qnn-htp-w8a8-tfe). */
export const qnnHtpW8a8Tfe = defineBackend({
  ...QNN_COMMON,
  id: 'qnn-htp-w8a8-tfe',
  name: 'Qualcomm HTP w8a8 (tf_enhanced)',
  description: 'u8 asymmetric activations with AIMET SQNR range search; s8 symmetric full-range per-channel weights; unsupported ops fall back to the CPU.',
  activations: grid({ bits: 8, signed: false, symmetric: false, rounding: 'half-even' }),
  calibration: SQNR,
  // AIMET: hi >= lo + eps·N with N = 2^8 − 1 (SNPE is said to use range >= 0.01).
  minRange: F32_EPS * 255,
  sources: refs('QC2', 'QC3', 'QC5', 'QC7', 'QC8', 'QC10'),
});

/** P6 — as P5 with u16 asymmetric activations (`--act_bw 16 --weight_bw 8`) (docs/backends.md#qnn-htp-w8a16). */
export const qnnHtpW8a16 = defineBackend({
  ...QNN_COMMON,
  id: 'qnn-htp-w8a16',
  name: 'Qualcomm HTP w8a16',
  description: "Qualcomm's documented accuracy fallback: as qnn-htp-w8a8-tfe with asymmetric uint16 activations.",
  activations: grid({ bits: 16, signed: false, symmetric: false, rounding: 'half-even' }),
  calibration: SQNR,
  minRange: F32_EPS * 65535,
  sources: refs('QC2', 'QC3', 'QC4', 'QC5', 'QC7', 'QC8', 'QC10', 'QC11'),
});
