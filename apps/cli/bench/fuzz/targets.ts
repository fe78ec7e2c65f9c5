/**
 * The fuzzed readers, each with its valid seed inputs and its mutation mix: the ONNX reader
 * (`readOnnx`, then `writeOnnx` of whatever it accepted, whose bytes must survive another round trip), the config parser (`parseConfigText`,
 * what `loadConfig` runs on a file's text), the IDX parser (`parseIdx`, images and labels), the
 * CSV loader (`parseCsvBytes`) and the run-report reader (`parseRunReportText`, what
 * `quant-trim report` runs on a file's text).
 */
import { readFileSync } from 'node:fs';
import onnxProto from 'onnx-proto';
import { readOnnx, writeOnnx, type OnnxModel, type OnnxTensor } from '@quant-trim/onnx-export';
import { QuantTrimError } from '@quant-trim/errors';
import { mulberry32 } from '@quant-trim/test-utils';
import { parseConfigText } from '../../src/config/loadConfig.js';
import { parseCsvBytes } from '../../src/data/csv.js';
import { parseIdx } from '../../src/data/idx.js';
import { parseRunReportText } from '../../src/commands/report/index.js';
import { makeFixtureReport, makeFixtureReportV1 } from '../../test/report/fixture.js';
import { int, mutateBytes, mutateCsv, mutateIdxHeader, mutateJson, mutateProtobuf, pick, type Rng } from './mutate.js';

/** One generated case: the bytes, and for targets with several entry points which one reads them. */
export interface FuzzInput {
  readonly bytes: Uint8Array;
  readonly variant?: string;
}

/** A failure of a later stage (the reader accepted the input, the round trip did not): always a failure, coded or not. */
export class StageError extends Error {
  constructor(
    readonly stage: string,
    readonly error: unknown,
  ) {
    super(`${stage}: ${error instanceof Error ? error.message : String(error)}`);
  }
}

export interface FuzzTarget {
  readonly name: string;
  /** What is called per case, for the report. */
  readonly entry: string;
  /** Builds case `index` from its PRNG (`caseRng(seed, name, index)`): a seed input and one or more mutations. */
  generate(r: Rng, index: number): FuzzInput;
  /** Reads the input; returns when it was accepted, throws otherwise. */
  run(input: FuzzInput): void;
}

const utf8 = (text: string) => new Uint8Array(Buffer.from(text, 'utf8'));
const textOf = (bytes: Uint8Array) => new TextDecoder().decode(bytes);

/** Applies 1–3 mutations, each drawn from `strategies`. */
function mutated(r: Rng, seed: Uint8Array, strategies: readonly ((r: Rng, b: Uint8Array) => Uint8Array)[]): Uint8Array {
  let bytes = seed;
  const rounds = r() < 0.6 ? 1 : 2 + int(r, 2);
  for (let i = 0; i < rounds; i++) bytes = pick(r, strategies)(r, bytes);
  return bytes;
}

// ---------------------------------------------------------------- ONNX

const f32 = (name: string, dims: number[], values: ArrayLike<number>): OnnxTensor => ({ name, dataType: 1, dims, data: Float32Array.from(values) });

/** A small model with every kind of tensor and attribute the reader decodes. */
function onnxSeedModel(): OnnxModel {
  const r = mulberry32(7);
  const vals = (n: number) => Array.from({ length: n }, () => r() - 0.5);
  const initializers: OnnxTensor[] = [
    f32('w', [2, 1, 3, 3], vals(18)),
    f32('b', [2], vals(2)),
    f32('s', [], [0.05]),
    { name: 'zp', dataType: 3, dims: [], data: new Int8Array([3]) },
    { name: 'shape', dataType: 7, dims: [2], data: new BigInt64Array([1n, -1n]) },
    f32('w2', [2, 32], vals(64)),
    { name: 'w4', dataType: 22, dims: [5], data: new Int8Array([-8, -1, 0, 3, 7]) },
    { name: 'u4', dataType: 21, dims: [3], data: new Uint8Array([0, 9, 15]) },
    { name: 'h', dataType: 10, dims: [2], data: new Uint16Array([0x3c00, 0xc000]) },
    { name: 'd', dataType: 11, dims: [1], data: new Float64Array([Math.PI]) },
    { name: 'u64', dataType: 13, dims: [1], data: new BigUint64Array([2n ** 63n]) },
    { name: 'flags', dataType: 9, dims: [3], data: new Uint8Array([1, 0, 1]) },
    { name: 'c64', dataType: 14, dims: [1], data: new Float32Array([1, -1]) },
  ];
  return {
    irVersion: 10,
    opsetImports: [
      { domain: '', version: 21 },
      { domain: 'com.microsoft', version: 1 },
    ],
    producerName: 'quant-trim-fuzz',
    producerVersion: '1',
    docString: 'fuzz seed',
    metadata: { author: 'fuzz', note: 'seed' },
    graph: {
      name: 'seed',
      nodes: [
        {
          name: 'conv',
          opType: 'Conv',
          domain: '',
          inputs: ['x', 'w', 'b'],
          outputs: ['c'],
          attributes: {
            kernel_shape: { type: 'ints', value: [3, 3] },
            pads: { type: 'ints', value: [1, 1, 1, 1] },
            auto_pad: { type: 'string', value: 'NOTSET' },
          },
        },
        { name: 'relu', opType: 'Relu', domain: '', inputs: ['c'], outputs: ['r'], attributes: {} },
        { name: 'q', opType: 'QuantizeLinear', domain: '', inputs: ['r', 's', 'zp'], outputs: ['q'], attributes: { axis: { type: 'int', value: 1 } } },
        { name: 'dq', opType: 'DequantizeLinear', domain: '', inputs: ['q', 's', 'zp'], outputs: ['dq'], attributes: {} },
        { name: 'reshape', opType: 'Reshape', domain: '', inputs: ['dq', 'shape'], outputs: ['flat'], attributes: {} },
        {
          name: 'gemm',
          opType: 'Gemm',
          domain: '',
          inputs: ['flat', 'w2', ''],
          outputs: ['y'],
          attributes: {
            alpha: { type: 'float', value: 1 },
            transB: { type: 'int', value: 1 },
            names: { type: 'strings', value: ['a', 'b'] },
            scales: { type: 'floats', value: [0.5, 2] },
          },
          docString: 'head',
        },
        { name: 'k', opType: 'Constant', domain: '', inputs: [], outputs: ['k'], attributes: { value: { type: 'tensor', value: f32('kv', [2], [1, 2]) } } },
        { name: 'add', opType: 'Add', domain: '', inputs: ['y', 'k'], outputs: ['out'], attributes: {} },
      ],
      initializers: new Map(initializers.map((t) => [t.name, t])),
      inputs: [{ name: 'x', elemType: 1, shape: ['N', 1, 4, 4] }],
      outputs: [{ name: 'out', elemType: 1, shape: [null, 2] }],
      valueInfo: [{ name: 'c', elemType: 1, shape: [1, 2, 4, 4] }],
    },
  };
}

/** The same model with tensors in the typed fields (float_data, int32_data, int64_data) instead of raw_data, as some exporters write them. */
function typedFieldsVariant(bytes: Uint8Array): Uint8Array {
  const { onnx } = onnxProto;
  const m = onnx.ModelProto.decode(bytes);
  for (const t of m.graph?.initializer ?? []) {
    const raw = t.rawData ?? new Uint8Array(0);
    const view = new DataView(raw.buffer, raw.byteOffset, raw.byteLength);
    if (t.dataType === 1) t.floatData = Array.from({ length: raw.length / 4 }, (_, i) => view.getFloat32(4 * i, true));
    else if (t.dataType === 7) t.int64Data = Array.from({ length: raw.length / 8 }, (_, i) => Number(view.getBigInt64(8 * i, true)));
    else if (t.dataType === 3) t.int32Data = Array.from(raw, (v) => (v << 24) >> 24);
    else continue;
    t.rawData = new Uint8Array(0);
  }
  return onnx.ModelProto.encode(m).finish();
}

function onnxSeeds(): Uint8Array[] {
  const bytes = writeOnnx(onnxSeedModel());
  return [bytes, typedFieldsVariant(bytes)];
}

// ---------------------------------------------------------------- IDX

function idxFile(dims: number[], fill: (i: number) => number): Uint8Array {
  const size = dims.reduce((a, b) => a * b, 1);
  const out = new Uint8Array(4 + 4 * dims.length + size);
  const view = new DataView(out.buffer);
  out[2] = 0x08;
  out[3] = dims.length;
  dims.forEach((d, i) => view.setUint32(4 + 4 * i, d, false));
  for (let i = 0; i < size; i++) out[4 + 4 * dims.length + i] = fill(i);
  return out;
}

function idxSeeds(): { images: Uint8Array[]; labels: Uint8Array[] } {
  const r = mulberry32(11);
  return {
    images: [idxFile([3, 4, 5], () => int(r, 256)), idxFile([2, 28, 28], (i) => (i % 28 > 8 && i % 28 < 20 ? 255 : 0)), idxFile([0, 28, 28], () => 0)],
    labels: [idxFile([3], (i) => i), idxFile([10], (i) => i % 10), idxFile([0], () => 0)],
  };
}

// ---------------------------------------------------------------- CSV

function csvSeeds(): Uint8Array[] {
  const r = mulberry32(13);
  const rows = (n: number, pixels: number, value: () => string) =>
    Array.from({ length: n }, (_, i) => [String(i % 10), ...Array.from({ length: pixels }, value)].join(','));
  return [
    utf8(`${['label,p0,p1,p2,p3', ...rows(4, 4, () => String(int(r, 256)))].join('\n')}\n`),
    utf8(rows(3, 9, () => (r() < 0.3 ? '0' : r().toFixed(3))).join('\r\n')),
    utf8([`label,${Array.from({ length: 16 }, (_, i) => `pixel${i}`).join(',')}`, ...rows(6, 16, () => String(int(r, 256)))].join('\n')),
  ];
}

// ---------------------------------------------------------------- config

function configSeeds(): Uint8Array[] {
  const texts = [readFileSync(new URL('../../test/config/fixtures/quant-trim.config.json', import.meta.url), 'utf8')];
  for (const readme of ['../../README.md', '../../../../README.md']) {
    const md = readFileSync(new URL(readme, import.meta.url), 'utf8');
    for (const [, block] of md.matchAll(/```json\n([\s\S]*?)```/g)) {
      try {
        const json = JSON.parse(block!) as unknown;
        if (typeof json === 'object' && json !== null && !Array.isArray(json)) texts.push(block!);
      } catch {
        // a fragment, not a config
      }
    }
  }
  texts.push('{}', '{ "epochs": 1, "methods": ["fp"] }');
  return texts.map(utf8);
}

// ---------------------------------------------------------------- run report

/** The fixture report with every array cut to its first two items: still valid, 20× smaller, so most report cases are fast. */
function shortArrays(value: unknown): unknown {
  if (Array.isArray(value)) return value.slice(0, 2).map(shortArrays);
  if (typeof value === 'object' && value !== null) return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, shortArrays(v)]));
  return value;
}

// ---------------------------------------------------------------- targets

function lazy<T>(build: () => T): () => T {
  let value: T | undefined;
  let built = false;
  return () => {
    if (!built) [value, built] = [build(), true];
    return value as T;
  };
}

const idx = lazy(idxSeeds);
const seedsOf = {
  onnx: lazy(onnxSeeds),
  csv: lazy(csvSeeds),
  config: lazy(configSeeds),
  report: lazy(() => [
    utf8(JSON.stringify(shortArrays(makeFixtureReport()))),
    utf8(JSON.stringify(makeFixtureReport())),
    utf8(JSON.stringify(makeFixtureReportV1(), null, 2)),
  ]),
};

export const TARGETS: readonly FuzzTarget[] = [
  {
    name: 'onnx',
    entry: 'readOnnx (then writeOnnx of an accepted model, which must read back to the same bytes)',
    generate: (r) => ({ bytes: mutated(r, pick(r, seedsOf.onnx()), [mutateProtobuf, mutateProtobuf, mutateBytes]) }),
    run: ({ bytes }) => {
      const model = readOnnx(bytes);
      let written: Uint8Array;
      try {
        written = writeOnnx(model);
      } catch (e) {
        throw new StageError('writeOnnx', e);
      }
      // writeOnnx writes a normal form: reading and writing it again must give the same bytes.
      let again: Uint8Array;
      try {
        again = writeOnnx(readOnnx(written));
      } catch (e) {
        throw new StageError('round trip', e);
      }
      if (Buffer.compare(Buffer.from(written), Buffer.from(again)) !== 0) {
        throw new StageError('round trip', new Error(`writeOnnx(readOnnx(w)) differs from w (${again.length} vs ${written.length} bytes)`));
      }
    },
  },
  {
    name: 'config',
    entry: 'parseConfigText (loadConfig on the text)',
    generate: (r) => ({ bytes: mutateJson(r, pick(r, seedsOf.config())) }),
    run: ({ bytes }) => void parseConfigText(textOf(bytes), 'quant-trim.config.json', '/fuzz/quant-trim.config.json'),
  },
  {
    name: 'idx',
    entry: 'parseIdx (images: 3 dims, labels: 1 dim)',
    generate: (r) => {
      const variant = r() < 0.5 ? 'images' : 'labels';
      return { variant, bytes: mutated(r, pick(r, idx()[variant]), [mutateIdxHeader, mutateIdxHeader, mutateBytes]) };
    },
    run: ({ bytes, variant }) => void parseIdx(bytes, `fuzz-${variant}`, variant === 'images' ? 3 : 1),
  },
  {
    name: 'csv',
    entry: 'parseCsvBytes (parseCsv on the bytes)',
    generate: (r) => ({ bytes: mutated(r, pick(r, seedsOf.csv()), [mutateCsv, mutateCsv, mutateCsv, mutateBytes]) }),
    run: ({ bytes }) => void parseCsvBytes(bytes, 'fuzz.csv'),
  },
  {
    name: 'report',
    entry: 'parseRunReportText (quant-trim report on the text)',
    generate: (r) => {
      const [small, full, v1] = seedsOf.report();
      return { bytes: mutateJson(r, r() < 0.8 ? small! : r() < 0.5 ? full! : v1!) };
    },
    run: ({ bytes }) => void parseRunReportText(textOf(bytes), '/fuzz/report.json'),
  },
];

/**
 * The harness's own check, not a reader: case 1 is read, case 2 throws a coded error, case 3 a
 * TypeError, case 4 never returns, case 5 allocates 512 MB of array buffers, others are read.
 */
export const SELF_TEST_TARGET: FuzzTarget = {
  name: 'selftest',
  entry: 'the harness itself',
  generate: (_, index) => ({ bytes: Uint8Array.of(index % 256) }),
  run: ({ bytes }) => {
    switch (bytes[0]) {
      case 2:
        throw new QuantTrimError({ code: 'QT_INVALID_ARGUMENT', message: 'selftest: a coded error' });
      case 3:
        return void (null as unknown as { x: number }).x;
      case 4:
        for (;;);
      case 5:
        selfTestKept.push(new Uint8Array(512 * 2 ** 20)); // kept until the next case, as a parser's result would be
        return;
      default:
        selfTestKept.length = 0;
    }
  },
};
const selfTestKept: Uint8Array[] = [];

/** Every seed input is valid: a target whose seeds fail would only fuzz its first check. */
export function checkSeeds(): void {
  const check = (name: string, inputs: FuzzInput[]) => {
    const target = TARGETS.find((t) => t.name === name)!;
    inputs.forEach((input, i) => {
      try {
        target.run(input);
      } catch (e) {
        throw new Error(`fuzz seed ${name} #${i} is not valid: ${e instanceof Error ? e.message : String(e)}`);
      }
    });
  };
  check(
    'onnx',
    seedsOf.onnx().map((bytes) => ({ bytes })),
  );
  check(
    'config',
    seedsOf.config().map((bytes) => ({ bytes })),
  );
  check('idx', [...idx().images.map((bytes) => ({ bytes, variant: 'images' })), ...idx().labels.map((bytes) => ({ bytes, variant: 'labels' }))]);
  check(
    'csv',
    seedsOf.csv().map((bytes) => ({ bytes })),
  );
  check(
    'report',
    seedsOf.report().map((bytes) => ({ bytes })),
  );
}
