import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { exportOnnx } from '../../src/export/exportOnnx.js';
import { verifyExport } from '../../src/node/verifyExport.js';
import { cnn, dscnn, mlp, random, seed } from './models.js';
import { errorCode } from '@quant-trim/test-utils';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe('exportOnnx FP32: ONNX Runtime reproduces tfjs', () => {
  const cases: [string, () => tf.LayersModel, number[]][] = [
    ['MLP (Dense, Dropout, relu/tanh/softmax)', mlp, [16, 20]],
    ['CNN (Conv2D same/valid/strided, MaxPool, ReLU6, Flatten → Dense)', cnn, [8, 13, 11, 2]],
    ['depthwise-separable CNN (BatchNorm, ReLU6, depthwise ×2, Add, SeparableConv, Concat, AvgPool same, GAP)', dscnn, [6, 12, 12, 3]],
  ];
  for (const [title, build, shape] of cases) {
    it(`${title}: max relative error ≤ 1e-4 (NHWC and NCHW inputs)`, async () => {
      const model = seed(build(), 3);
      const x = random(shape, 9);
      for (const inputLayout of ['NHWC', 'NCHW'] as const) {
        const bytes = exportOnnx(model, { inputLayout }).bytes();
        const result = await verifyExport(model, bytes, x);
        expect(result.maxRelativeError, `${inputLayout}: ${JSON.stringify(result)}`).toBeLessThanOrEqual(1e-4);
        expect(result.top1Agreement).toBe(1);
        expect(result.ok).toBe(true);
      }
    });
  }

  it('unsupported layers raise a coded error naming the layer, its class and the supported list', () => {
    const model = tf.sequential({ layers: [tf.layers.layerNormalization({ inputShape: [4], name: 'norm' })] });
    expect(errorCode(() => exportOnnx(model))).toBe('QT_EXPORT_UNSUPPORTED_OP');
    expect(() => exportOnnx(model)).toThrow(/layer "norm" \(LayerNormalization\): no ONNX mapping; supported layers: InputLayer, Dense, /);
    expect(errorCode(() => exportOnnx(mlp(), { opset: 12 }))).toBe('QT_INVALID_ARGUMENT');
  });
});
