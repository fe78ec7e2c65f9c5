import { readOnnx, writeOnnx } from '@quant-trim/onnx-export';
import { buildModel, DataType } from '@quant-trim/test-utils/onnx';
import { describe, expect, it } from 'vitest';
import { countMacs } from '../../src/estimate/countMacs.js';

const zeros = (n: number) => new Array<number>(n).fill(0.1);
const tensor = (name: string, dims: number[]) => ({ name, dataType: DataType.FLOAT, dims, values: zeros(dims.reduce((a, b) => a * b, 1)) });

/**
 * x[1,3,8,8] → Conv 3→4 k3 → Relu → depthwise Conv (group 4) k3 → grouped Conv (group 2) 4→8 k1
 * → Flatten → Gemm(transB) 128→10 → MatMul 10→5 → Add → y[1,5]. No padding, stride 1.
 */
function model(opts: { squeezeBeforeMatMul?: boolean } = {}) {
  const tail = opts.squeezeBeforeMatMul
    ? [
        { opType: 'Squeeze', inputs: ['g'], outputs: ['gs'] },
        { opType: 'Unsqueeze', inputs: ['gs', 'axes'], outputs: ['gu'] },
        { opType: 'MatMul', inputs: ['gu', 'w5'], outputs: ['m'] },
      ]
    : [{ opType: 'MatMul', inputs: ['g', 'w5'], outputs: ['m'] }];
  return readOnnx(
    buildModel({
      opset: 13,
      inputs: [{ name: 'x', dataType: DataType.FLOAT, dims: [1, 3, 8, 8] }],
      outputs: [{ name: 'y', dataType: DataType.FLOAT, dims: [1, 5] }],
      initializers: [
        tensor('w1', [4, 3, 3, 3]),
        tensor('b1', [4]),
        tensor('w2', [4, 1, 3, 3]),
        tensor('w3', [8, 2, 1, 1]),
        tensor('w4', [10, 128]),
        tensor('b4', [10]),
        tensor('w5', [10, 5]),
        tensor('b5', [5]),
        { name: 'axes', dataType: DataType.INT64, dims: [1], values: [0] },
      ],
      nodes: [
        { opType: 'Conv', inputs: ['x', 'w1', 'b1'], outputs: ['c1'] },
        { opType: 'Relu', inputs: ['c1'], outputs: ['r1'] },
        { opType: 'Conv', inputs: ['r1', 'w2'], outputs: ['c2'], attributes: { group: 4 } },
        { opType: 'Conv', inputs: ['c2', 'w3'], outputs: ['c3'], attributes: { group: 2 } },
        { opType: 'Flatten', inputs: ['c3'], outputs: ['f'] },
        { opType: 'Gemm', inputs: ['f', 'w4', 'b4'], outputs: ['g'], attributes: { transB: 1 } },
        ...tail,
        { opType: 'Add', inputs: ['m', 'b5'], outputs: ['y'] },
      ],
    }),
  );
}

// Hand-computed, one sample:
// Conv1: N·Cout·Hout·Wout·(Cin/g)·kh·kw = 1·4·6·6·3·3·3 = 3888
// depthwise Conv2 (group 4): 1·4·4·4·(4/4)·3·3 = 576
// grouped Conv3 (group 2): 1·8·4·4·(4/2)·1·1 = 256
// Gemm: M·N·K = 1·10·128 = 1280; MatMul: 1·5·10 = 50
const EXPECTED = [
  { node: 'n0', opType: 'Conv', macs: 3888, weightElements: 108 + 4, outputElements: 144 },
  { node: 'n1', opType: 'Relu', macs: 0, weightElements: 0, outputElements: 144 },
  { node: 'n2', opType: 'Conv', macs: 576, weightElements: 36, outputElements: 64 },
  { node: 'n3', opType: 'Conv', macs: 256, weightElements: 16, outputElements: 128 },
  { node: 'n4', opType: 'Flatten', macs: 0, weightElements: 0, outputElements: 128 },
  { node: 'n5', opType: 'Gemm', macs: 1280, weightElements: 1280 + 10, outputElements: 10 },
  { node: 'n6', opType: 'MatMul', macs: 50, weightElements: 50, outputElements: 5 },
  { node: 'n7', opType: 'Add', macs: 0, weightElements: 5, outputElements: 5 },
];

describe('countMacs', () => {
  it('counts Conv (plain, depthwise, grouped), Gemm and MatMul by hand, element-wise ops as 0 MACs', () => {
    const count = countMacs(model());
    expect(count.nodes).toEqual(EXPECTED);
    expect(count.totalMacs).toBe(3888 + 576 + 256 + 1280 + 50);
    expect(count.warnings).toEqual([]);
  });

  it('sets a symbolic batch to 1; inputShape overrides; a fixed leading dim > 1 is counted as declared with a warning', () => {
    const symbolic = model();
    symbolic.graph.inputs[0]!.shape![0] = 'N';
    symbolic.graph.outputs[0]!.shape![0] = 'N';
    expect(countMacs(readOnnx(writeOnnx(symbolic))).nodes).toEqual(EXPECTED);
    expect(countMacs(symbolic, { inputShape: [1, 3, 8, 8] }).nodes).toEqual(EXPECTED);
    const two = countMacs(symbolic, { inputShape: [2, 3, 8, 8] });
    expect(two.totalMacs).toBe(2 * (3888 + 576 + 256 + 1280 + 50));
    expect(two.warnings).toEqual([expect.stringMatching(/^input x: leading dimension is 2/)]);
  });

  it('honours transA on Gemm: A is [K, M]', () => {
    const m = readOnnx(
      buildModel({
        opset: 13,
        inputs: [{ name: 'a', dataType: DataType.FLOAT, dims: [6, 2] }],
        outputs: [{ name: 'y', dataType: DataType.FLOAT, dims: [2, 3] }],
        initializers: [tensor('b', [6, 3])],
        nodes: [{ opType: 'Gemm', inputs: ['a', 'b'], outputs: ['y'], attributes: { transA: 1 } }],
      }),
    );
    // M·N·K = 2·3·6 (the leading dim 6 of `a` is K, not a batch: only a warning says so).
    expect(countMacs(m).nodes[0]!.macs).toBe(2 * 3 * 6);
  });

  it('counts 0 MACs with a warning, never throws, when shapes are unknown', () => {
    const count = countMacs(model({ squeezeBeforeMatMul: true }));
    const byOp = Object.fromEntries(count.nodes.map((n) => [n.node, n]));
    expect(byOp['n0']!.macs).toBe(3888);
    expect(count.nodes.find((n) => n.opType === 'MatMul')).toMatchObject({ macs: 0, outputElements: 0, weightElements: 50 });
    expect(count.totalMacs).toBe(3888 + 576 + 256 + 1280);
    expect(count.warnings.some((w) => w.startsWith('n8 (MatMul): output shape unknown'))).toBe(true);
    expect(count.warnings.some((w) => w.startsWith('n6 (Squeeze)'))).toBe(true);
  });

  it('warns for MAC-bearing ops it does not model', () => {
    const m = model();
    m.graph.nodes[2]!.opType = 'ConvTranspose';
    const count = countMacs(m);
    expect(count.warnings[0]).toMatch(/^n2 \(ConvTranspose\): MACs of this op are not modelled/);
    expect(count.nodes[2]!.macs).toBe(0);
  });
});
