// Bundled by dataParallel.e2e.test.ts: one replica of a data-parallel run in a Web Worker of a
// cross-origin-isolated page, from the package's public entry: a small BatchNorm CNN trained with
// QAT on seeded batches, its rows of each batch, then its weights posted back.
import * as tf from '@tensorflow/tfjs';
import { DataParallelReplica, initTrainingBackend, quantizeModel, sharedMemoryCollective } from '@quant-trim/fake-quant';

interface Job {
  readonly buffer: SharedArrayBuffer;
  readonly rank: number;
  readonly size: number;
  readonly steps: number;
}

function model(): tf.LayersModel {
  const glorot = (seed: number) => tf.initializers.glorotUniform({ seed });
  const input = tf.input({ shape: [8, 8, 1] });
  let x = tf.layers.conv2d({ filters: 4, kernelSize: 3, padding: 'same', useBias: false, kernelInitializer: glorot(1) }).apply(input) as tf.SymbolicTensor;
  x = tf.layers.batchNormalization().apply(x) as tf.SymbolicTensor;
  x = tf.layers.reLU().apply(x) as tf.SymbolicTensor;
  x = tf.layers.flatten().apply(x) as tf.SymbolicTensor;
  const out = tf.layers.dense({ units: 2, activation: 'softmax', kernelInitializer: glorot(2) }).apply(x) as tf.SymbolicTensor;
  return tf.model({ inputs: input, outputs: out });
}

self.onmessage = async (event: MessageEvent<Job>) => {
  const { buffer, rank, size, steps } = event.data;
  try {
    await initTrainingBackend({ wasmPaths: '/wasm/' });
    const replica = new DataParallelReplica(sharedMemoryCollective(buffer, rank, size));
    const q = quantizeModel(model(), { batchNorm: 'keep', lambda: 1 });
    q.model.compile({ optimizer: tf.train.adam(0.01), loss: 'categoricalCrossentropy' });
    const losses: number[] = [];
    for (let step = 0; step < steps; step++) {
      // Every replica builds the same global batch of 12 (seeded) and trains its rows of it.
      const x = tf.randomUniform([12, 8, 8, 1], 0, 1, 'float32', 100 + step);
      const y = tf
        .oneHot(
          tf.tensor1d(
            Array.from({ length: 12 }, (_, i) => (i + step) % 2),
            'int32',
          ),
          2,
        )
        .toFloat();
      losses.push(await replica.trainOnBatch(q.model, x, y));
      tf.dispose([x, y]);
    }
    const weights = Object.fromEntries(q.model.weights.map((w) => [w.originalName, Array.from(w.read().dataSync())]));
    postMessage({ rank, losses, weights });
  } catch (e) {
    postMessage({ rank, error: `${(e as Error).name}: ${(e as Error).message}` });
  }
};
