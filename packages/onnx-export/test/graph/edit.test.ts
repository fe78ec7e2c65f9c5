import { createScheme, fakeQuantize } from '@quant-trim/quant-grid';
import { errorCode, randomNormal } from '@quant-trim/test-utils';
import { describe, expect, test } from 'vitest';
import { addOutputs } from '../../src/graph/addOutputs.js';
import { insertQdq } from '../../src/graph/insertQdq.js';
import { replaceInitializer } from '../../src/graph/replaceInitializer.js';
import { TensorDataType } from '../../src/graph/tensorDataType.js';
import type { OnnxModel } from '../../src/graph/types.js';
import { writeOnnx } from '../../src/graph/writeOnnx.js';
import { run, smallCnn } from './fixtures.js';

const X = { data: randomNormal(2 * 3 * 8 * 8, 1, 11), dims: [2, 3, 8, 8] };
const same = (a: Float32Array, b: Float32Array) => Buffer.from(a.buffer, a.byteOffset, a.byteLength).equals(Buffer.from(b.buffer, b.byteOffset, b.byteLength));
/** A deep snapshot (tensor data included) to prove edits leave their input alone. */
const snapshot = (m: OnnxModel) => structuredClone(m);

describe('addOutputs', () => {
  test('exposes intermediates with inferred type and shape; the original outputs are unchanged', async () => {
    const model = smallCnn();
    const before = snapshot(model);
    const probe = addOutputs(model, ['c1', 'r1', 'p1', 'f1', 'y']);
    expect(model).toEqual(before);
    expect(probe.graph.outputs.map((o) => [o.name, o.elemType, o.shape])).toEqual([
      ['y', TensorDataType.FLOAT, undefined],
      ['c1', TensorDataType.FLOAT, [2, 4, 8, 8]],
      ['r1', TensorDataType.FLOAT, [2, 4, 8, 8]],
      ['p1', TensorDataType.FLOAT, [2, 4, 4, 4]],
      ['f1', TensorDataType.FLOAT, [2, 64]],
    ]);
    const base = await run(writeOnnx(model), { x: X });
    const out = await run(writeOnnx(probe), { x: X });
    expect(same(out.y!.data, base.y!.data)).toBe(true);
    expect(Array.from(out.r1!.data)).toEqual(Array.from(out.c1!.data, (v) => Math.max(v, 0)));
  });

  test('an undefined name is QT_INVALID_ARGUMENT naming it', () => {
    expect(errorCode(() => addOutputs(smallCnn(), ['r1', 'nope']))).toBe('QT_INVALID_ARGUMENT');
    expect(() => addOutputs(smallCnn(), ['nope'])).toThrow(/'nope' is not defined/);
  });
});

describe('insertQdq', () => {
  test('uint8 Q/DQ on an activation equals quant-grid fakeQuantize of that tensor', async () => {
    const model = smallCnn();
    const before = snapshot(model);
    const scale = 0.0123;
    const qdq = insertQdq(model, { tensor: 'r1' }, { scale, zeroPoint: 3, elemType: 'uint8' });
    expect(model).toEqual(before);
    expect(qdq.graph.nodes.map((n) => n.opType)).toEqual(['Conv', 'Relu', 'QuantizeLinear', 'DequantizeLinear', 'MaxPool', 'Flatten', 'Gemm']);
    const out = await run(writeOnnx(addOutputs(qdq, ['r1', 'r1_dequantized'])), { x: X });
    const r1 = out.r1!.data;
    const scheme = createScheme({ bits: 8, signed: false, symmetric: false });
    const expected = fakeQuantize(r1, [2, 4, 8, 8], { scale: Float32Array.of(scale), zeroPoint: Int32Array.of(3), shape: [] }, scheme);
    expect(same(out.r1_dequantized!.data, expected)).toBe(true);
    // Saturation and rounding actually happened (the test would not pass with an identity).
    expect(same(expected, r1)).toBe(false);
  });

  test('int4 Q/DQ (opset 21) matches a signed 4-bit fakeQuantize', async () => {
    const model = { ...smallCnn(), irVersion: 10, opsetImports: [{ domain: '', version: 21 }] };
    const qdq = insertQdq(model, { tensor: 'c1' }, { scale: 0.25, zeroPoint: -1, elemType: 'int4' });
    const out = await run(writeOnnx(addOutputs(qdq, ['c1', 'c1_dequantized'])), { x: X });
    const scheme = createScheme({ bits: 4, signed: true, symmetric: false });
    const expected = fakeQuantize(out.c1!.data, [2, 4, 8, 8], { scale: Float32Array.of(0.25), zeroPoint: Int32Array.of(-1), shape: [] }, scheme);
    expect(same(out.c1_dequantized!.data, expected)).toBe(true);
  });

  test('per-channel int8 on the weights of one consumer equals replacing the weights by their fake-quantized values', async () => {
    const model = smallCnn();
    const w = model.graph.initializers.get('w1')!;
    const scales = Float32Array.from([0.01, 0.02, 0.015, 0.03]);
    const qdq = insertQdq(model, { tensor: 'w1', consumer: 'Conv_c1' }, { scale: scales, zeroPoint: [0, 0, 0, 0], axis: 0, elemType: 'int8' });
    const scheme = createScheme({ bits: 8, signed: true, granularity: { kind: 'per-channel', axis: 0 } });
    const wq = fakeQuantize(w.data as Float32Array, w.dims, { scale: scales, zeroPoint: new Int32Array(4), shape: [4] }, scheme);
    const replaced = replaceInitializer(model, 'w1', { ...w, data: wq });
    const a = await run(writeOnnx(qdq), { x: X });
    const b = await run(writeOnnx(replaced), { x: X });
    expect(same(a.y!.data, b.y!.data)).toBe(true);
  });

  test('rejects what the model cannot express, naming the problem', () => {
    const model = smallCnn();
    expect(() => insertQdq(model, { tensor: 'r1' }, { scale: 0.1, elemType: 'int4' })).toThrow(/int4 Q\/DQ needs opset 21, the model imports opset 13/);
    expect(() => insertQdq(model, { tensor: 'r1', consumer: 'Gemm_y' }, { scale: 0.1, elemType: 'uint8' })).toThrow(/no node named 'Gemm_y' consumes 'r1'/);
    expect(() => insertQdq(model, { tensor: 'r1' }, { scale: [0.1, 0.2], elemType: 'uint8' })).toThrow(/2 scales do not match axis 1 of 'r1' \[2, 4, 8, 8\]/);
    expect(errorCode(() => insertQdq(model, { tensor: 'r1' }, { scale: 0, elemType: 'uint8' }))).toBe('QT_INVALID_ARGUMENT');
    expect(errorCode(() => insertQdq(model, { tensor: 'r1' }, { scale: 1, zeroPoint: 300, elemType: 'uint8' }))).toBe('QT_INVALID_ARGUMENT');
  });

  test('new names never collide: inserting twice on the same tensor gives suffixed names', () => {
    const once = insertQdq(smallCnn(), { tensor: 'r1' }, { scale: 0.1, elemType: 'uint8' });
    const twice = insertQdq(once, { tensor: 'r1' }, { scale: 0.1, elemType: 'uint8' });
    expect(twice.graph.nodes.map((n) => n.name).filter((n) => n.startsWith('r1_'))).toEqual([
      'r1_QuantizeLinear_1',
      'r1_DequantizeLinear_1',
      'r1_QuantizeLinear',
      'r1_DequantizeLinear',
    ]);
    expect(() => writeOnnx(twice)).not.toThrow();
  });
});

describe('replaceInitializer', () => {
  test('changes ORT output as expected and leaves the input model alone', async () => {
    const model = smallCnn();
    const b2 = model.graph.initializers.get('b2')!;
    const before = snapshot(model);
    const next = replaceInitializer(model, 'b2', { ...b2, data: (b2.data as Float32Array).map((v) => v + 1) });
    expect(model).toEqual(before);
    expect([...next.graph.initializers.keys()]).toEqual([...model.graph.initializers.keys()]);
    const y0 = (await run(writeOnnx(model), { x: X })).y!.data;
    const y1 = (await run(writeOnnx(next), { x: X })).y!.data;
    for (let i = 0; i < y0.length; i++) expect(y1[i]! - y0[i]!).toBeCloseTo(1, 5);
  });

  test('refuses a different type, different dims, bad data or an unknown name', () => {
    const model = smallCnn();
    const b2 = model.graph.initializers.get('b2')!;
    expect(errorCode(() => replaceInitializer(model, 'b2', { ...b2, dims: [1, 5] }))).toBe('QT_SHAPE_MISMATCH');
    expect(() => replaceInitializer(model, 'b2', { ...b2, dataType: TensorDataType.DOUBLE, data: new Float64Array(5) })).toThrow(/data type 11 differs/);
    expect(() => replaceInitializer(model, 'b2', { ...b2, data: new Float32Array(4) })).toThrow(/has 4 values, dims \[5\] need 5/);
    expect(() => replaceInitializer(model, 'b2', { ...b2, data: new Int32Array(5) as unknown as Float32Array })).toThrow(/must hold a Float32Array/);
    expect(() => replaceInitializer(model, 'nope', b2)).toThrow(/no initializer 'nope' \(the graph has 4: w1, b1, w2, b2\)/);
  });
});
