import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { quantizeModel } from '@quant-trim/fake-quant';
import { exportOnnx } from '@quant-trim/onnx-export';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { importOnnx } from '../src/index.js';
import { exportTorchvision, nchwInput, ortOutput, relativeError, tfOutput, torch } from './helpers.js';

// Fully convolutional up to global pooling: small inputs keep CI fast (224×224 is in bench/).
const MODELS = [
  ['mobilenet_v2', 32],
  ['resnet18', 32],
  ['squeezenet1_1', 64],
] as const;

describe.skipIf(!torch.ok)('Debian torchvision classifiers (random init, BatchNorm recalibrated), opset 13', () => {
  const dir = mkdtempSync(join(tmpdir(), 'qt-onnx-import-'));
  const files = new Map<string, Uint8Array>();
  beforeAll(async () => {
    await tf.setBackend('cpu');
    for (const [model, size] of MODELS) {
      exportTorchvision(model, size, join(dir, `${model}.onnx`));
      exportTorchvision(model, size, join(dir, `${model}.folded.onnx`), { foldBn: true });
      files.set(model, new Uint8Array(readFileSync(join(dir, `${model}.onnx`))));
      files.set(`${model}.folded`, new Uint8Array(readFileSync(join(dir, `${model}.folded.onnx`))));
    }
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  test.each(MODELS)('%s (%i px): the imported model equals ONNX Runtime within 1e-4 relative, BatchNorm kept or folded', async (name, size) => {
    const dims = [2, 3, size, size];
    const input = nchwInput(dims, 1);
    for (const file of [name, `${name}.folded`]) {
      const bytes = files.get(file)!;
      const expected = await ortOutput(bytes, input, dims);
      expect(expected.length).toBe(2 * 1000);
      for (const batchNorm of ['keep', 'fold'] as const) {
        const model = importOnnx(bytes, { batchNorm });
        const error = relativeError(tfOutput(model, input, dims), expected);
        console.log(`${file} batchNorm '${batchNorm}': max relative error ${error.toExponential(2)} (${model.layers.length} layers)`);
        expect(error, `${file} ${batchNorm}`).toBeLessThan(1e-4);
        if (batchNorm === 'keep' && file === name && name !== 'squeezenet1_1')
          expect(model.layers.some((l) => l.getClassName() === 'BatchNormalization')).toBe(true);
        if (batchNorm === 'fold') expect(model.layers.some((l) => l.getClassName() === 'BatchNormalization')).toBe(false);
        model.dispose();
      }
    }
  });

  test.each(MODELS)('%s: quantizeModel quantizes every conv and dense layer and folds every BatchNorm (nothing stays float)', (name) => {
    const model = importOnnx(files.get(name)!);
    const q = quantizeModel(model);
    const statuses = new Map<string, Set<string>>();
    for (const l of q.layers) statuses.set(l.className, new Set([...(statuses.get(l.className) ?? []), l.status]));
    for (const cls of ['Conv2D', 'DepthwiseConv2D', 'Dense']) if (statuses.has(cls)) expect([...statuses.get(cls)!], cls).toEqual(['quantized']);
    if (statuses.has('BatchNormalization')) expect([...statuses.get('BatchNormalization')!]).toEqual(['folded']);
    expect(q.layers.filter((l) => l.status === 'float')).toEqual([]);
    q.dispose();
    model.dispose();
  });

  test.each(MODELS)('%s: import → exportOnnx gives ONNX Runtime outputs equal to the original within 1e-5', async (name, size) => {
    const dims = [2, 3, size, size];
    const input = nchwInput(dims, 2);
    const bytes = files.get(name)!;
    const model = importOnnx(bytes);
    const roundTrip = exportOnnx(model, { inputLayout: 'NCHW' }).bytes();
    const error = relativeError(await ortOutput(roundTrip, input, dims), await ortOutput(bytes, input, dims));
    console.log(`${name} round trip: max relative error ${error.toExponential(2)}`);
    expect(error).toBeLessThan(1e-5);
    model.dispose();
  });
});

/** Beyond the three: HardSwish / HardSigmoid squeeze-excitation, SiLU, channel split + shuffle, grouped convs. */
const MORE = [
  ['mobilenet_v3_small', 64, 13],
  ['efficientnet_b0', 64, 13],
  ['shufflenet_v2_x0_5', 64, 13],
  ['regnet_x_400mf', 64, 13],
  // Opsets with other op signatures: Split / Unsqueeze / Clip attributes (9), Softmax and ReduceMean forms (17).
  ['shufflenet_v2_x0_5', 64, 9],
  ['mobilenet_v3_small', 64, 17],
] as const;

describe.skipIf(!torch.ok)('more torchvision architectures and opsets (random init, BatchNorm recalibrated)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'qt-onnx-import-more-'));
  beforeAll(async () => {
    await tf.setBackend('cpu');
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  test.each(MORE)('%s (%i px, opset %i): the imported model equals ONNX Runtime within 1e-4 relative', async (name, size, opset) => {
    const file = join(dir, `${name}.${opset}.onnx`);
    exportTorchvision(name, size, file, { opset });
    const bytes = new Uint8Array(readFileSync(file));
    const dims = [2, 3, size, size];
    const input = nchwInput(dims, 3);
    const model = importOnnx(bytes);
    const error = relativeError(tfOutput(model, input, dims), await ortOutput(bytes, input, dims));
    console.log(`${name} opset ${opset}: max relative error ${error.toExponential(2)} (${model.layers.length} layers)`);
    expect(error).toBeLessThan(1e-4);
    model.dispose();
  });
});
