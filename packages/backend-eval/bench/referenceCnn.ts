/** The benches' reference CNN (28×28, conv 8 → pool → conv 16 → dense 10), trained briefly on synthetic digits and exported to ONNX, with its test and calibration images. */
import * as tf from '@tensorflow/tfjs';
import { initTrainingBackend } from '@quant-trim/fake-quant';
import { exportOnnx } from '@quant-trim/onnx-export';
import { syntheticDigits } from '@quant-trim/test-utils';

export async function referenceCnn() {
  const SIZE = 28;

  await initTrainingBackend({ backend: 'wasm' });
  const train = syntheticDigits(3000, { seed: 1, size: SIZE });
  const test = syntheticDigits(10_000, { seed: 2, size: SIZE });
  const calibration = syntheticDigits(512, { seed: 3, size: SIZE });
  const model = tf.sequential({
    layers: [
      tf.layers.conv2d({
        inputShape: [SIZE, SIZE, 1],
        filters: 8,
        kernelSize: 3,
        activation: 'relu',
        name: 'conv1',
        kernelInitializer: tf.initializers.glorotUniform({ seed: 1 }),
      }),
      tf.layers.maxPooling2d({ poolSize: 2, name: 'pool' }),
      tf.layers.conv2d({ filters: 16, kernelSize: 3, activation: 'relu', name: 'conv2', kernelInitializer: tf.initializers.glorotUniform({ seed: 2 }) }),
      tf.layers.flatten({ name: 'flatten' }),
      tf.layers.dense({ units: 10, name: 'head', kernelInitializer: tf.initializers.glorotUniform({ seed: 3 }) }),
    ],
  });
  model.compile({ optimizer: tf.train.adam(3e-3), loss: tf.losses.softmaxCrossEntropy });
  const x = tf.tensor4d(train.pixels, train.shape);
  const y = tf.oneHot(tf.tensor1d(train.labels, 'int32'), 10).toFloat();
  await model.fit(x, y, { epochs: 2, batchSize: 50, verbose: 0 });
  tf.dispose([x, y]);
  // NHWC export: one sample is [28, 28, 1], exactly the pixels' layout.
  const onnx = exportOnnx(model).bytes();
  return { onnx, test, calibration, SIZE };
}
