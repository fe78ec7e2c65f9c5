import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { readOnnx } from '@quant-trim/onnx-export';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { importOnnx } from '../src/index.js';
import { nchwInput, ortOutput, pythonExport, relativeError, tfOutput, torch } from './helpers.js';

/** One small PyTorch module per group of ops, exported at opset 13 (shape chains and all). */
const MODULES: Record<string, { code: string; input: number[]; ops: string[]; dynamicBatch?: boolean }> = {
  activations: {
    code: `
class M(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(3, 6, 3, padding=2, dilation=2)
    def forward(self, x):
        y = self.conv(x)
        a = F.leaky_relu(y, 0.1) + torch.sigmoid(y) * torch.tanh(y)
        b = torch.clamp(y, -0.5, 0.75) - F.hardsigmoid(y) / 2.0
        c = F.relu6(y) * F.hardswish(y)
        return torch.softmax(torch.cat([a, b, c], 1), 1)`,
    input: [2, 3, 10, 10],
    ops: ['LeakyRelu', 'Sigmoid', 'Tanh', 'Clip', 'HardSigmoid', 'Div', 'Sub', 'Concat', 'Softmax'],
  },
  pooling: {
    code: `
class M(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(3, 4, 3, stride=2, padding=1)
    def forward(self, x):
        y = self.conv(x)
        a = F.max_pool2d(y, 3, stride=2, padding=1, ceil_mode=True)
        b = F.avg_pool2d(y, 3, stride=2, padding=1, ceil_mode=False, count_include_pad=True)
        c = F.avg_pool2d(y, 2, stride=2, ceil_mode=True)
        d = F.pad(y, (1, 0, 2, 1), value=-1.5)
        return torch.cat([a.flatten(1), b.flatten(1), c.flatten(1), d.flatten(1)], 1)`,
    input: [2, 3, 15, 15],
    ops: ['MaxPool', 'AveragePool', 'Pad'],
  },
  reshapes: {
    code: `
class M(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(3, 8, 1)
        self.w = nn.Parameter(torch.randn(8 * 4 * 4, 5) * 0.1)
        self.b = nn.Parameter(torch.randn(5))
        self.up = nn.ConvTranspose2d(8, 2, 3, stride=2, padding=1, output_padding=1)
    def forward(self, x):
        y = self.conv(x)
        n, c, h, w = y.shape
        shuffled = y.view(n, 2, c // 2, h, w).transpose(1, 2).reshape(n, c, h, w)
        t = shuffled.permute(0, 2, 3, 1).contiguous().permute(0, 3, 1, 2)
        z = t.reshape(y.size(0), -1) @ self.w + self.b
        return torch.cat([z, self.up(t).mean(dim=(2, 3))], 1)`,
    input: [1, 3, 4, 4],
    // A symbolic batch makes the exporter compute reshape targets with Shape → Gather → Unsqueeze → Concat.
    dynamicBatch: true,
    ops: ['Shape', 'Gather', 'Unsqueeze', 'Concat', 'Reshape', 'Transpose', 'MatMul', 'ConvTranspose'],
  },
};

const PRELUDE = `
import sys, torch, torch.nn as nn, torch.nn.functional as F
torch.manual_seed(0)`;

const exportCode = (code: string, input: number[], dynamicBatch = false) => `${PRELUDE}
${code}
torch.onnx.export(M().eval(), torch.randn(${input.join(', ')}), sys.argv[1], opset_version=13, input_names=['input'], output_names=['out']${dynamicBatch ? ", dynamic_axes={'input': {0: 'n'}, 'out': {0: 'n'}}" : ''})
`;

/** tf2onnx's shape: an NHWC input transposed to NCHW, a Conv, then transposed back (built with onnx.helper). */
const TF2ONNX = `
import sys, numpy as np, onnx
from onnx import helper, numpy_helper, TensorProto
rng = np.random.default_rng(0)
w = numpy_helper.from_array(rng.standard_normal((4, 3, 3, 3)).astype(np.float32), 'w')
b = numpy_helper.from_array(rng.standard_normal(4).astype(np.float32), 'b')
scale = numpy_helper.from_array(np.array([0.5], np.float32), 'scale')
nodes = [
    helper.make_node('Transpose', ['input'], ['nchw'], perm=[0, 3, 1, 2], name='to_nchw'),
    helper.make_node('Mul', ['nchw', 'scale'], ['scaled'], name='scale'),
    helper.make_node('Conv', ['scaled', 'w', 'b'], ['conv'], pads=[1, 1, 1, 1], name='conv'),
    helper.make_node('Relu', ['conv'], ['relu'], name='relu'),
    helper.make_node('Transpose', ['relu'], ['out'], perm=[0, 2, 3, 1], name='to_nhwc'),
]
graph = helper.make_graph(nodes, 'tf2onnx_like', [helper.make_tensor_value_info('input', TensorProto.FLOAT, [1, 6, 6, 3])],
                          [helper.make_tensor_value_info('out', TensorProto.FLOAT, [1, 6, 6, 4])], [w, b, scale])
model = helper.make_model(graph, opset_imports=[helper.make_opsetid('', 13)])
onnx.checker.check_model(model)
onnx.save(model, sys.argv[1])
`;

describe.skipIf(!torch.ok)('ops exported by PyTorch (opset 13)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'qt-onnx-import-ops-'));
  const files = new Map<string, Uint8Array>();
  beforeAll(async () => {
    await tf.setBackend('cpu');
    for (const [name, m] of Object.entries(MODULES)) {
      pythonExport(exportCode(m.code, m.input, m.dynamicBatch), join(dir, `${name}.onnx`));
      files.set(name, new Uint8Array(readFileSync(join(dir, `${name}.onnx`))));
    }
    pythonExport(TF2ONNX, join(dir, 'tf2onnx.onnx'));
    files.set('tf2onnx', new Uint8Array(readFileSync(join(dir, 'tf2onnx.onnx'))));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  test.each(Object.keys(MODULES))('%s: the imported model equals ONNX Runtime within 1e-5 relative', async (name) => {
    const { input: dims, ops } = MODULES[name]!;
    const bytes = files.get(name)!;
    const present = new Set(readOnnx(bytes).graph.nodes.map((n) => n.opType));
    for (const op of ops) expect(present, `the export contains ${op}`).toContain(op);
    const model = importOnnx(bytes);
    const input = nchwInput(dims, 21);
    const error = relativeError(tfOutput(model, input, dims), await ortOutput(bytes, input, dims));
    console.log(`${name}: max relative error ${error.toExponential(2)}; layers ${[...new Set(model.layers.map((l) => l.getClassName()))].join(', ')}`);
    expect(error).toBeLessThan(1e-5);
    model.dispose();
  });

  test('an NHWC input that the graph transposes to NCHW (tf2onnx) stays NHWC in tfjs, with no transposes left', async () => {
    const bytes = files.get('tf2onnx')!;
    const model = importOnnx(bytes);
    expect(model.inputs[0]!.shape).toEqual([null, 6, 6, 3]);
    expect(model.layers.map((l) => l.getClassName())).not.toContain('Permute');
    const input = nchwInput([1, 6, 6, 3], 22);
    const expected = await ortOutput(bytes, input, [1, 6, 6, 3]);
    const actual = tf.tidy(() => (model.predict(tf.tensor(input, [1, 6, 6, 3])) as tf.Tensor).dataSync());
    expect(relativeError(actual, expected)).toBeLessThan(1e-5);
    model.dispose();
  });
});
