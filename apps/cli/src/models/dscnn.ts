import * as tf from '@tensorflow/tfjs';
import { BN_MOMENTUM, KernelSeeds } from './seeds.js';
import type { BuildModelOptions } from './types.js';

/** Depthwise-separable blocks of `dscnn`: pointwise channels and depthwise stride. */
export const DSCNN_BLOCKS = [
  { filters: 32, strides: 2 },
  { filters: 64, strides: 1 },
] as const;

/**
 * `dscnn`, a MobileNet-like depthwise-separable CNN: `stem` Conv2D 16 3×3 stride 2 + BN + ReLU6,
 * two blocks of DepthwiseConv2D 3×3 + BN + ReLU6 + pointwise Conv2D 1×1 + BN + ReLU6 (`block1`:
 * depthwise stride 2, 32 channels; `block2`: 64 channels), GlobalAveragePooling2D, Dense `classes`
 * (logits). For 28×28 inputs: 14×14 after the stem, 7×7 after block1.
 *
 * Two blocks, the stride in the first: float training of BatchNorm is slow on the wasm backend
 * (tfjs's BatchNorm gradient tiles full-size tensors), and BN layers at 14×14 dominate the step.
 * One epoch of 8,000 28×28 samples: ~16 s on 2 cores (three blocks with 14×14 ones: ~50 s).
 *
 * Convs before a BatchNorm have no bias (the BN's beta is the bias; fake-quant folds BN into
 * them). ReLU6 is a separate `ReLU({ maxValue: 6 })` layer, which fake-quant fuses with the
 * conv + BN before it and onnx-export writes as `Clip(0, 6)`.
 */
export function buildDscnn(options: BuildModelOptions, seed: number): tf.Sequential {
  const seeds = new KernelSeeds(seed);
  const bnRelu6 = (name: string): tf.layers.Layer[] => [
    tf.layers.batchNormalization({ name: `${name}_bn`, momentum: BN_MOMENTUM }),
    tf.layers.reLU({ maxValue: 6, name: `${name}_relu` }),
  ];
  const layers: tf.layers.Layer[] = [
    tf.layers.inputLayer({ inputShape: [...options.inputShape], name: 'input' }),
    tf.layers.conv2d({ filters: 16, kernelSize: 3, strides: 2, padding: 'same', useBias: false, kernelInitializer: seeds.glorot(), name: 'stem_conv' }),
    ...bnRelu6('stem'),
  ];
  DSCNN_BLOCKS.forEach(({ filters, strides }, i) => {
    const block = `block${i + 1}`;
    layers.push(
      tf.layers.depthwiseConv2d({ kernelSize: 3, strides, padding: 'same', useBias: false, depthwiseInitializer: seeds.glorot(), name: `${block}_dw` }),
      ...bnRelu6(`${block}_dw`),
      tf.layers.conv2d({ filters, kernelSize: 1, useBias: false, kernelInitializer: seeds.glorot(), name: `${block}_pw` }),
      ...bnRelu6(`${block}_pw`),
    );
  });
  layers.push(tf.layers.globalAveragePooling2d({ name: 'gap' }), tf.layers.dense({ units: options.classes, kernelInitializer: seeds.glorot(), name: 'head' }));
  return tf.sequential({ name: 'dscnn', layers });
}
