import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { openNpz, parseNpy } from '../../src/data/index.js';
import { expectQtError, tempDir } from './helpers.js';
import { python, pythonMissing } from './python.js';

const read = (dir: string, name: string) => new Uint8Array(readFileSync(join(dir, name)));

describe.skipIf(pythonMissing('numpy'))('parseNpy: files written by numpy.save', () => {
  it('reads every supported dtype and byte order exactly, in C order', () => {
    const dir = tempDir();
    // v = (i * 37) % 200 - 100 over a (2, 3, 4) array, cast to each dtype (unsigned dtypes take v + 100).
    python(
      `v = (np.arange(24) * 37) % 200 - 100
for dt in ['<u1', '<i1', '<u2', '>i2', '<u4', '<i4', '<u8', '<i8', '>i8', '<f2', '<f4', '>f4', '<f8']:
    a = (v + 100 if dt[1] == 'u' else v).astype(dt).reshape(2, 3, 4)
    if dt[1] == 'f': a = a / 4
    np.save(dt.replace('<', 'le_').replace('>', 'be_') + '.npy', a)
np.save('bool.npy', np.array([True, False, True]))
np.save('big.npy', np.array([2**40 + 3], dtype=np.int64))`,
      dir,
    );
    const v = Array.from({ length: 24 }, (_, i) => ((i * 37) % 200) - 100);
    for (const [name, dtype, expected] of [
      ['le_u1', 'uint8', v.map((x) => x + 100)],
      ['le_i1', 'int8', v],
      ['le_u2', 'uint16', v.map((x) => x + 100)],
      ['be_i2', 'int16', v],
      ['le_u4', 'uint32', v.map((x) => x + 100)],
      ['le_i4', 'int32', v],
      ['le_u8', 'uint64', v.map((x) => x + 100)],
      ['le_i8', 'int64', v],
      ['be_i8', 'int64', v],
      ['le_f2', 'float16', v.map((x) => x / 4)],
      ['le_f4', 'float32', v.map((x) => x / 4)],
      ['be_f4', 'float32', v.map((x) => x / 4)],
      ['le_f8', 'float64', v.map((x) => x / 4)],
    ] as const) {
      const a = parseNpy(read(dir, `${name}.npy`), name);
      expect(a.dtype, name).toBe(dtype);
      expect(a.shape, name).toEqual([2, 3, 4]);
      expect(Array.from(a.data), name).toEqual(expected);
    }
    expect(parseNpy(read(dir, 'le_u1.npy'), 'u1').data).toBeInstanceOf(Uint8Array);
    expect(Array.from(parseNpy(read(dir, 'bool.npy'), 'b').data)).toEqual([1, 0, 1]);
    expect(parseNpy(read(dir, 'big.npy'), 'big').data[0]).toBe(Math.fround(2 ** 40 + 3));
  });

  it('refuses Fortran order, unsupported dtypes, truncation and trailing bytes, naming the file', async () => {
    const dir = tempDir();
    python(
      `np.save('fortran.npy', np.asfortranarray(np.arange(6, dtype=np.float32).reshape(2, 3)))
np.save('complex.npy', np.zeros(3, dtype=np.complex64))
np.save('strings.npy', np.array(['a', 'b']))
np.save('objects.npy', np.array([{}, 1], dtype=object), allow_pickle=True)
np.save('records.npy', np.zeros(2, dtype=[('a', '<f4'), ('b', '<i4')]))
np.save('ok.npy', np.arange(10, dtype=np.float32))`,
      dir,
    );
    const cases: [string, Uint8Array, string, RegExp][] = [
      ['fortran.npy', read(dir, 'fortran.npy'), 'fortran-order', /Fortran-order .* numpy\.ascontiguousarray/],
      ['complex.npy', read(dir, 'complex.npy'), 'dtype', /unsupported dtype '<c8' \(complex\); supported: bool/],
      ['strings.npy', read(dir, 'strings.npy'), 'dtype', /unsupported dtype '<U1' \(unicode strings\)/],
      ['objects.npy', read(dir, 'objects.npy'), 'dtype', /unsupported dtype '\|O' \(Python objects\)/],
      ['records.npy', read(dir, 'records.npy'), 'dtype', /structured dtypes/],
      ['short.npy', read(dir, 'ok.npy').subarray(0, 128 + 20), 'truncated', /truncated: shape \(10\) of float32 needs 40 bytes of data, found 20/],
      ['long.npy', Buffer.concat([read(dir, 'ok.npy'), Buffer.from([1, 2, 3])]), 'trailing-bytes', /3 unexpected trailing bytes/],
      ['text.npy', new Uint8Array(Buffer.from('hello, not numpy')), 'bad-magic', /not a \.npy file/],
    ];
    for (const [name, bytes, problem, message] of cases) {
      const e = await expectQtError(async () => parseNpy(bytes, join(dir, name)), 'QT_DATASET_CORRUPT');
      expect(e.message, name).toMatch(message);
      expect(e.message.startsWith(`${join(dir, name)}: `), e.message).toBe(true);
      expect(e.details?.['problem'], name).toBe(problem);
    }
  });
});

describe.skipIf(pythonMissing('numpy'))('openNpz: archives written by numpy.savez / savez_compressed', () => {
  it('reads stored and deflated members exactly', () => {
    const dir = tempDir();
    python(
      `x = (np.arange(2 * 5 * 5) * 7 % 256).astype(np.uint8).reshape(2, 5, 5)
y = np.array([3, 1], dtype=np.int64)
np.savez('plain.npz', x=x, y=y)
np.savez_compressed('packed.npz', x=x, y=y, extra=np.zeros((1000,), dtype=np.float64))`,
      dir,
    );
    for (const name of ['plain.npz', 'packed.npz']) {
      const npz = openNpz(read(dir, name), name);
      expect(npz.keys).toEqual(expect.arrayContaining(['x', 'y']));
      const x = npz.read('x');
      expect(x.shape).toEqual([2, 5, 5]);
      expect(Array.from(x.data)).toEqual(Array.from({ length: 50 }, (_, i) => (i * 7) % 256));
      expect(Array.from(npz.read('y').data)).toEqual([3, 1]);
    }
  });

  it('names the archive and member of a corrupt, truncated or missing array', async () => {
    const dir = tempDir();
    python(`np.savez('a.npz', x=np.arange(100, dtype=np.float32))\nnp.savez_compressed('c.npz', x=np.arange(1000, dtype=np.float32))`, dir);
    const plain = read(dir, 'a.npz');
    const flipped = Uint8Array.from(plain);
    flipped[200] = (flipped[200] as number) ^ 0xff; // inside x.npy's data
    expect((await expectQtError(async () => openNpz(flipped, 'a.npz').read('x'), 'QT_DATASET_CORRUPT')).message).toMatch(/^a\.npz:x\.npy: CRC-32 mismatch/);
    expect((await expectQtError(async () => openNpz(plain.subarray(0, 300), 'a.npz'), 'QT_DATASET_CORRUPT')).message).toMatch(/^a\.npz: not an \.npz file/);
    expect((await expectQtError(async () => openNpz(plain, 'a.npz').read('labels'), 'QT_DATASET_CORRUPT')).message).toMatch(
      /^a\.npz: no array "labels" \(keys: x\)/,
    );
    const packed = Uint8Array.from(read(dir, 'c.npz'));
    packed[120] = (packed[120] as number) ^ 0x55; // inside the deflate stream
    const e = await expectQtError(async () => openNpz(packed, 'c.npz').read('x'), 'QT_DATASET_CORRUPT');
    expect(e.message).toMatch(/^c\.npz:x\.npy: (corrupt deflate stream|CRC-32 mismatch|size \d+ differs)/);
  });
});
