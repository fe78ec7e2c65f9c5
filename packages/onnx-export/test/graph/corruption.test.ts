import { isQuantTrimError } from '@quant-trim/errors';
import onnxProto from 'onnx-proto';
import { mulberry32 } from '@quant-trim/test-utils';
import { describe, expect, test } from 'vitest';
import { readOnnx } from '../../src/graph/readOnnx.js';
import { writeOnnx } from '../../src/graph/writeOnnx.js';
import { smallCnn } from './fixtures.js';

type Corruption = (bytes: Uint8Array, r: () => number) => Uint8Array;
const at = (n: number, r: () => number) => Math.floor(r() * n);

const corruptions: Record<string, Corruption> = {
  truncate: (b, r) => b.slice(0, at(b.length, r)),
  flipByte: (b, r) => {
    const c = b.slice();
    for (let k = 1 + at(4, r); k > 0; k--) c[at(c.length, r)] = at(256, r);
    return c;
  },
  flipBit: (b, r) => {
    const c = b.slice();
    const i = at(c.length, r);
    c[i] = c[i]! ^ (1 << at(8, r));
    return c;
  },
  insert: (b, r) => {
    const i = at(b.length, r);
    const extra = Uint8Array.from({ length: 1 + at(8, r) }, () => at(256, r));
    return Uint8Array.from([...b.subarray(0, i), ...extra, ...b.subarray(i)]);
  },
  delete: (b, r) => {
    const i = at(b.length, r);
    return Uint8Array.from([...b.subarray(0, i), ...b.subarray(i + 1 + at(8, r))]);
  },
  // A varint length prefix set to a huge value: must fail fast, not allocate or spin.
  hugeVarint: (b, r) => {
    const i = at(b.length - 5, r);
    const c = b.slice();
    c.set([0xff, 0xff, 0xff, 0xff, 0x0f], i);
    return c;
  },
  garbage: (_, r) => Uint8Array.from({ length: at(400, r) }, () => at(256, r)),
};

describe('readOnnx on corrupt bytes', () => {
  test('500 seeded corruptions: success (and then writeOnnx works) or a QT_ONNX_DECODE / QT_ONNX_INVALID_GRAPH error', () => {
    const valid = writeOnnx(smallCnn());
    const kinds = Object.keys(corruptions);
    const seed = 20240601;
    const r = mulberry32(seed);
    const seen: Record<string, number> = {};
    for (let trial = 0; trial < 500; trial++) {
      const kind = kinds[trial % kinds.length]!;
      const bytes = corruptions[kind]!(valid, r);
      let outcome: string;
      try {
        writeOnnx(readOnnx(bytes));
        outcome = 'ok';
      } catch (e) {
        if (!isQuantTrimError(e) || (e.code !== 'QT_ONNX_DECODE' && e.code !== 'QT_ONNX_INVALID_GRAPH')) {
          throw new Error(`seed ${seed}, trial ${trial} (${kind}): unexpected ${e instanceof Error ? `${e.name}: ${e.message}` : String(e)}`, { cause: e });
        }
        expect(e.message.length).toBeGreaterThan(10);
        outcome = e.code;
      }
      seen[outcome] = (seen[outcome] ?? 0) + 1;
    }
    // The corruptions must actually exercise the failure paths.
    expect(seen.QT_ONNX_DECODE ?? 0).toBeGreaterThan(100);
  });

  test('truncation at every length of a small model is handled', () => {
    const valid = writeOnnx(smallCnn());
    for (let n = 0; n < valid.length; n += 7) {
      try {
        readOnnx(valid.subarray(0, n));
      } catch (e) {
        expect(isQuantTrimError(e) ? e.code : e).toMatch(/QT_ONNX_(DECODE|INVALID_GRAPH)/);
      }
    }
  });

  test('the protobuf error is kept as the cause', () => {
    const valid = writeOnnx(smallCnn());
    try {
      readOnnx(valid.subarray(0, valid.length - 3));
      expect.unreachable();
    } catch (e) {
      expect(isQuantTrimError(e, 'QT_ONNX_DECODE')).toBe(true);
      expect((e as Error).message).toMatch(/truncated or corrupt/);
      expect((e as Error).cause).toBeInstanceOf(Error);
    }
  });
});

describe('readOnnx refuses impossible sizes before allocating', () => {
  const { onnx } = onnxProto;
  const modelWith = (tensor: InstanceType<typeof onnx.TensorProto>) =>
    onnx.ModelProto.encode({ irVersion: 8, opsetImport: [{ domain: '', version: 17 }], graph: { name: 'g', initializer: [tensor] } }).finish();
  const codeOf = (bytes: Uint8Array) => {
    try {
      readOnnx(bytes);
      return 'ok';
    } catch (e) {
      return isQuantTrimError(e) ? `${e.code}: ${e.message}` : String(e);
    }
  };

  test('dims claiming 2^40 elements with 4 bytes of data, or none', () => {
    const raw = onnx.TensorProto.create({ name: 'w', dataType: 1, dims: [2 ** 20, 2 ** 20], rawData: new Uint8Array(4) });
    expect(codeOf(modelWith(raw))).toMatch(/^QT_ONNX_DECODE: .*has 4 bytes of raw_data, expected 4398046511104/);
    const typed = onnx.TensorProto.create({ name: 'w', dataType: 1, dims: [2 ** 40] });
    expect(codeOf(modelWith(typed))).toMatch(/^QT_ONNX_DECODE: .*has 0 values in floatData and no raw_data, expected 1099511627776/);
  });

  test('dims whose product overflows, and a negative dim', () => {
    expect(codeOf(modelWith(onnx.TensorProto.create({ name: 'w', dataType: 1, dims: [2 ** 30, 2 ** 30, 2 ** 30] })))).toMatch(
      /^QT_ONNX_DECODE: .*element count overflows/,
    );
    expect(codeOf(modelWith(onnx.TensorProto.create({ name: 'w', dataType: 1, dims: [-1] })))).toMatch(/^QT_ONNX_DECODE: .*invalid dimension -1/);
  });
});
