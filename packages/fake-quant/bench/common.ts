import * as tf from '@tensorflow/tfjs';

/** `--name <number>` from the command line, or `fallback`. */
export function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
}

/** The middle value (upper middle for an even count). */
export const median = (v: number[]): number => [...v].sort((a, b) => a - b)[v.length >> 1]!;

/** Batch size of every fake-quant bench row. */
export const BATCH = 64;

/** The reference CNN: conv 8 → max-pool → conv 16 → dense 10 (softmax), on 28×28×1 inputs. */
export function referenceCnn(): tf.Sequential {
  return tf.sequential({
    layers: [
      tf.layers.conv2d({ inputShape: [28, 28, 1], filters: 8, kernelSize: 3, activation: 'relu' }),
      tf.layers.maxPooling2d({ poolSize: 2 }),
      tf.layers.conv2d({ filters: 16, kernelSize: 3, activation: 'relu' }),
      tf.layers.flatten(),
      tf.layers.dense({ units: 10, activation: 'softmax' }),
    ],
  });
}
