// Bundled by browserTraining.e2e.test.ts and run in headless Chromium: a few Quant-Trim steps on
// the wasm backend, from the package's public entry, exactly as a browser app would import it.
import * as tf from '@tensorflow/tfjs';
import { QuantTrimController, initTrainingBackend, quantizeModel } from '@quant-trim/fake-quant';

async function run(): Promise<unknown> {
  const info = await initTrainingBackend({ wasmPaths: '/wasm/' });
  const model = tf.sequential({
    layers: [
      tf.layers.conv2d({
        inputShape: [12, 12, 1],
        filters: 4,
        kernelSize: 3,
        activation: 'relu',
        kernelInitializer: tf.initializers.glorotUniform({ seed: 1 }),
      }),
      tf.layers.flatten(),
      tf.layers.dense({ units: 2, kernelInitializer: tf.initializers.glorotUniform({ seed: 2 }) }),
    ],
  });
  const steps = 30;
  const quantized = quantizeModel(model);
  quantized.model.compile({ optimizer: tf.train.adam(0.01), loss: (y: tf.Tensor, p: tf.Tensor) => tf.losses.softmaxCrossEntropy(y, p) });
  const controller = new QuantTrimController(quantized, { totalSteps: steps });
  // Two classes a conv net separates at once: a bright top half or a bright bottom half.
  const x = tf.tidy(() => {
    const top = tf.concat([tf.ones([8, 6, 12, 1]), tf.zeros([8, 6, 12, 1])], 1);
    return tf.concat([top, tf.reverse(top, 1)], 0);
  });
  const y = tf.oneHot(tf.tensor1d([...Array(8).fill(0), ...Array(8).fill(1)], 'int32'), 2).toFloat();
  const losses: number[] = [];
  let lambda = 0;
  for (let i = 0; i < steps; i++) {
    lambda = controller.beginStep().lambda;
    const loss = (await quantized.model.trainOnBatch(x, y)) as number;
    await controller.endStep({ loss });
    losses.push(loss);
  }
  return {
    backend: info.backend,
    simd: info.simd,
    kernels: info.kernels.length,
    first: losses[0],
    last: losses.at(-1),
    lambda,
    finite: losses.every(Number.isFinite),
  };
}

(window as unknown as { result: Promise<unknown> }).result = run().catch((e: Error) => ({ error: `${e.name}: ${e.message}` }));
