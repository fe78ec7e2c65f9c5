import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { importOnnx } from '../src/index.js';
import { nchwInput, ortOutput, pythonExport, relativeError, tfOutput, torch } from './helpers.js';

/** A tiny net touching every trainable layer kind the importer builds, with smooth activations (finite differences hate kinks). */
const TINY = `
import sys, torch, torch.nn as nn, torch.nn.functional as F
torch.manual_seed(0)
class Tiny(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(2, 4, 3, stride=2)
        self.bn = nn.BatchNorm2d(4)
        self.depthwise = nn.Conv2d(4, 4, 3, padding=1, groups=4)
        self.grouped = nn.Conv2d(4, 6, 1, groups=2)
        self.up = nn.ConvTranspose2d(6, 3, 2, stride=2)
        self.fc = nn.Linear(3, 5)
    def forward(self, x):
        x = torch.tanh(self.bn(self.conv(F.pad(x, (0, 1, 1, 0)))))
        x = F.hardswish(self.depthwise(x))
        x = torch.sigmoid(self.grouped(x))
        x = torch.tanh(self.up(x))
        return self.fc(F.adaptive_avg_pool2d(x, 1).flatten(1))
m = Tiny()
m.bn.running_mean.uniform_(-0.2, 0.2); m.bn.running_var.uniform_(0.5, 1.5)
m.bn.weight.data.uniform_(0.5, 1.5); m.bn.bias.data.uniform_(-0.2, 0.2)
m.eval()
torch.onnx.export(m, torch.randn(1, 2, 9, 9), sys.argv[1], opset_version=13, input_names=['input'], output_names=['out'], training=torch.onnx.TrainingMode.PRESERVE)
`;

describe.skipIf(!torch.ok)('gradients of an imported model', () => {
  const dir = mkdtempSync(join(tmpdir(), 'qt-onnx-import-grad-'));
  let bytes: Uint8Array;
  beforeAll(async () => {
    await tf.setBackend('cpu');
    pythonExport(TINY, join(dir, 'tiny.onnx'));
    bytes = new Uint8Array(readFileSync(join(dir, 'tiny.onnx')));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  test('the tiny model imports (grouped conv, transposed conv, asymmetric pad, HardSwish) and equals ONNX Runtime', async () => {
    const model = importOnnx(bytes);
    const classes = model.layers.map((l) => l.getClassName());
    for (const cls of [
      'ZeroPadding2D',
      'BatchNormalization',
      'DepthwiseConv2D',
      'QuantTrimOnnxGroupedConv2D',
      'Conv2DTranspose',
      'QuantTrimOnnxHardSwish',
      'Dense',
    ])
      expect(classes).toContain(cls);
    const input = nchwInput([1, 2, 9, 9], 11);
    expect(relativeError(tfOutput(model, input, [1, 2, 9, 9]), await ortOutput(bytes, input, [1, 2, 9, 9]))).toBeLessThan(1e-5);
    model.dispose();
  });

  test('every trainable weight and the input get the gradients central finite differences give', () => {
    const model = importOnnx(bytes);
    const x = tf.tensor(nchwInput([2, 2, 9, 9], 12), [2, 2, 9, 9]).transpose([0, 2, 3, 1]);
    const r = tf.randomNormal([2, 5], 0, 1, 'float32', 13);
    const loss = () => tf.sum(tf.mul(model.apply(x, { training: false }) as tf.Tensor, r)) as tf.Scalar;
    const value = () => tf.tidy(() => loss().dataSync()[0]!);
    const { grads } = tf.variableGrads(
      loss,
      model.trainableWeights.map((w) => (w as unknown as { val: tf.Variable }).val),
    );
    const weights = model.trainableWeights;
    expect(weights.length).toBeGreaterThanOrEqual(12);
    const eps = 1e-2;
    let checked = 0;
    let worst = 0;
    for (const w of weights) {
      const variable = (w as unknown as { val: tf.Variable }).val;
      const analytic = grads[variable.name]!.dataSync();
      const values = variable.dataSync().slice();
      // A few elements per tensor: the largest-gradient one and some spread over the tensor.
      const picks = new Set([
        Array.from(analytic).reduce((best, g, i) => (Math.abs(g) > Math.abs(analytic[best]!) ? i : best), 0),
        0,
        values.length >> 1,
        values.length - 1,
      ]);
      for (const i of picks) {
        const at = (delta: number) => {
          const v = values.slice();
          v[i] = v[i]! + delta;
          variable.assign(tf.tensor(v, variable.shape));
          return value();
        };
        const numeric = (at(eps) - at(-eps)) / (2 * eps);
        variable.assign(tf.tensor(values, variable.shape));
        const error = Math.abs(numeric - analytic[i]!) / Math.max(Math.abs(analytic[i]!), 1e-1);
        worst = Math.max(worst, error);
        expect(error, `${w.name}[${i}]: finite difference ${numeric}, gradient ${analytic[i]}`).toBeLessThan(1e-2);
        checked++;
      }
    }
    console.log(`${checked} weight elements over ${weights.length} tensors: worst relative gap ${worst.toExponential(2)}`);
    // The input gradient goes through every layer, pads and layout changes included.
    const dx = tf
      .grad((input: tf.Tensor) => tf.sum(tf.mul(model.apply(input, { training: false }) as tf.Tensor, r)))(x)
      .dataSync();
    const xs = x.dataSync().slice();
    for (const i of [0, 17, 101, xs.length - 1]) {
      const at = (delta: number) =>
        tf.tidy(() => {
          const v = xs.slice();
          v[i] = v[i]! + delta;
          return tf.sum(tf.mul(model.apply(tf.tensor(v, x.shape), { training: false }) as tf.Tensor, r)).dataSync()[0]!;
        });
      const numeric = (at(eps) - at(-eps)) / (2 * eps);
      expect(Math.abs(numeric - dx[i]!) / Math.max(Math.abs(dx[i]!), 1e-1), `input[${i}]`).toBeLessThan(1e-2);
    }
    tf.dispose([x, r, ...Object.values(grads)]);
    model.dispose();
  });
});
