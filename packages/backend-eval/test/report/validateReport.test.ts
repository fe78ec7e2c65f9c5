import { isQuantTrimError } from '@quant-trim/errors';
import { describe, expect, it } from 'vitest';
import { REPORT_SCHEMA_ID } from '../../src/evaluate/reportTypes.js';
import { validateReport } from '../../src/report/index.js';
import { fullReport, minimalReport } from './fixtures.js';
import { ajvErrors, ajvPointers, deleteAt, entries, pathToPointer, runtimePath, setAt, type Key } from './helpers.js';

const base = ['models', 0, 'profiles', 0] as const;

/** The message `validateReport` throws for `value`. */
function messageOf(value: unknown): string {
  try {
    validateReport(value);
  } catch (e) {
    if (isQuantTrimError(e, 'QT_INVALID_ARGUMENT')) return e.message;
    throw e;
  }
  throw new Error('validateReport accepted the value');
}

/** Values that probe types, ranges and enums in place of a leaf. */
const NUMBER_PROBES = [-1, -0.5, 0, 0.5, 1, 1.5, 2, 1e9];
const STRING_PROBES = [
  '',
  'x',
  'ok',
  'error',
  'native',
  'onnxruntime-web',
  'float16',
  REPORT_SCHEMA_ID,
  '2026-02-29T00:00:00Z',
  '2028-02-29 12:00:00+0100',
  '2026-11-26T24:00:00Z',
];

/**
 * Every mutation of the sweep: deletions, wrong types, probes, unknown fields, at every field —
 * once per field shape (array indices collapsed, so the 2nd … nth element of a list re-tests
 * nothing new), which keeps the sweep's cost linear in the schema, not in the fixture's length.
 */
function* mutations(report: object): Generator<[string, unknown]> {
  const seen = new Set<string>();
  for (const [path, value] of entries(report)) {
    const shape = path.map((k) => (typeof k === 'number' ? '*' : k)).join('/');
    if (seen.has(shape)) continue;
    seen.add(shape);
    const at = (what: string): string => `${what} at /${path.join('/')}`;
    yield [at('delete'), deleteAt(report, path)];
    yield [at('wrong type'), setAt(report, path, typeof value === 'string' ? 42 : 'x')];
    yield [at('null'), setAt(report, path, null)];
    const probes: readonly unknown[] = typeof value === 'number' ? NUMBER_PROBES : typeof value === 'string' ? STRING_PROBES : [];
    for (const probe of probes) yield [at(`probe ${JSON.stringify(probe)}`), setAt(report, path, probe)];
    if (typeof value === 'object' && value !== null && !Array.isArray(value)) {
      yield [at('unknown field'), setAt(report, [...path, 'unexpected'] as Key[], 1)];
    }
  }
}

describe('validateReport', () => {
  it('returns the fixtures unchanged, also after a JSON round trip', () => {
    expect(validateReport(fullReport)).toBe(fullReport);
    expect(validateReport(minimalReport)).toBe(minimalReport);
    const parsed: unknown = JSON.parse(JSON.stringify(fullReport));
    expect(validateReport(parsed)).toEqual(fullReport);
  });

  it('checks $schema and schemaVersion', () => {
    expect(messageOf({ ...fullReport, $schema: 'https://example.com/other.json' })).toBe(
      `report.$schema: expected "${REPORT_SCHEMA_ID}", got "https://example.com/other.json"`,
    );
    expect(messageOf({ ...fullReport, schemaVersion: 2 })).toBe('report.schemaVersion: expected 1, got 2');
    expect(messageOf([])).toBe('report: expected an object, got an array');
    expect(messageOf(null)).toBe('report: expected an object, got null');
  });

  it('names the JSON path of the bad field', () => {
    expect(messageOf(setAt(fullReport, [...base, 'metrics', 'kl'], 'x'))).toBe('report.models[0].profiles[0].metrics.kl: expected a number, got "x"');
    expect(messageOf(deleteAt(fullReport, ['tool', 'version']))).toBe('report.tool.version: required field is missing');
    expect(messageOf(setAt(fullReport, [...base, 'metrics', 'top5'], 0.99))).toBe('report.models[0].profiles[0].metrics.top5: unknown field');
    expect(messageOf(setAt(fullReport, [...base, 'status'], 'warning'))).toBe('report.models[0].profiles[0].status: expected "ok" or "error", got "warning"');
    expect(messageOf(setAt(fullReport, [...base, 'metrics', 'accuracy'], 1.2))).toBe(
      'report.models[0].profiles[0].metrics.accuracy: expected a number in [0, 1], got 1.2',
    );
    expect(messageOf(setAt(fullReport, ['data', 'samples'], 10.5))).toBe('report.data.samples: expected an integer, got 10.5');
    expect(messageOf(setAt(fullReport, ['data', 'classes'], 0))).toBe('report.data.classes: expected an integer ≥ 1, got 0');
    expect(messageOf(setAt(fullReport, ['createdAt'], 'yesterday'))).toBe('report.createdAt: expected an RFC 3339 date-time string, got "yesterday"');
    expect(messageOf(setAt(minimalReport, ['environment', 'runtimes', 'onnxruntime-node'], 1))).toBe(
      'report.environment.runtimes["onnxruntime-node"]: expected a string, got 1',
    );
    expect(messageOf(setAt(fullReport, [...base, 'estimate', 'assumptions', 'dram-byte-energy', 'value'], null))).toBe(
      'report.models[0].profiles[0].estimate.assumptions["dram-byte-energy"].value: expected a number, got null',
    );
    expect(messageOf(setAt(fullReport, ['models', 0, 'profiles'], {}))).toBe('report.models[0].profiles: expected an array, got an object');
    expect(messageOf(setAt(fullReport, [...base, 'status'], 'v'.repeat(60)))).toBe(
      `report.models[0].profiles[0].status: expected "ok" or "error", got "${'v'.repeat(38)}…"`,
    );
  });

  it('throws QT_INVALID_ARGUMENT with the path in details', () => {
    try {
      validateReport(setAt(fullReport, [...base, 'runtimes', 1, 'mode'], 'fast'));
      expect.unreachable();
    } catch (e) {
      expect(isQuantTrimError(e, 'QT_INVALID_ARGUMENT')).toBe(true);
      expect((e as { details: unknown }).details).toEqual({ path: 'report.models[0].profiles[0].runtimes[1].mode' });
    }
  });

  it('accepts and rejects exactly what the JSON Schema does (sweep over every field of both fixtures)', () => {
    const disagreements: string[] = [];
    let rejected = 0;
    for (const fixture of [fullReport, minimalReport]) {
      for (const [what, value] of mutations(fixture)) {
        const path = runtimePath(value);
        const pointers = ajvPointers(value);
        if ((path === undefined) !== (pointers.length === 0))
          disagreements.push(`${what}: runtime ${path ?? 'accepts'}, ajv ${pointers.join(' ') || 'accepts'}`);
        else if (path !== undefined && !pointers.includes(pathToPointer(path))) disagreements.push(`${what}: runtime flags ${path}, ajv ${pointers.join(' ')}`);
        if (path !== undefined) rejected++;
      }
    }
    expect(disagreements).toEqual([]);
    expect(rejected).toBeGreaterThan(1000);
  });

  it('agrees with ajv on the explicit mutations', () => {
    const cases = [
      deleteAt(fullReport, [...base, 'metrics', 'kl']),
      setAt(fullReport, ['extra'], true),
      setAt(fullReport, [...base, 'runtimes', 0, 'runtime'], 'onnxruntime-python'),
      setAt(fullReport, [...base, 'coverage', 'macShare'], 1.0001),
    ];
    for (const value of cases) {
      expect(ajvErrors(value)).not.toEqual([]);
      expect(runtimePath(value)).toBeDefined();
    }
  });
});
