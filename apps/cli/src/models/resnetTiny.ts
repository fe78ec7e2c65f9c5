import * as tf from '@tensorflow/tfjs';
import { BN_MOMENTUM, KernelSeeds } from './seeds.js';
import type { BuildModelOptions } from './types.js';

type Sym = tf.SymbolicTensor;

/**
 * `resnet-tiny`, a functional model with residual Adds: `stem` Conv 16 3×3 stride 2 + BN + ReLU;
 * `block1` (16 channels, identity shortcut) and `block2` (32 channels, stride 2, 1×1 conv + BN
 * projection shortcut), each Conv-BN-ReLU-Conv-BN + shortcut → Add → ReLU; GlobalAveragePooling2D;
 * Dense `classes` (logits). Convs before a BatchNorm have no bias.
 *
 * The stem has stride 2 (28×28 → 14×14 → 7×7) because float training of BatchNorm is slow on
 * the wasm backend (tfjs's BatchNorm gradient tiles full-size tensors): at stride 1 one epoch of
 * 8,000 28×28 samples took ~200 s on 2 cores.
 */
export function buildResnetTiny(options: BuildModelOptions, seed: number): tf.LayersModel {
  const seeds = new KernelSeeds(seed);
  const conv = (x: Sym, filters: number, kernelSize: number, strides: number, name: string): Sym =>
    tf.layers.conv2d({ filters, kernelSize, strides, padding: 'same', useBias: false, kernelInitializer: seeds.glorot(), name }).apply(x) as Sym;
  const bn = (x: Sym, name: string): Sym => tf.layers.batchNormalization({ name, momentum: BN_MOMENTUM }).apply(x) as Sym;
  const relu = (x: Sym, name: string): Sym => tf.layers.reLU({ name }).apply(x) as Sym;

  const block = (x: Sym, filters: number, strides: number, name: string): Sym => {
    let y = relu(bn(conv(x, filters, 3, strides, `${name}_conv1`), `${name}_bn1`), `${name}_relu1`);
    y = bn(conv(y, filters, 3, 1, `${name}_conv2`), `${name}_bn2`);
    const channels = x.shape[3];
    const shortcut = strides === 1 && channels === filters ? x : bn(conv(x, filters, 1, strides, `${name}_proj`), `${name}_proj_bn`);
    return relu(tf.layers.add({ name: `${name}_add` }).apply([y, shortcut]) as Sym, `${name}_relu`);
  };

  const input = tf.input({ shape: [...options.inputShape], name: 'input' });
  let x = relu(bn(conv(input, 16, 3, 2, 'stem_conv'), 'stem_bn'), 'stem_relu');
  x = block(x, 16, 1, 'block1');
  x = block(x, 32, 2, 'block2');
  x = tf.layers.globalAveragePooling2d({ name: 'gap' }).apply(x) as Sym;
  const logits = tf.layers.dense({ units: options.classes, kernelInitializer: seeds.glorot(), name: 'head' }).apply(x) as Sym;
  return tf.model({ name: 'resnet-tiny', inputs: input, outputs: logits });
}
