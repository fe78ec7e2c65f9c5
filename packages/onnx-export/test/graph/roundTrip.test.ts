import { randomNormal } from '@quant-trim/test-utils';
import { DataType, buildModel } from '@quant-trim/test-utils/onnx';
import { describe, expect, test } from 'vitest';
import { readOnnx } from '../../src/graph/readOnnx.js';
import { TensorDataType } from '../../src/graph/tensorDataType.js';
import { writeOnnx } from '../../src/graph/writeOnnx.js';
import { floatTensor, int, modelOf, node, run, smallCnn } from './fixtures.js';

const convGemm = () =>
  buildModel({
    opset: 13,
    nodes: [
      { opType: 'Conv', inputs: ['x', 'w', 'b'], outputs: ['c'], attributes: { group: 1 } },
      { opType: 'Relu', inputs: ['c'], outputs: ['r'] },
      { opType: 'Flatten', inputs: ['r'], outputs: ['f'], attributes: { axis: 1 } },
      { opType: 'Gemm', inputs: ['f', 'w2', 'b2'], outputs: ['y'], attributes: { transB: 1 } },
    ],
    inputs: [{ name: 'x', dataType: DataType.FLOAT, dims: [1, 2, 5, 5] }],
    outputs: [{ name: 'y', dataType: DataType.FLOAT, dims: [1, 3] }],
    initializers: [
      { name: 'w', dataType: DataType.FLOAT, dims: [4, 2, 3, 3], values: randomNormal(72, 0.5, 1) },
      { name: 'b', dataType: DataType.FLOAT, dims: [4], values: [0.1, -0.2, 0.3, 0] },
      { name: 'w2', dataType: DataType.FLOAT, dims: [3, 36], values: randomNormal(108, 0.2, 2) },
      { name: 'b2', dataType: DataType.FLOAT, dims: [3], values: [1, 2, 3] },
    ],
  });

const qdq = () =>
  buildModel({
    opset: 13,
    nodes: [
      { opType: 'QuantizeLinear', inputs: ['x', 's', 'z'], outputs: ['q'] },
      { opType: 'DequantizeLinear', inputs: ['q', 's', 'z'], outputs: ['d'] },
      { opType: 'DequantizeLinear', inputs: ['wq', 'ws', 'wz'], outputs: ['w'], attributes: { axis: 0 } },
      { opType: 'Conv', inputs: ['d', 'w'], outputs: ['y'] },
    ],
    inputs: [{ name: 'x', dataType: DataType.FLOAT, dims: [1, 1, 4, 4] }],
    outputs: [{ name: 'y', dataType: DataType.FLOAT, dims: [1, 2, 3, 3] }],
    initializers: [
      { name: 's', dataType: DataType.FLOAT, dims: [], values: [0.02] },
      { name: 'z', dataType: DataType.UINT8, dims: [], values: [128] },
      { name: 'wq', dataType: DataType.INT8, dims: [2, 1, 2, 2], values: [-128, 127, 3, -4, 5, 6, -7, 0] },
      { name: 'ws', dataType: DataType.FLOAT, dims: [2], values: [0.01, 0.03] },
      { name: 'wz', dataType: DataType.INT8, dims: [2], values: [0, 0] },
    ],
  });

describe('readOnnx / writeOnnx round trip', () => {
  test.each([
    ['Conv→Relu→Flatten→Gemm (typed fields)', convGemm, [1, 2, 5, 5]],
    ['QDQ uint8 activations, int8 per-channel weights', qdq, [1, 1, 4, 4]],
    ['Conv→Relu→MaxPool→Flatten→Gemm', () => writeOnnx(smallCnn()), [2, 3, 8, 8]],
  ] as const)('%s: ORT outputs are bit-identical and the bytes are a fixed point', async (_, make, dims) => {
    const original = make();
    const model = readOnnx(original);
    const once = writeOnnx(model);
    expect(writeOnnx(readOnnx(once))).toEqual(once);
    const x = randomNormal(
      dims.reduce((a: number, b: number) => a * b, 1),
      1,
      7,
    );
    const before = await run(original, { x: { data: x, dims: [...dims] } });
    const after = await run(once, { x: { data: x, dims: [...dims] } });
    expect(Object.keys(after)).toEqual(Object.keys(before));
    for (const k of Object.keys(before)) {
      expect(after[k]!.dims).toEqual(before[k]!.dims);
      expect(Buffer.from(after[k]!.data.buffer).equals(Buffer.from(before[k]!.data.buffer))).toBe(true);
    }
  });

  test('typed-field initializers decode to the right typed arrays and values', () => {
    const bytes = buildModel({
      opset: 13,
      nodes: [{ opType: 'Identity', inputs: ['x'], outputs: ['y'] }],
      inputs: [{ name: 'x', dataType: DataType.FLOAT, dims: [1] }],
      outputs: [{ name: 'y', dataType: DataType.FLOAT, dims: [1] }],
      initializers: [
        { name: 'i64', dataType: DataType.INT64, dims: [3], values: [1, -2, 2 ** 40] },
        { name: 'i32', dataType: DataType.INT32, dims: [2], values: [-5, 7] },
        { name: 'u8', dataType: DataType.UINT8, dims: [2], values: [0, 255] },
        { name: 'i16', dataType: DataType.INT16, dims: [2], values: [-300, 300] },
      ],
    });
    const inits = readOnnx(bytes).graph.initializers;
    expect(inits.get('i64')!.data).toEqual(new BigInt64Array([1n, -2n, 2n ** 40n]));
    expect(inits.get('i32')!.data).toEqual(new Int32Array([-5, 7]));
    expect(inits.get('u8')!.data).toEqual(new Uint8Array([0, 255]));
    expect(inits.get('i16')!.data).toEqual(new Int16Array([-300, 300]));
    // After writing, the same values come back from raw_data.
    expect(readOnnx(writeOnnx(readOnnx(bytes))).graph.initializers).toEqual(inits);
  });

  test('int4 weights are nibble-packed as ONNX Runtime reads them (opset 21 DequantizeLinear)', async () => {
    const codes = new Int8Array([-8, 7, 0, -1, 3, -5, 1]); // odd count: last byte has a zero high nibble
    const model = modelOf({
      opset: 21,
      input: [7],
      nodes: [node('DequantizeLinear', ['wq', 'ws', 'wz'], ['w']), node('Add', ['x', 'w'], ['y'])],
      initializers: [
        { name: 'wq', dataType: TensorDataType.INT4, dims: [7], data: codes },
        { name: 'ws', dataType: TensorDataType.FLOAT, dims: [], data: new Float32Array([0.5]) },
        { name: 'wz', dataType: TensorDataType.INT4, dims: [], data: new Int8Array([1]) },
      ],
    });
    const bytes = writeOnnx(model);
    expect(readOnnx(bytes).graph.initializers.get('wq')!.data).toEqual(codes);
    const out = await run(bytes, { x: { data: new Float32Array(7), dims: [7] } });
    expect(Array.from(out.y!.data)).toEqual(Array.from(codes, (c) => (c - 1) * 0.5));
  });

  test('metadata, doc strings, attributes of every typed kind and raw attributes survive', () => {
    const model = modelOf({ input: [1, 3], nodes: [node('Relu', ['x'], ['y'])], initializers: [floatTensor('unused', [2], 1)] });
    model.metadata = { author: 'tests', ü: 'ß' };
    model.docString = 'doc';
    model.producerVersion = '1.2';
    model.graph.nodes[0]!.attributes = {
      f: { type: 'float', value: 0.5 },
      i: int(-3),
      s: { type: 'string', value: 'SAME_UPPER' },
      fs: { type: 'floats', value: [1.5, -2] },
      is: { type: 'ints', value: [1, 2, 3] },
      ss: { type: 'strings', value: ['a', 'b'] },
      t: { type: 'tensor', value: floatTensor('t', [2], 2) },
    };
    model.graph.valueInfo = [{ name: 'y', elemType: 1, shape: ['batch', 3] }];
    const back = readOnnx(writeOnnx(model));
    expect(back).toEqual(model);
  });

  test('edits that break the graph are refused by writeOnnx', () => {
    const model = smallCnn();
    model.graph.nodes[1]!.inputs = ['nope'];
    expect(() => writeOnnx(model)).toThrow(/consumes 'nope'/);
  });
});

describe('prototype-named keys', () => {
  // An attribute or metadata key named `__proto__` used to be assigned, which replaced the
  // object's prototype (node.attributes.type read 'int' through it) and dropped the entry on write.
  test('an attribute and a metadata entry named __proto__ stay own entries and survive a round trip', async () => {
    const { default: onnxProto } = await import('onnx-proto');
    const { onnx } = onnxProto;
    const bytes = onnx.ModelProto.encode({
      irVersion: 8,
      opsetImport: [{ domain: '', version: 17 }],
      metadataProps: [
        { key: '__proto__', value: 'm' },
        { key: 'constructor', value: 'c' },
      ],
      graph: {
        name: 'g',
        input: [{ name: 'x' }],
        output: [{ name: 'y' }],
        node: [
          {
            opType: 'Relu',
            input: ['x'],
            output: ['y'],
            attribute: [
              { name: '__proto__', type: 2, i: 5 },
              { name: 'constructor', type: 2, i: 6 },
            ],
          },
        ],
      },
    }).finish();
    const model = readOnnx(bytes);
    const attributes = model.graph.nodes[0]!.attributes;
    expect(Object.getPrototypeOf(attributes)).toBe(Object.prototype);
    expect(Object.keys(attributes)).toEqual(['__proto__', 'constructor']);
    expect(Object.getOwnPropertyDescriptor(attributes, '__proto__')?.value).toEqual({ type: 'int', value: 5 });
    expect(Object.keys(model.metadata)).toEqual(['__proto__', 'constructor']);
    const back = onnx.ModelProto.decode(writeOnnx(model));
    expect(back.graph?.node?.[0]?.attribute?.map((a) => [a.name, Number(a.i)])).toEqual([
      ['__proto__', 5],
      ['constructor', 6],
    ]);
    expect(back.metadataProps.map((p) => [p.key, p.value])).toEqual([
      ['__proto__', 'm'],
      ['constructor', 'c'],
    ]);
  });
});
