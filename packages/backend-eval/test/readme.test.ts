import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readOnnx, writeOnnx } from '@quant-trim/onnx-export';
import { readmeExample, syntheticDigits } from '@quant-trim/test-utils';
import { buildModel, DataType, ort, runOrt } from '@quant-trim/test-utils/onnx';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { validateReport } from '../src/report/validateReport.js';

afterEach(() => vi.restoreAllMocks());

const captureLog = () => {
  const lines: string[] = [];
  vi.spyOn(console, 'log').mockImplementation((...args: unknown[]) => void lines.push(args.join(' ')));
  return lines;
};

/** x[N,1,28,28] → Conv(4, 5×5) → Relu → Flatten → Gemm → logits[N,10], fixed pseudo-random weights. */
function tinyModel(): Uint8Array {
  const w = (n: number, seed: number, amp: number) => Array.from({ length: n }, (_, i) => Math.sin(i * 12.9898 + seed * 78.233) * amp);
  const model = readOnnx(
    buildModel({
      opset: 13,
      inputs: [{ name: 'x', dataType: DataType.FLOAT, dims: [1, 1, 28, 28] }],
      outputs: [{ name: 'logits', dataType: DataType.FLOAT, dims: [1, 10] }],
      initializers: [
        { name: 'w1', dataType: DataType.FLOAT, dims: [4, 1, 5, 5], values: w(100, 1, 0.4) },
        { name: 'b1', dataType: DataType.FLOAT, dims: [4], values: w(4, 2, 0.1) },
        { name: 'w2', dataType: DataType.FLOAT, dims: [10, 2304], values: w(23040, 3, 0.05) },
        { name: 'b2', dataType: DataType.FLOAT, dims: [10], values: w(10, 4, 0.1) },
      ],
      nodes: [
        { opType: 'Conv', inputs: ['x', 'w1', 'b1'], outputs: ['c'] },
        { opType: 'Relu', inputs: ['c'], outputs: ['r'] },
        { opType: 'Flatten', inputs: ['r'], outputs: ['f'] },
        { opType: 'Gemm', inputs: ['f', 'w2', 'b2'], outputs: ['logits'], attributes: { transB: 1 } },
      ],
    }),
  );
  model.graph.inputs[0]!.shape![0] = 'N';
  model.graph.outputs[0]!.shape![0] = 'N';
  return writeOnnx(model);
}

describe('README', () => {
  const dir = new URL('../', import.meta.url);

  it('shows examples/quickstart.ts verbatim, and examples/customProfile.ts as its second example', () => {
    const { shown, source } = readmeExample(dir);
    expect(shown).toBe(source);
    const blocks = [...readFileSync(new URL('README.md', dir), 'utf8').matchAll(/```ts\n([\s\S]*?)```/g)].map((m) => m[1]);
    expect(blocks[1]).toBe(readFileSync(new URL('examples/customProfile.ts', dir), 'utf8'));
  });

  it('the quickstart evaluates an ONNX file across all 12 profiles, prints the table and writes a valid report', async () => {
    const tmp = mkdtempSync(join(tmpdir(), 'qt-backend-eval-readme-'));
    try {
      const model = tinyModel();
      const test = syntheticDigits(48, { seed: 5, size: 28 }).pixels;
      // labels: the float model's own predictions, so its accuracy is 100 %
      const logits = (await runOrt(model, { x: new ort.Tensor('float32', test, [48, 1, 28, 28]) }))['logits']!.data as Float32Array;
      const labels = Uint8Array.from({ length: 48 }, (_, i) => {
        const row = logits.subarray(i * 10, i * 10 + 10);
        return row.indexOf(Math.max(...row));
      });
      const paths = ['model.onnx', 'test.f32', 'labels.u8', 'calibration.f32', 'report.json'].map((f) => join(tmp, f));
      writeFileSync(paths[0]!, model);
      writeFileSync(paths[1]!, new Uint8Array(test.buffer));
      writeFileSync(paths[2]!, labels);
      writeFileSync(paths[3]!, new Uint8Array(syntheticDigits(64, { seed: 6, size: 28 }).pixels.buffer));
      const argv = process.argv;
      process.argv = [argv[0]!, 'quickstart.ts', ...paths];
      const lines = captureLog();
      try {
        await import('../examples/quickstart.js');
      } finally {
        process.argv = argv;
      }
      const table = lines.join('\n');
      for (const id of ['float', 'trt-int8-entropy', 'tflite-int8', 'coreml-weight-only']) expect(table).toMatch(new RegExp(`^${id}\\s`, 'm'));
      expect(table).toMatch(/across profiles: mean drop/);
      const report = validateReport(JSON.parse(readFileSync(paths[4]!, 'utf8')));
      expect(report.models[0]!.float.accuracy).toBe(1);
      expect(report.models[0]!.profiles).toHaveLength(12);
      expect(report.models[0]!.profiles.every((p) => p.status === 'ok')).toBe(true);
    } finally {
      rmSync(tmp, { recursive: true, force: true });
    }
  }, 120_000);

  it('the custom-profile example lists the 12 built-in profiles and registers a custom one', async () => {
    const lines = captureLog();
    await import('../examples/customProfile.js');
    expect(lines).toHaveLength(13);
    expect(lines).toContain('trt-int8-entropy: entropy');
    expect(lines).toContain('ort-dynamic-u8s8: none');
    expect(lines[12]).toBe('registered 13 profiles');
  });
});
