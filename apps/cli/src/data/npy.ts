import { corruptError } from './files.js';

/** The dtypes `.npy` files may hold here: booleans, integers and floats, any byte order. */
export type NpyDtype = 'bool' | 'uint8' | 'int8' | 'uint16' | 'int16' | 'uint32' | 'int32' | 'uint64' | 'int64' | 'float16' | 'float32' | 'float64';

/**
 * A parsed `.npy` array in C order: `uint8` data as bytes (a view, not a copy), every other dtype
 * converted to float32 (exact for labels and 8/16-bit pixels; large int64 values round, as
 * `astype(numpy.float32)` would).
 */
export interface NpyArray {
  readonly dtype: NpyDtype;
  readonly shape: readonly number[];
  readonly data: Uint8Array | Float32Array;
}

const MAGIC = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59]; // \x93NUMPY
const KINDS: Record<string, Partial<Record<number, NpyDtype>>> = {
  b: { 1: 'bool' },
  u: { 1: 'uint8', 2: 'uint16', 4: 'uint32', 8: 'uint64' },
  i: { 1: 'int8', 2: 'int16', 4: 'int32', 8: 'int64' },
  f: { 2: 'float16', 4: 'float32', 8: 'float64' },
};
const SUPPORTED = 'bool, uint8/16/32/64, int8/16/32/64, float16/32/64';

/** Integer dtypes (their values are taken as 0–255 pixels by default). */
export function isIntegerDtype(dtype: NpyDtype): boolean {
  return dtype !== 'float16' && dtype !== 'float32' && dtype !== 'float64';
}

/**
 * Parses the bytes of a `.npy` file (format versions 1.0–3.0, as `numpy.save` writes them). `file`
 * names the source in errors (for an `.npz` member: `archive.npz:x.npy`). Every failure is
 * `QT_DATASET_CORRUPT` with `details.problem`: `bad-magic`, `header`, `dtype` (complex, strings,
 * objects, structured), `fortran-order`, `truncated` or `trailing-bytes`.
 *
 * @example
 * const { shape, data } = parseNpy(readFileSync('x.npy'), 'x.npy'); // shape [n, 28, 28]
 */
export function parseNpy(bytes: Uint8Array, file: string): NpyArray {
  if (bytes.length < 10 || MAGIC.some((b, i) => bytes[i] !== b)) {
    throw corruptError(file, 'not a .npy file (it does not start with the magic string \\x93NUMPY)', { problem: 'bad-magic' });
  }
  const major = bytes[6] as number;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (major < 1 || major > 3) throw corruptError(file, `unsupported .npy format version ${major}.${bytes[7]} (1.0–3.0 are read)`, { problem: 'header' });
  const lengthBytes = major === 1 ? 2 : 4;
  if (bytes.length < 8 + lengthBytes) throw corruptError(file, 'truncated inside the .npy header', { problem: 'truncated' });
  const headerLength = major === 1 ? view.getUint16(8, true) : view.getUint32(8, true);
  const start = 8 + lengthBytes + headerLength;
  if (bytes.length < start)
    throw corruptError(file, `truncated: the .npy header declares ${headerLength} bytes, the file has ${bytes.length - 8 - lengthBytes}`, {
      problem: 'truncated',
    });
  const header = Buffer.from(bytes.buffer, bytes.byteOffset + 8 + lengthBytes, headerLength).toString(major === 3 ? 'utf8' : 'latin1');
  const { descr, fortran, shape } = parseHeader(header, file);
  const { dtype, size, littleEndian } = parseDescr(descr, file);
  if (fortran) {
    throw corruptError(file, 'Fortran-order (column-major) arrays are not read; save a C-order copy, e.g. numpy.save(f, numpy.ascontiguousarray(x))', {
      problem: 'fortran-order',
    });
  }
  const count = shape.reduce((a, b) => a * b, 1);
  const expected = count * size;
  const actual = bytes.length - start;
  if (actual < expected)
    throw corruptError(file, `truncated: shape (${shape.join(', ')}) of ${dtype} needs ${expected} bytes of data, found ${actual}`, {
      problem: 'truncated',
      shape,
    });
  if (actual > expected)
    throw corruptError(file, `${actual - expected} unexpected trailing bytes after the (${shape.join(', ')}) ${dtype} data`, {
      problem: 'trailing-bytes',
      shape,
    });
  return { dtype, shape, data: readValues(view, start, count, dtype, littleEndian) };
}

function parseHeader(header: string, file: string): { descr: string; fortran: boolean; shape: number[] } {
  const bad = (what: string) => corruptError(file, `malformed .npy header (${what}): ${JSON.stringify(header.trim())}`, { problem: 'header' });
  const descrList = /['"]descr['"]\s*:\s*\[/.exec(header);
  if (descrList)
    throw corruptError(file, 'structured dtypes (records with named fields) are not supported; save one plain array per key', { problem: 'dtype' });
  const descr = /['"]descr['"]\s*:\s*['"]([^'"]*)['"]/.exec(header)?.[1];
  const fortran = /['"]fortran_order['"]\s*:\s*(True|False)/.exec(header)?.[1];
  const shapeText = /['"]shape['"]\s*:\s*\(([^)]*)\)/.exec(header)?.[1];
  if (descr === undefined) throw bad('no descr');
  if (fortran === undefined) throw bad('no fortran_order');
  if (shapeText === undefined) throw bad('no shape');
  const shape = shapeText
    .split(',')
    .map((s) => s.trim().replace(/L$/, ''))
    .filter((s) => s !== '')
    .map(Number);
  if (shape.some((d) => !Number.isSafeInteger(d) || d < 0)) throw bad('shape');
  return { descr, fortran: fortran === 'True', shape };
}

function parseDescr(descr: string, file: string): { dtype: NpyDtype; size: number; littleEndian: boolean } {
  const m = /^([<>|=]?)([a-zA-Z])(\d+)$/.exec(descr);
  const dtype = m ? KINDS[m[2] as string]?.[Number(m[3])] : undefined;
  if (!m || dtype === undefined) {
    throw corruptError(file, `unsupported dtype '${descr}'${describeDescr(descr)}; supported: ${SUPPORTED}`, { problem: 'dtype', descr });
  }
  return { dtype, size: Number(m[3]), littleEndian: m[1] !== '>' };
}

function describeDescr(descr: string): string {
  const kind = /^[<>|=]?([a-zA-Z])/.exec(descr)?.[1];
  const names: Record<string, string> = {
    c: 'complex',
    U: 'unicode strings',
    S: 'byte strings',
    O: 'Python objects',
    M: 'datetime',
    m: 'timedelta',
    V: 'raw bytes',
  };
  return kind !== undefined && names[kind] ? ` (${names[kind]})` : '';
}

function readValues(view: DataView, start: number, count: number, dtype: NpyDtype, le: boolean): Uint8Array | Float32Array {
  if (dtype === 'uint8') return new Uint8Array(view.buffer, view.byteOffset + start, count);
  const out = new Float32Array(count);
  const read: (offset: number) => number = {
    bool: (o: number) => (view.getUint8(o) === 0 ? 0 : 1),
    uint8: (o: number) => view.getUint8(o),
    int8: (o: number) => view.getInt8(o),
    uint16: (o: number) => view.getUint16(o, le),
    int16: (o: number) => view.getInt16(o, le),
    uint32: (o: number) => view.getUint32(o, le),
    int32: (o: number) => view.getInt32(o, le),
    uint64: (o: number) => Number(view.getBigUint64(o, le)),
    int64: (o: number) => Number(view.getBigInt64(o, le)),
    float16: (o: number) => halfToFloat(view.getUint16(o, le)),
    float32: (o: number) => view.getFloat32(o, le),
    float64: (o: number) => view.getFloat64(o, le),
  }[dtype];
  const size = { bool: 1, uint8: 1, int8: 1, uint16: 2, int16: 2, uint32: 4, int32: 4, uint64: 8, int64: 8, float16: 2, float32: 4, float64: 8 }[dtype];
  for (let i = 0; i < count; i++) out[i] = read(start + i * size);
  return out;
}

/** IEEE 754 half precision → number. */
function halfToFloat(h: number): number {
  const sign = h & 0x8000 ? -1 : 1;
  const exponent = (h >> 10) & 0x1f;
  const fraction = h & 0x3ff;
  if (exponent === 0) return sign * 2 ** -14 * (fraction / 1024);
  if (exponent === 0x1f) return fraction === 0 ? sign * Infinity : Number.NaN;
  return sign * 2 ** (exponent - 15) * (1 + fraction / 1024);
}
