import type { SchemeDefinition } from './registry/defineScheme.js';
import type { Granularity, SchemeOptions } from './scheme.js';

/** Options of every built-in preset: any grid option may be overridden; `axis`/`groupSize` adjust the granularity. */
export interface PresetOptions extends Omit<SchemeOptions, 'granularity'> {
  /** Channel axis (per-channel and per-group presets). */
  axis?: number;
  /** Block length (per-group presets). */
  groupSize?: number;
}

type Kind = Granularity['kind'];

/* @__NO_SIDE_EFFECTS__ */
function preset(
  name: string,
  description: string,
  base: Omit<SchemeOptions, 'granularity'>,
  kind: Kind,
  defaults: { axis?: number; groupSize?: number } = {},
): SchemeDefinition<PresetOptions> {
  return {
    name,
    description,
    create(options: PresetOptions = {}): SchemeOptions {
      const { axis = defaults.axis ?? 0, groupSize = defaults.groupSize ?? 32, ...grid } = options;
      const granularity: Granularity = kind === 'per-tensor' ? { kind } : kind === 'per-channel' ? { kind, axis } : { kind, axis, groupSize };
      return { ...base, ...grid, granularity };
    },
  };
}

/**
 * The named presets for the common cases. Weight presets default to axis 0 (the output channel of
 * an ONNX Conv weight); pass `{ axis }` for other layouts (tfjs Conv2D kernels use axis 3 / -1).
 */
export const builtinSchemes = {
  'int8-sym-per-channel': preset(
    'int8-sym-per-channel',
    'int8 symmetric per-channel weights, full range [-128, 127] (PyTorch, QNN)',
    { bits: 8, signed: true, symmetric: true },
    'per-channel',
  ),
  'int8-sym-narrow-per-channel': preset(
    'int8-sym-narrow-per-channel',
    'int8 symmetric narrow-range per-channel weights [-127, 127] (TFLite, TensorRT, OpenVINO)',
    { bits: 8, signed: true, symmetric: true, narrowRange: true },
    'per-channel',
  ),
  'int8-sym-per-tensor': preset('int8-sym-per-tensor', 'int8 symmetric per-tensor', { bits: 8, signed: true, symmetric: true }, 'per-tensor'),
  'int8-asym-per-tensor': preset(
    'int8-asym-per-tensor',
    'int8 asymmetric per-tensor activations (TFLite)',
    { bits: 8, signed: true, symmetric: false },
    'per-tensor',
  ),
  'uint8-asym-per-tensor': preset(
    'uint8-asym-per-tensor',
    'uint8 asymmetric per-tensor activations (ONNX Runtime, QNN)',
    { bits: 8, signed: false, symmetric: false },
    'per-tensor',
  ),
  'int8-pow2-per-tensor': preset(
    'int8-pow2-per-tensor',
    'int8 symmetric per-tensor with power-of-two scales (Vitis DPU)',
    { bits: 8, signed: true, symmetric: true, scaleConstraint: 'pow2' },
    'per-tensor',
  ),
  'int4-sym-per-channel': preset(
    'int4-sym-per-channel',
    'int4 symmetric per-channel weights [-8, 7]',
    { bits: 4, signed: true, symmetric: true },
    'per-channel',
  ),
  'int4-sym-per-group': preset(
    'int4-sym-per-group',
    'int4 symmetric per-group weights, blocks of 32 along the input axis',
    { bits: 4, signed: true, symmetric: true },
    'per-group',
    { axis: 1, groupSize: 32 },
  ),
  'uint4-asym-per-group': preset(
    'uint4-asym-per-group',
    'uint4 asymmetric per-group weights, blocks of 32',
    { bits: 4, signed: false, symmetric: false },
    'per-group',
    { axis: 1, groupSize: 32 },
  ),
  'int16-sym-per-tensor': preset(
    'int16-sym-per-tensor',
    'int16 symmetric per-tensor activations (TFLite 16x8)',
    { bits: 16, signed: true, symmetric: true },
    'per-tensor',
  ),
  'uint16-asym-per-tensor': preset(
    'uint16-asym-per-tensor',
    'uint16 asymmetric per-tensor activations (QNN w8a16)',
    { bits: 16, signed: false, symmetric: false },
    'per-tensor',
  ),
} as const satisfies Record<string, SchemeDefinition<PresetOptions>>;

/** Built-in preset name → its options type. */
export type BuiltinSchemeOptions = { [K in keyof typeof builtinSchemes]: PresetOptions };
