import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pythonHas, randomNormal, runPython } from '@quant-trim/test-utils';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { addOutputs } from '../../src/graph/addOutputs.js';
import { inferShapes } from '../../src/graph/inferShapes.js';
import { readOnnx } from '../../src/graph/readOnnx.js';
import { writeOnnx } from '../../src/graph/writeOnnx.js';
import { run } from './fixtures.js';

const torch = pythonHas(['torch', 'onnx']);
if (!torch.ok) console.warn(`skipping PyTorch interop tests: ${torch.reason}`);

/** conv-bn-relu-pool-conv-relu-avgpool(ceil)-view-linear, and a fake-quant twin that exports as Q/DQ. */
const EXPORT = `
import torch, torch.nn as nn, onnx
torch.manual_seed(0)
class Net(nn.Module):
    def __init__(self, fq):
        super().__init__()
        self.fq = fq
        self.conv1 = nn.Conv2d(3, 8, 3, padding=1)
        self.bn = nn.BatchNorm2d(8)
        self.pool = nn.MaxPool2d(2)
        self.conv2 = nn.Conv2d(8, 6, 3, stride=2, padding=1)
        self.avg = nn.AvgPool2d(3, stride=2, ceil_mode=True)
        self.fc = nn.Linear(6 * 2 * 2, 10)
    def forward(self, x):
        if self.fq:
            x = torch.fake_quantize_per_tensor_affine(x, 0.02, 128, 0, 255)
        y = self.pool(torch.relu(self.bn(self.conv1(x))))
        if self.fq:
            y = torch.fake_quantize_per_tensor_affine(y, 0.03, 0, 0, 255)
        y = self.avg(torch.relu(self.conv2(y)))
        return torch.softmax(self.fc(y.view(y.size(0), -1)), dim=1)
for name, fq in (('fp32', False), ('qdq', True)):
    net = Net(fq)
    net.bn.running_mean.uniform_(-0.5, 0.5); net.bn.running_var.uniform_(0.5, 2.0)
    net.eval()
    torch.onnx.export(net, torch.randn(2, 3, 16, 16), meta[name], opset_version=13, input_names=['input'], output_names=['probs'])
    onnx.checker.check_model(onnx.load(meta[name]))
outputs['ok'] = [1]
`;

describe.skipIf(!torch.ok)('models exported by torch.onnx.export (opset 13)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'qt-onnx-graph-'));
  const paths = { fp32: join(dir, 'fp32.onnx'), qdq: join(dir, 'qdq.onnx') };
  beforeAll(() => {
    runPython(EXPORT, {}, paths);
  }, 120_000);
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  test.each(['fp32', 'qdq'] as const)('%s: readOnnx → writeOnnx leaves ORT outputs bit-identical', async (which) => {
    const original = new Uint8Array(readFileSync(paths[which]));
    const model = readOnnx(original);
    if (which === 'qdq') expect(model.graph.nodes.filter((n) => n.opType === 'QuantizeLinear').length).toBe(2);
    const rewritten = writeOnnx(model);
    expect(writeOnnx(readOnnx(rewritten))).toEqual(rewritten);
    for (const seed of [1, 2, 3]) {
      const input = { data: randomNormal(2 * 3 * 16 * 16, 1, seed), dims: [2, 3, 16, 16] };
      const a = (await run(original, { input })).probs!;
      const b = (await run(rewritten, { input })).probs!;
      expect(b.dims).toEqual([2, 10]);
      expect(Array.from(b.data)).toEqual(Array.from(a.data));
    }
  });

  test.each(['fp32', 'qdq'] as const)('%s: inferShapes agrees with the shape ORT produces for every intermediate', async (which) => {
    const model = readOnnx(new Uint8Array(readFileSync(paths[which])));
    const shapes = inferShapes(model);
    const names = model.graph.nodes.flatMap((n) => n.outputs).filter((n) => n !== '');
    const unknown = names.filter((n) => shapes.get(n) === undefined);
    expect(unknown, `ops: ${model.graph.nodes.map((n) => n.opType).join(', ')}`).toEqual([]);
    const out = await run(writeOnnx(addOutputs(model, names)), { input: { data: randomNormal(2 * 3 * 16 * 16, 1, 4), dims: [2, 3, 16, 16] } });
    for (const name of names) expect(out[name]!.dims, name).toEqual(shapes.get(name));
  });
});
