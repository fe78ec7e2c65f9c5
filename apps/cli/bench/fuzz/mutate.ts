/**
 * Seeded mutators for the reader fuzz harness: byte-level (bit flips, interesting bytes,
 * truncation, insertions, chunk duplication / deletion), protobuf-aware (varint length and value
 * corruption), IDX header corruption, CSV text corruption and JSON structural mutation. Every
 * mutator is a pure function of its input and the `Rng` it is given, so a case is reproducible
 * from (seed, target, case index) alone.
 */
import { mulberry32 } from '@quant-trim/test-utils';

export type Rng = () => number;

/** FNV-1a over a string: the per-case PRNG seed. */
export function hash32(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193);
  return h >>> 0;
}

/** The PRNG of one case: independent of every other case, so a single case can be replayed. */
export function caseRng(seed: number, target: string, index: number): Rng {
  return mulberry32(hash32(`${seed}:${target}:${index}`));
}

export const int = (r: Rng, n: number): number => Math.floor(r() * n);
export const pick = <T>(r: Rng, items: readonly T[]): T => items[int(r, items.length)] as T;
/** A length biased towards small values (most corruptions are local), up to `max`. */
export const smallLength = (r: Rng, max: number): number => Math.max(1, Math.min(max, Math.floor(2 ** (r() * Math.log2(max + 1)))));

const INTERESTING_BYTES = [0x00, 0xff, 0x7f, 0x80, 0x01, 0xfe, 0x10, 0x20, 0x40];

function concat(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

const randomBytes = (r: Rng, n: number): Uint8Array => Uint8Array.from({ length: n }, () => (r() < 0.3 ? pick(r, INTERESTING_BYTES) : int(r, 256)));

/** One byte-level mutation; the input is not modified. */
export function mutateBytes(r: Rng, input: Uint8Array): Uint8Array {
  if (input.length === 0) return randomBytes(r, smallLength(r, 64));
  const at = int(r, input.length);
  switch (int(r, 7)) {
    case 0: {
      const out = input.slice();
      out[at] = out[at]! ^ (1 << int(r, 8));
      return out;
    }
    case 1: {
      const out = input.slice();
      out[at] = pick(r, INTERESTING_BYTES);
      return out;
    }
    case 2:
      return input.slice(0, at);
    case 3:
      return concat(input.subarray(0, at), randomBytes(r, smallLength(r, 256)), input.subarray(at));
    case 4: {
      const len = smallLength(r, input.length - at);
      const chunk = input.subarray(at, at + len);
      const to = int(r, input.length + 1);
      const times = r() < 0.1 ? 1 + int(r, 64) : 1;
      return concat(input.subarray(0, to), ...Array.from({ length: times }, () => chunk), input.subarray(to));
    }
    case 5: {
      const len = smallLength(r, input.length - at);
      return concat(input.subarray(0, at), input.subarray(at + len));
    }
    default: {
      const out = input.slice();
      const len = Math.min(out.length - at, 1 + int(r, 8));
      for (let i = 0; i < len; i++) out[at + i] = int(r, 256);
      return out;
    }
  }
}

// ---------------------------------------------------------------- protobuf

/** Where a varint sits in a protobuf message, and whether it is a length prefix. */
interface VarintSite {
  readonly offset: number;
  readonly length: number;
  readonly value: number;
  readonly isLength: boolean;
}

function readVarint(b: Uint8Array, at: number): { value: number; length: number } | undefined {
  let value = 0;
  for (let i = 0; i < 10 && at + i < b.length; i++) {
    const byte = b[at + i]!;
    value += (byte & 0x7f) * 2 ** (7 * i);
    if ((byte & 0x80) === 0) return { value, length: i + 1 };
  }
  return undefined;
}

/** Walks the wire format (recursing into length-delimited fields that parse as messages) and lists every varint. */
function varintSites(b: Uint8Array, from = 0, to = b.length, depth = 0, out: VarintSite[] = []): VarintSite[] | undefined {
  let at = from;
  const local: VarintSite[] = [];
  while (at < to) {
    const tag = readVarint(b, at);
    if (!tag || tag.value === 0) return undefined;
    at += tag.length;
    const wire = tag.value % 8;
    if (wire === 0) {
      const v = readVarint(b, at);
      if (!v) return undefined;
      local.push({ offset: at, length: v.length, value: v.value, isLength: false });
      at += v.length;
    } else if (wire === 1) at += 8;
    else if (wire === 5) at += 4;
    else if (wire === 2) {
      const len = readVarint(b, at);
      if (!len || at + len.length + len.value > to) return undefined;
      local.push({ offset: at, length: len.length, value: len.value, isLength: true });
      at += len.length;
      if (depth < 12 && len.value > 0) varintSites(b, at, at + len.value, depth + 1, local);
      at += len.value;
    } else return undefined;
  }
  if (at !== to) return undefined;
  out.push(...local);
  return out;
}

const siteCache = new WeakMap<Uint8Array, VarintSite[]>();

function encodeVarint(value: bigint): Uint8Array {
  let v = BigInt.asUintN(64, value);
  const out: number[] = [];
  do {
    const byte = Number(v & 0x7fn);
    v >>= 7n;
    out.push(v > 0n ? byte | 0x80 : byte);
  } while (v > 0n);
  return Uint8Array.from(out);
}

/**
 * Rewrites one varint of a valid protobuf message: a length prefix off by a little or by a lot
 * (so it runs past the end, or into the next field), or a value (a dim, a data type, a count) set
 * to 0, −1, 2^31, 2^32, 2^40, 2^53 + 1 or 2^63 − 1. Falls back to a byte mutation for bytes that
 * are not a message.
 */
export function mutateProtobuf(r: Rng, seed: Uint8Array): Uint8Array {
  let sites = siteCache.get(seed);
  if (!sites) {
    sites = varintSites(seed) ?? [];
    siteCache.set(seed, sites);
  }
  if (sites.length === 0) return mutateBytes(r, seed);
  const wantLength = r() < 0.5;
  const pool = sites.filter((s) => s.isLength === wantLength);
  const site = pick(r, pool.length > 0 ? pool : sites);
  const v = BigInt(site.value);
  const value = pick(r, [
    0n,
    1n,
    v + 1n,
    v - 1n,
    v + BigInt(1 + int(r, 64)),
    v * 2n,
    -1n,
    2n ** 31n - 1n,
    2n ** 31n,
    2n ** 32n,
    2n ** 32n - 1n,
    2n ** 40n,
    2n ** 53n + 1n,
    2n ** 63n - 1n,
    BigInt(int(r, 1 << 20)),
  ]);
  return concat(seed.subarray(0, site.offset), encodeVarint(value < 0n && site.isLength ? 0n : value), seed.subarray(site.offset + site.length));
}

// ---------------------------------------------------------------- IDX

const INTERESTING_U32 = [0, 1, 2, 3, 0x7f, 0x80, 0xff, 0x100, 0xffff, 0x10000, 0x7fffffff, 0x80000000, 0xfffffffe, 0xffffffff, 60000, 28, 784];

/** Corrupts an IDX header: the magic (zero bytes, data type, dimension count) or one dimension. */
export function mutateIdxHeader(r: Rng, input: Uint8Array): Uint8Array {
  const out = input.slice();
  if (out.length < 4) return mutateBytes(r, input);
  const ndim = out[3]!;
  if (r() < 0.35 || out.length < 8) {
    out[int(r, 4)] = r() < 0.5 ? pick(r, [0x00, 0x01, 0x03, 0x08, 0x09, 0x0b, 0x0c, 0x0d, 0x0e, 0xff, 0x80]) : int(r, 256);
    return out;
  }
  const dims = Math.max(1, Math.min(ndim, Math.floor((out.length - 4) / 4)));
  const d = int(r, dims);
  const view = new DataView(out.buffer, out.byteOffset, out.byteLength);
  const old = view.getUint32(4 + 4 * d, false);
  view.setUint32(4 + 4 * d, pick(r, [...INTERESTING_U32, old + 1, old - 1, old * 2, old >>> 1, int(r, 2 ** 32)]) >>> 0, false);
  return out;
}

// ---------------------------------------------------------------- CSV

const CSV_CELLS = [
  '',
  ' ',
  'NaN',
  'nan',
  'Infinity',
  '-Infinity',
  'inf',
  '1e309',
  '-1e309',
  '1e-400',
  '-0',
  '+0',
  '0x10',
  '0b1',
  '1_000',
  '99999999999999999999999',
  '256',
  '-1',
  '255.0000001',
  '0.5',
  '.5',
  '5.',
  '1e2',
  'abc',
  '"1"',
  '"',
  "'1'",
  '\u00a01',
  '٣',
  '1,5',
  '\t7',
  '\0',
  '\ufeff1',
  '1 2',
  'null',
  'true',
  '[]',
  '1e',
  'e1',
  '--1',
  '.',
];

/** One CSV-aware corruption of UTF-8 CSV text; half of the time a byte-level mutation instead. */
export function mutateCsv(r: Rng, input: Uint8Array): Uint8Array {
  if (r() < 0.3) return mutateBytes(r, input);
  const text = Buffer.from(input).toString('utf8');
  const lines = text.split('\n');
  const li = int(r, lines.length);
  const line = lines[li] ?? '';
  const cells = line.split(',');
  const ci = int(r, cells.length);
  switch (int(r, 12)) {
    case 0: // ragged: drop or add cells
      if (r() < 0.5 && cells.length > 1) cells.splice(ci, 1 + int(r, Math.min(3, cells.length - 1)));
      else cells.splice(ci, 0, ...Array.from({ length: 1 + int(r, 3) }, () => String(int(r, 256))));
      lines[li] = cells.join(',');
      break;
    case 1: // a strange cell
    case 2:
      cells[ci] = pick(r, CSV_CELLS);
      lines[li] = cells.join(',');
      break;
    case 3: // empty / whitespace lines
      lines.splice(li, 0, ...Array.from({ length: 1 + int(r, 4) }, () => pick(r, ['', ' ', '\r', '\t', ',', ',,,'])));
      break;
    case 4: // BOM
      return Buffer.from(`\ufeff${text}`, 'utf8');
    case 5: // quotes around cells or lines
      cells[ci] = `"${cells[ci]}${r() < 0.5 ? '"' : ''}`;
      lines[li] = cells.join(',');
      break;
    case 6: // a very long line (many cells, or one huge cell)
      lines[li] =
        r() < 0.5 ? Array.from({ length: 1000 + int(r, 50_000) }, () => String(int(r, 256))).join(',') : `${line}${'9'.repeat(10_000 + int(r, 200_000))}`;
      break;
    case 7: // CRLF / CR only / other separators
      return Buffer.from(r() < 0.5 ? text.replace(/\n/g, '\r\n') : text.replace(/\n/g, pick(r, ['\r', '\n\n', '\r\r\n'])), 'utf8');
    case 8:
      lines[li] = line.replace(/,/g, pick(r, [';', '\t', ' ', ', ', ',,']));
      break;
    case 9: // duplicate or drop lines
      if (r() < 0.5) lines.splice(li, 0, ...Array.from({ length: 1 + int(r, r() < 0.1 ? 5000 : 5) }, () => line));
      else lines.splice(li, 1 + int(r, 3));
      break;
    case 10: // a header row (or a second one)
      lines.splice(li, 0, cells.map((_, i) => (i === 0 ? 'label' : `p${i - 1}`)).join(','));
      break;
    default: // numeric edge values throughout a row
      lines[li] = cells.map(() => pick(r, ['0', '255', '1', '0.0', '1e2', '2.55e2', '-0', '255.5'])).join(',');
  }
  return Buffer.from(lines.join('\n'), 'utf8');
}

// ---------------------------------------------------------------- JSON

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type Container = Json[] | { [key: string]: Json };
type Path = readonly (string | number)[];

const PROTO_KEYS = ['__proto__', 'constructor', 'prototype', 'toString', 'hasOwnProperty', 'valueOf', '__defineGetter__'];
const isContainer = (v: unknown): v is Container => typeof v === 'object' && v !== null;

/** Sets an own property, even `__proto__` (a plain assignment would change the prototype). */
function setOwn(o: Container, key: string | number, value: Json): void {
  Object.defineProperty(o, key, { value, enumerable: true, writable: true, configurable: true });
}

/** The path of every value below the root (to depth 64), computed once per seed. */
function pathsOf(root: Json, prefix: Path = [], out: Path[] = []): Path[] {
  if (!isContainer(root) || prefix.length > 64) return out;
  for (const key of Array.isArray(root) ? root.keys() : Object.keys(root)) {
    const path = [...prefix, key];
    out.push(path);
    pathsOf((root as Record<string | number, Json>)[key] as Json, path, out);
  }
  return out;
}

/** A shallow copy keeping own `__proto__` keys (spread defines properties, it does not assign them). */
const shallowCopy = (c: Container): Container => (Array.isArray(c) ? c.slice() : { ...c });
const has = (c: Container, key: string | number) => Object.hasOwn(c, key);

function valueAt(root: Json, path: Path): Json | undefined {
  let node: Json | undefined = root;
  for (const key of path) {
    if (!isContainer(node) || !has(node, key)) return undefined;
    node = (node as Record<string | number, Json>)[key];
  }
  return node;
}

function randomValue(r: Rng, like: Json, depth = 0): Json {
  switch (int(r, 16)) {
    case 0:
      return null;
    case 1:
      return r() < 0.5;
    case 2:
      return pick(r, [0, -1, 1, -0, 0.5, 1e308, -1e308, 5e-324, 2 ** 31, 2 ** 32, 2 ** 53 + 2, Number.MAX_SAFE_INTEGER, 1e21, 255, 256]);
    case 3:
      return pick(r, [
        '',
        ' ',
        'NaN',
        'Infinity',
        '-1',
        '0',
        'null',
        'true',
        '__proto__',
        '\u0000',
        '\ud800',
        'ünïcødé',
        '../../etc/passwd',
        'x'.repeat(100_000),
      ]);
    case 4:
      return [];
    case 5:
      return {};
    case 6: // deep nesting (only at the top: nested values stay small, so one case stays a few MB)
      // Spliced in as text after serialization: JSON.stringify would overflow the stack.
      if (depth > 0) return int(r, 10);
      return `${DEEP}${r() < 0.2 ? 10_000 + int(r, 90_000) : 1 + int(r, 200)}:${r() < 0.5 ? '[' : '{'}`;
    case 7: // a huge array (only at the top)
      return Array.from({ length: depth === 0 && r() < 0.1 ? 20_000 + int(r, 280_000) : int(r, 100) }, () =>
        depth < 2 && r() < 0.01 ? randomValue(r, like, depth + 1) : int(r, 256),
      );
    case 8: {
      const o: { [key: string]: Json } = {};
      for (const k of PROTO_KEYS.slice(0, 1 + int(r, PROTO_KEYS.length))) setOwn(o, k, depth < 2 ? randomValue(r, like, depth + 1) : null);
      return o;
    }
    case 9:
      return Array.isArray(like) && like.length < 10_000 ? [...like, ...like] : like;
    case 10: // same type, another value
      return typeof like === 'number'
        ? pick(r, [like + 1, -like, like * 1e6, Math.floor(like) + 0.5, 0])
        : typeof like === 'string'
          ? like + pick(r, ['x', '*', '?', '.', ''])
          : like;
    default:
      return typeof like === 'number' ? String(like) : typeof like === 'string' ? (Number.isFinite(Number(like)) ? Number(like) : like.length) : null;
  }
}

const DEEP = '\u0001deep:';
const DEEP_TEXT = /"\\u0001deep:(\d+):([[{])"/g;
const nestedText = (depth: number, open: string): string =>
  open === '[' ? `${'['.repeat(depth)}0${']'.repeat(depth)}` : `${'{"a":'.repeat(depth)}0${'}'.repeat(depth)}`;

interface JsonSeed {
  readonly root: Json;
  readonly paths: Path[];
}
const jsonCache = new WeakMap<Uint8Array, JsonSeed | null>();

/**
 * One to four structural mutations of a JSON document (drop a key, change a value's type, deep
 * nesting, huge arrays, prototype keys, another subtree in a value's place), serialized again;
 * sometimes followed or replaced by a byte-level mutation of the text. The seed is parsed once:
 * each case copies only the containers on the paths it changes (copy on write), so a case on a
 * 400 KB report costs one serialization.
 */
export function mutateJson(r: Rng, input: Uint8Array): Uint8Array {
  let seed = jsonCache.get(input);
  if (seed === undefined) {
    try {
      const root = JSON.parse(Buffer.from(input).toString('utf8')) as Json;
      seed = { root, paths: pathsOf(root) };
    } catch {
      seed = null;
    }
    jsonCache.set(input, seed);
  }
  if (seed === null || seed.paths.length === 0 || r() < 0.15) return mutateBytes(r, input);
  const rounds = 1 + int(r, 4);
  let root = seed.root;
  for (let i = 0; i < rounds; i++) root = mutateAt(r, root, pick(r, seed.paths), seed);
  let text: string;
  try {
    text = (r() < 0.5 ? JSON.stringify(root) : JSON.stringify(root, null, 2)) ?? 'null';
  } catch {
    return mutateBytes(r, input);
  }
  let bytes: Uint8Array = Buffer.from(
    text.replace(DEEP_TEXT, (_, depth: string, open: string) => nestedText(Number(depth), open)),
    'utf8',
  );
  if (r() < 0.2) bytes = mutateBytes(r, bytes);
  return bytes;
}

/** `root` with the value at `path` mutated; containers on the path are copied, everything else is shared. */
function mutateAt(r: Rng, root: Json, path: Path, seed: JsonSeed): Json {
  if (!isContainer(root)) return root;
  const top = shallowCopy(root);
  let parent = top;
  for (const key of path.slice(0, -1)) {
    const child = has(parent, key) ? (parent as Record<string | number, Json>)[key] : undefined;
    if (!isContainer(child)) return top; // an earlier round removed or replaced this branch
    const copy = shallowCopy(child);
    setOwn(parent, key, copy);
    parent = copy;
  }
  const key = path[path.length - 1]!;
  if (!has(parent, key)) return top;
  const current = (parent as Record<string | number, Json>)[key] as Json;
  switch (int(r, 6)) {
    case 0: // drop the key (or array element)
      if (Array.isArray(parent)) parent.splice(key as number, 1);
      else delete (parent as Record<string, Json>)[key];
      break;
    case 1: // a prototype key beside it
      if (!Array.isArray(parent)) setOwn(parent, pick(r, PROTO_KEYS), isContainer(current) && r() < 0.5 ? current : randomValue(r, current));
      else setOwn(parent, key, randomValue(r, current));
      break;
    case 2: // another subtree of the seed in its place (right shape, wrong place); shared, never written
      setOwn(parent, key, valueAt(seed.root, pick(r, seed.paths)) ?? null);
      break;
    default:
      setOwn(parent, key, randomValue(r, current));
  }
  return top;
}
