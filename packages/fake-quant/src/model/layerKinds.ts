import type * as tf from '../tf.js';

/** Layers with weights that get a weight quantizer. */
export const WEIGHTED = new Set(['Dense', 'Conv2D', 'DepthwiseConv2D', 'SeparableConv2D']);
/** Layers quantized together with the weighted (or Add) layer before them when they are its only consumer. */
export const FUSABLE = new Set(['BatchNormalization', 'ReLU', 'Activation', 'LeakyReLU']);
/** Layers whose output takes a new activation grid. */
export const REQUANTIZE = new Set(['Add', 'Concatenate', 'AveragePooling2D', 'GlobalAveragePooling2D', 'Average', 'Multiply']);
/** Layers that keep their input's grid (values move, they do not change). */
export const PRESERVING = new Set([
  'MaxPooling2D',
  'GlobalMaxPooling2D',
  'Flatten',
  'Reshape',
  'Dropout',
  'SpatialDropout2D',
  'ZeroPadding2D',
  'Permute',
  'Cropping2D',
  'InputLayer',
]);
/** Every layer class `quantizeModel` knows; others stay float with a warning. */
export const SUPPORTED = new Set([...WEIGHTED, ...FUSABLE, ...REQUANTIZE, ...PRESERVING]);

/** Why a weighted layer cannot be quantized here (its config), or undefined when it can. */
export function unsupportedReason(layer: tf.layers.Layer): string | undefined {
  const config = layer.getConfig();
  if (config['dataFormat'] === 'channelsFirst') return 'channelsFirst data format is not supported';
  const rank = (layer.getClassName() === 'Dense' ? 2 : 4) as number;
  if (layer.getClassName() !== 'Dense' && layer.inboundNodes[0]?.inputTensors[0]?.rank !== rank) return `expects rank-${rank} inputs`;
  return undefined;
}
