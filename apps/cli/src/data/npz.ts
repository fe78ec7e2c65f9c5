import { crc32, inflateRawSync } from 'node:zlib';
import { corruptError } from './files.js';
import { parseNpy, type NpyArray } from './npy.js';

const EOCD = 0x06054b50;
const ZIP64_EOCD = 0x06064b50;
const ZIP64_LOCATOR = 0x07064b50;
const CENTRAL = 0x02014b50;
const LOCAL = 0x04034b50;
const MAX32 = 0xffffffff;

interface ZipEntry {
  readonly name: string;
  readonly method: number;
  readonly crc: number;
  readonly compressedSize: number;
  readonly size: number;
  readonly localOffset: number;
}

/**
 * The `.npy` members of an `.npz` archive (as `numpy.savez` and `numpy.savez_compressed` write
 * them: stored or deflated, zip64 extras), by key (`x` for `x.npy`). Members are inflated and
 * parsed only when `read(key)` asks for them; every CRC is checked. Errors are
 * `QT_DATASET_CORRUPT` naming the archive (and the member: `data.npz:x.npy`).
 */
export function openNpz(bytes: Uint8Array, file: string): { keys: readonly string[]; read: (key: string) => NpyArray } {
  const entries = centralDirectory(bytes, file);
  const byKey = new Map<string, ZipEntry>();
  for (const entry of entries) if (entry.name.endsWith('.npy') && !entry.name.endsWith('/')) byKey.set(entry.name.slice(0, -4), entry);
  return {
    keys: [...byKey.keys()],
    read: (key) => {
      const entry = byKey.get(key);
      if (!entry) throw corruptError(file, `no array "${key}" (keys: ${[...byKey.keys()].join(', ') || 'none'})`, { problem: 'missing-key', key });
      return parseNpy(memberBytes(bytes, entry, file), `${file}:${entry.name}`);
    },
  };
}

function centralDirectory(bytes: Uint8Array, file: string): ZipEntry[] {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const notZip = () => corruptError(file, 'not an .npz file: no zip directory found (truncated, or not written by numpy.savez)', { problem: 'bad-magic' });
  let eocd = -1;
  for (let i = bytes.length - 22; i >= Math.max(0, bytes.length - 22 - 0xffff); i--) {
    if (view.getUint32(i, true) === EOCD) {
      eocd = i;
      break;
    }
  }
  if (eocd < 0) throw notZip();
  let count = view.getUint16(eocd + 10, true);
  let dirSize = view.getUint32(eocd + 12, true);
  let dirOffset = view.getUint32(eocd + 16, true);
  if ((count === 0xffff || dirOffset === MAX32) && eocd >= 20 && view.getUint32(eocd - 20, true) === ZIP64_LOCATOR) {
    const at = Number(view.getBigUint64(eocd - 12, true));
    if (at + 56 > bytes.length || view.getUint32(at, true) !== ZIP64_EOCD) throw notZip();
    count = Number(view.getBigUint64(at + 32, true));
    dirSize = Number(view.getBigUint64(at + 40, true));
    dirOffset = Number(view.getBigUint64(at + 48, true));
  }
  if (dirOffset + dirSize > bytes.length) throw corruptError(file, 'truncated: the zip directory lies beyond the end of the file', { problem: 'truncated' });
  const entries: ZipEntry[] = [];
  let p = dirOffset;
  for (let n = 0; n < count; n++) {
    if (p + 46 > bytes.length || view.getUint32(p, true) !== CENTRAL)
      throw corruptError(file, `corrupt zip directory (entry ${n + 1} of ${count})`, { problem: 'zip' });
    const method = view.getUint16(p + 10, true);
    const crc = view.getUint32(p + 16, true);
    let compressedSize = view.getUint32(p + 20, true);
    let size = view.getUint32(p + 24, true);
    const nameLength = view.getUint16(p + 28, true);
    const extraLength = view.getUint16(p + 30, true);
    const commentLength = view.getUint16(p + 32, true);
    let localOffset = view.getUint32(p + 42, true);
    const name = Buffer.from(bytes.buffer, bytes.byteOffset + p + 46, nameLength).toString('utf8');
    // zip64 extra field (id 1): the 64-bit values of the fields that hold 0xFFFFFFFF, in this order.
    let e = p + 46 + nameLength;
    const extraEnd = e + extraLength;
    while (e + 4 <= extraEnd) {
      const id = view.getUint16(e, true);
      const length = view.getUint16(e + 2, true);
      if (id === 1) {
        let q = e + 4;
        const next = () => Number(view.getBigUint64((q += 8) - 8, true));
        if (size === MAX32) size = next();
        if (compressedSize === MAX32) compressedSize = next();
        if (localOffset === MAX32) localOffset = next();
      }
      e += 4 + length;
    }
    entries.push({ name, method, crc, compressedSize, size, localOffset });
    p = extraEnd + commentLength;
  }
  return entries;
}

function memberBytes(bytes: Uint8Array, entry: ZipEntry, file: string): Uint8Array {
  const member = `${file}:${entry.name}`;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const at = entry.localOffset;
  if (at + 30 > bytes.length || view.getUint32(at, true) !== LOCAL) throw corruptError(member, 'corrupt zip member header', { problem: 'zip' });
  const start = at + 30 + view.getUint16(at + 26, true) + view.getUint16(at + 28, true);
  if (start + entry.compressedSize > bytes.length)
    throw corruptError(member, `truncated: ${entry.compressedSize} compressed bytes declared, ${Math.max(0, bytes.length - start)} present`, {
      problem: 'truncated',
    });
  const raw = bytes.subarray(start, start + entry.compressedSize);
  let data: Uint8Array;
  if (entry.method === 0) data = raw;
  else if (entry.method === 8) {
    try {
      data = inflateRawSync(raw);
    } catch (cause) {
      throw corruptError(member, `corrupt deflate stream (${(cause as Error).message})`, { problem: 'zip', cause });
    }
  } else {
    throw corruptError(member, `unsupported zip compression method ${entry.method}; numpy writes stored (0) or deflated (8) members`, { problem: 'zip' });
  }
  if (data.length !== entry.size)
    throw corruptError(member, `size ${data.length} differs from the ${entry.size} bytes the zip directory declares`, { problem: 'zip' });
  if (crc32(data) >>> 0 !== entry.crc) throw corruptError(member, 'CRC-32 mismatch: the member is corrupt', { problem: 'crc' });
  return data;
}
