import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { readOnnx, writeOnnx } from '@quant-trim/onnx-export';
import { buildModel, DataType } from '@quant-trim/test-utils/onnx';
import { describe, expect, it } from 'vitest';
import { run, tempDir } from './helpers.js';

const vals = (n: number, seed: number) => Array.from({ length: n }, (_, i) => Math.sin(i * 12.9898 + seed * 78.233) * 0.5);

/** x[1,1,6,6] → Conv → Softplus → Flatten → Gemm → y[1,3], every node unnamed (as some exporters write them). */
function unnamedModel(): Uint8Array {
  const m = readOnnx(
    buildModel({
      opset: 13,
      inputs: [{ name: 'x', dataType: DataType.FLOAT, dims: [1, 1, 6, 6] }],
      outputs: [{ name: 'y', dataType: DataType.FLOAT, dims: [1, 3] }],
      initializers: [
        { name: 'w1', dataType: DataType.FLOAT, dims: [4, 1, 3, 3], values: vals(36, 1) },
        { name: 'w2', dataType: DataType.FLOAT, dims: [3, 64], values: vals(192, 2) },
      ],
      nodes: [
        { opType: 'Conv', inputs: ['x', 'w1'], outputs: ['c'] },
        { opType: 'Softplus', inputs: ['c'], outputs: ['s'] },
        { opType: 'Flatten', inputs: ['s'], outputs: ['f'] },
        { opType: 'Gemm', inputs: ['f', 'w2'], outputs: ['y'], attributes: { transB: 1 } },
      ],
    }),
  );
  for (const n of m.graph.nodes) n.name = '';
  return writeOnnx(m);
}

describe('inspect: placement', () => {
  it('tells quantized from on-the-accelerator, with MAC shares that count unnamed nodes', async () => {
    const file = join(tempDir('placement'), 'unnamed.onnx');
    writeFileSync(file, unnamedModel());
    const { code, stdout, stderr } = await run(['inspect', file, '--profiles', 'edgetpu-strict,tflite-int8']);
    expect(stderr).toBe('');
    expect(code).toBe(0);
    expect(stdout).toMatch(/profile\s+on accelerator\s+quantized\s+MACs quantized %\s+MACs on accel\. %\s+runs on the host/);
    // Edge TPU: Softplus is not an Edge TPU op, so the single cut puts Softplus, Flatten and Gemm on the host;
    // its CPU fallback still runs Flatten and Gemm in int8. Conv: 576 of 768 MACs. (Unnamed nodes used to count 0.0 %.)
    expect(stdout).toMatch(/^edgetpu-strict\s+1\/4\s+3\/4\s+100\.0\s+75\.0\s+Softplus, Flatten, Gemm\s*$/m);
    // TFLite runs Softplus in float on the same CPU, per op.
    expect(stdout).toMatch(/^tflite-int8\s+3\/4\s+3\/4\s+100\.0\s+100\.0\s+Softplus\s*$/m);
  }, 120_000);
});
