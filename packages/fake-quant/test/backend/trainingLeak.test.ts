import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { initTrainingBackend } from '../../src/backend/initTrainingBackend.js';

/** The reference CNN of BENCHMARKS.md, "fake-quant: training throughput, float vs QAT". */
function referenceCnn(): tf.LayersModel {
  const model = tf.sequential({
    layers: [
      tf.layers.conv2d({ inputShape: [28, 28, 1], filters: 8, kernelSize: 3, activation: 'relu' }),
      tf.layers.maxPooling2d({ poolSize: 2 }),
      tf.layers.conv2d({ filters: 16, kernelSize: 3, activation: 'relu' }),
      tf.layers.flatten(),
      tf.layers.dense({ units: 10, activation: 'softmax' }),
    ],
  });
  model.compile({ optimizer: tf.train.adam(1e-3), loss: 'categoricalCrossentropy' });
  return model;
}

/** Exercises the other kernels: depthwise (multiplier 2, strided), strided conv, overlapping pool. */
function otherKernelsNet(): tf.LayersModel {
  const model = tf.sequential({
    layers: [
      tf.layers.depthwiseConv2d({ inputShape: [12, 12, 3], kernelSize: 3, depthMultiplier: 2, strides: 2, padding: 'same', activation: 'relu' }),
      tf.layers.conv2d({ filters: 8, kernelSize: 3, strides: 2, padding: 'same' }),
      tf.layers.maxPooling2d({ poolSize: 3, strides: 1, padding: 'same' }),
      tf.layers.depthwiseConv2d({ kernelSize: 2 }),
      tf.layers.flatten(),
      tf.layers.dense({ units: 4, activation: 'softmax' }),
    ],
  });
  model.compile({ optimizer: tf.train.adam(1e-3), loss: 'categoricalCrossentropy' });
  return model;
}

/** Plain tfjs BatchNorm (its gradient tiles 1/σ: the Tile kernel), depthwise and ReLU6. */
function batchNormNet(): tf.LayersModel {
  const model = tf.sequential({
    layers: [
      tf.layers.conv2d({ inputShape: [14, 14, 1], filters: 8, kernelSize: 3, strides: 2, padding: 'same', useBias: false }),
      tf.layers.batchNormalization({ momentum: 0.9 }),
      tf.layers.reLU({ maxValue: 6 }),
      tf.layers.depthwiseConv2d({ kernelSize: 3, padding: 'same', useBias: false }),
      tf.layers.batchNormalization({ momentum: 0.9 }),
      tf.layers.reLU({ maxValue: 6 }),
      tf.layers.globalAveragePooling2d({}),
      tf.layers.dense({ units: 4, activation: 'softmax' }),
    ],
  });
  model.compile({ optimizer: tf.train.adam(1e-3), loss: 'categoricalCrossentropy' });
  return model;
}

interface Snapshot {
  readonly numTensors: number;
  readonly numBytes: number;
  readonly numDataBuffers: number;
  /** Data buffers the backend itself holds: intermediates our kernels allocate show up here only. */
  readonly backendDataIds: number;
  /** Size of the wasm module's linear memory (it only grows; a leak inside wasm grows it). */
  readonly wasmHeapBytes: number;
}

function snapshot(): Snapshot {
  const { numTensors, numBytes, numDataBuffers } = tf.memory();
  const backend = tf.backend() as tf.KernelBackend & { wasm?: { HEAPU8: Uint8Array } };
  return { numTensors, numBytes, numDataBuffers, backendDataIds: backend.numDataIds(), wasmHeapBytes: backend.wasm?.HEAPU8.length ?? 0 };
}

/** Trains for `steps`, returning the memory after step `early` and after the last step. */
async function train(model: tf.LayersModel, input: number[], classes: number, batch: number, steps: number, early: number) {
  const xs = tf.randomUniform([batch, ...input], 0, 1, 'float32', 1);
  const ys = tf.tidy(() => tf.oneHot(tf.randomUniform([batch], 0, classes, 'int32', 2), classes).toFloat());
  let after: Snapshot | undefined;
  let firstLoss = 0;
  let lastLoss = 0;
  for (let step = 1; step <= steps; step++) {
    lastLoss = (await model.trainOnBatch(xs, ys)) as number;
    if (step === 1) firstLoss = lastLoss;
    if (step === early) after = snapshot();
  }
  const end = snapshot();
  tf.dispose([xs, ys]);
  return { early: after!, end, firstLoss, lastLoss };
}

describe('training with the kernels leaks nothing', () => {
  it('reference CNN, 1,000 steps on wasm: tensors, bytes, backend buffers and wasm heap are stable', async () => {
    await initTrainingBackend({ backend: 'wasm' });
    const model = referenceCnn();
    const { early, end, firstLoss, lastLoss } = await train(model, [28, 28, 1], 10, 16, 1000, 10);
    expect(end).toEqual(early);
    expect(end.wasmHeapBytes).toBeGreaterThan(0);
    expect(lastLoss).toBeLessThan(firstLoss); // it did train (memorising one fixed batch)
    model.dispose();
  });

  it('depthwise, strided and overlapping-pool net, 300 steps on wasm', async () => {
    await initTrainingBackend({ backend: 'wasm' });
    const model = otherKernelsNet();
    const { early, end } = await train(model, [12, 12, 3], 4, 8, 300, 10);
    expect(end).toEqual(early);
    model.dispose();
  });

  it('plain tfjs BatchNorm net, 300 steps on wasm', async () => {
    await initTrainingBackend({ backend: 'wasm' });
    const model = batchNormNet();
    const { early, end } = await train(model, [14, 14, 1], 4, 8, 300, 10);
    expect(end).toEqual(early);
    model.dispose();
  });

  it('both nets, 40 steps on cpu with the kernels', async () => {
    await initTrainingBackend({ backend: 'cpu' });
    for (const [model, input, classes] of [
      [referenceCnn(), [28, 28, 1], 10],
      [otherKernelsNet(), [12, 12, 3], 4],
    ] as const) {
      const { early, end } = await train(model, [...input], classes, 8, 40, 10);
      expect(end).toEqual(early);
      model.dispose();
    }
  });
});
