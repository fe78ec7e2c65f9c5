import * as tf from '@tensorflow/tfjs';
import { errorCode } from '@quant-trim/test-utils';
import { DataType, buildModel } from '@quant-trim/test-utils/onnx';
import { readOnnx } from '@quant-trim/onnx-export';
import { beforeAll, describe, expect, test } from 'vitest';
import { type UnsupportedNode, importOnnx, isQuantTrimError } from '../src/index.js';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

const f = DataType.FLOAT;
/** Relu → Erf (no converter) → Conv with a weight computed in the graph → com.microsoft op → LRN (no converter) → GlobalAveragePool. */
const bytes = buildModel({
  opset: 13,
  inputs: [
    { name: 'x', dataType: f, dims: [1, 3, 8, 8] },
    { name: 'w', dataType: f, dims: [4, 3, 3, 3] },
  ],
  outputs: [{ name: 'y', dataType: f, dims: [1, 4, 1, 1] }],
  nodes: [
    { opType: 'Relu', inputs: ['x'], outputs: ['r'] },
    { opType: 'Erf', inputs: ['r'], outputs: ['e'] },
    { opType: 'Conv', inputs: ['e', 'w'], outputs: ['c'] },
    { opType: 'Gelu', domain: 'com.microsoft', inputs: ['c'], outputs: ['g'] },
    { opType: 'LRN', inputs: ['g'], outputs: ['l'], attributes: { size: 3 } },
    { opType: 'GlobalAveragePool', inputs: ['l'], outputs: ['y'] },
  ],
});

describe('unsupported graphs', () => {
  test('one coded error lists every unsupported node with its op type, and no layer is built', () => {
    const before = tf.memory().numTensors;
    let error: unknown;
    try {
      importOnnx(bytes);
    } catch (e) {
      error = e;
    }
    expect(isQuantTrimError(error, 'QT_IMPORT_UNSUPPORTED_OP')).toBe(true);
    const unsupported = (error as { details: { unsupported: UnsupportedNode[] } }).details.unsupported;
    expect(unsupported.map((n) => [n.name, n.opType])).toEqual([
      ['n1', 'Erf'],
      ['n2', 'Conv'],
      ['n3', 'Gelu'],
      ['n4', 'LRN'],
    ]);
    const message = (error as Error).message;
    for (const line of ["'n1' (Erf)", "'n2' (Conv): input 1 ('w') is computed in the graph", "'n3' (com.microsoft:Gelu)", "'n4' (LRN)"])
      expect(message).toContain(line);
    expect(message).toContain('supported ops: Conv');
    expect(tf.memory().numTensors).toBe(before);
  });

  test('arguments are checked at the boundary', () => {
    expect(errorCode(() => importOnnx(new Uint8Array([1, 2, 3])))).toBe('QT_ONNX_DECODE');
    expect(errorCode(() => importOnnx(bytes, { batchNorm: 'merge' as 'fold' }))).toBe('QT_INVALID_ARGUMENT');
    expect(errorCode(() => importOnnx({} as Uint8Array))).toBe('QT_INVALID_ARGUMENT');
  });

  test('rank-4 inputs and channels-first outputs are NHWC in tfjs', () => {
    const symbolic = buildModel({
      opset: 13,
      inputs: [{ name: 'x', dataType: f, dims: [1, 3, 8, 8] }],
      outputs: [{ name: 'y', dataType: f, dims: [1, 3, 8, 8] }],
      nodes: [{ opType: 'Relu', inputs: ['x'], outputs: ['y'] }],
    });
    // Bytes or the typed model readOnnx returns.
    for (const source of [symbolic, readOnnx(symbolic)]) {
      const model = importOnnx(source);
      expect(model.inputs[0]!.shape).toEqual([null, 8, 8, 3]);
      expect(model.outputs[0]!.shape).toEqual([null, 8, 8, 3]);
      model.dispose();
    }
  });
});
