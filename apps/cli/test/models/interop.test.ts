import * as tf from '@tensorflow/tfjs';
import * as ort from 'onnxruntime-node';
import { initTrainingBackend, quantizeModel } from '@quant-trim/fake-quant';
import { exportOnnx } from '@quant-trim/onnx-export';
import { expectClose } from '@quant-trim/test-utils';
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { MODEL_NAMES, buildModel } from '../../src/models/index.js';

const OPTIONS = { inputShape: [28, 28, 1], classes: 10, seed: 5 } as const;

beforeAll(async () => {
  await initTrainingBackend({ backend: 'wasm' });
});
afterEach(() => vi.restoreAllMocks());

/** Gives every BatchNorm non-trivial statistics, so the export's BN handling is really compared. */
function randomizeBatchNorm(model: tf.LayersModel): void {
  let seed = 100;
  for (const layer of model.layers.filter((l) => l.getClassName() === 'BatchNormalization')) {
    // gamma, beta, moving mean, moving variance
    const n = layer.weights[0]!.shape[0]!;
    const values = [
      tf.randomUniform([n], 0.5, 1.5, 'float32', seed++),
      tf.randomUniform([n], -0.5, 0.5, 'float32', seed++),
      tf.randomUniform([n], -0.5, 0.5, 'float32', seed++),
      tf.randomUniform([n], 0.5, 1.5, 'float32', seed++),
    ];
    layer.setWeights(values);
    tf.dispose(values);
  }
}

async function runOnnx(bytes: Uint8Array, x: tf.Tensor): Promise<{ data: Float32Array; dims: readonly number[] }> {
  const session = await ort.InferenceSession.create(bytes);
  try {
    // exportOnnx keeps the tfjs NHWC input layout by default: the tfjs batch is fed as is.
    const feeds = { [session.inputNames[0]!]: new ort.Tensor('float32', x.dataSync() as Float32Array, x.shape) };
    const out = (await session.run(feeds))[session.outputNames[0]!]!;
    return { data: out.data as Float32Array, dims: out.dims };
  } finally {
    await session.release();
  }
}

describe.each(MODEL_NAMES)('%s with fake-quant and onnx-export', (name) => {
  it('quantizes without warnings and exports FP32 (matching tfjs in ONNX Runtime) and QDQ', async () => {
    const model = buildModel(name, OPTIONS);
    randomizeBatchNorm(model);
    const x = tf.randomUniform([4, 28, 28, 1], 0, 1, 'float32', 42);

    // (1) fake-quant: every layer known, nothing left float.
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    const quantized = quantizeModel(model);
    expect(warn).not.toHaveBeenCalled();
    expect(quantized.warnings).toEqual([]);
    expect(quantized.layers.filter((l) => l.status === 'float')).toEqual([]);
    const weighted = model.layers.filter((l) => ['Dense', 'Conv2D', 'DepthwiseConv2D'].includes(l.getClassName())).map((l) => l.name);
    expect(
      quantized.layers
        .filter((l) => l.status === 'quantized')
        .map((l) => l.name)
        .sort(),
    ).toEqual([...weighted].sort());
    if (name === 'dscnn' || name === 'resnet-tiny') {
      const bns = model.layers.filter((l) => l.getClassName() === 'BatchNormalization').map((l) => l.name);
      expect(
        quantized.layers
          .filter((l) => l.status === 'folded')
          .map((l) => l.name)
          .sort(),
      ).toEqual([...bns].sort());
    }
    // calibrate the observers a little before the QDQ export
    for (let i = 0; i < 2; i++) tf.tidy(() => void quantized.model.apply(tf.randomUniform([16, 28, 28, 1], 0, 1, 'float32', i), { training: true }));

    // (2) export in both formats
    const fp32 = exportOnnx(model, { format: 'fp32' });
    const qdq = exportOnnx(quantized.model, { format: 'qdq' });
    expect(qdq.encodings.tensors.some((t) => t.kind === 'weight')).toBe(true);
    expect(qdq.model.graph.nodes.some((n) => n.opType === 'QuantizeLinear')).toBe(true);
    if (name === 'dscnn') expect(fp32.model.graph.nodes.filter((n) => n.opType === 'Clip').length).toBe(5); // ReLU6 → Clip(0, 6)
    if (name === 'resnet-tiny') expect(fp32.model.graph.nodes.filter((n) => ['Add', 'Sum'].includes(n.opType)).length).toBe(2); // the residual Adds
    expect(warn).not.toHaveBeenCalled();

    // (3) FP32 in ONNX Runtime equals tfjs predict
    const expected = tf.tidy(() => model.predict(x) as tf.Tensor);
    const got = await runOnnx(fp32.bytes(), x);
    expect(got.dims).toEqual([4, 10]);
    expectClose(got.data, expected.dataSync(), { atol: 1e-4, what: `${name} fp32 logits` });

    // QDQ runs in ONNX Runtime and stays close to the fake-quant model
    const qExpected = tf.tidy(() => quantized.model.predict(x) as tf.Tensor);
    const qGot = await runOnnx(qdq.bytes(), x);
    expect(qGot.dims).toEqual([4, 10]);
    const top1 = (d: ArrayLike<number>) =>
      Array.from({ length: 4 }, (_, r) =>
        Array.from(d)
          .slice(r * 10, r * 10 + 10)
          .reduce((best, v, i, row) => (v > row[best]! ? i : best), 0),
      );
    expect(top1(qGot.data)).toEqual(top1(qExpected.dataSync()));

    tf.dispose([x, expected, qExpected]);
    quantized.model.dispose();
    model.dispose();
  });
});
