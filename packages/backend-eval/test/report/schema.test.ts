import { describe, expect, it } from 'vitest';
import { REPORT_SCHEMA_ID } from '../../src/evaluate/reportTypes.js';
import { fullReport, minimalReport } from './fixtures.js';
import { ajvErrors, deleteAt, schema, setAt, type SchemaNode } from './helpers.js';

const base = ['models', 0, 'profiles', 0] as const;

/** Follows a local `$ref` (`#/$defs/name`). */
function resolve(node: SchemaNode): SchemaNode {
  if (node.$ref === undefined) return node;
  const name = node.$ref.replace('#/$defs/', '');
  const target = schema.$defs?.[name];
  if (target === undefined) throw new Error(`unresolved $ref ${node.$ref}`);
  return resolve(target);
}

/** Every object schema of the file (root, `$defs`, nested `properties`), by JSON pointer. */
function objectSchemas(node: SchemaNode = schema, at = '#'): [string, SchemaNode][] {
  const own: [string, SchemaNode][] = node.type === 'object' ? [[at, node]] : [];
  const children: [string, SchemaNode][] = [
    ...Object.entries(node.$defs ?? {}).map(([k, v]): [string, SchemaNode] => [`${at}/$defs/${k}`, v]),
    ...Object.entries(node.properties ?? {}).map(([k, v]): [string, SchemaNode] => [`${at}/properties/${k}`, v]),
    ...(node.items ? [[`${at}/items`, node.items] as [string, SchemaNode]] : []),
    ...(typeof node.additionalProperties === 'object' ? [[`${at}/additionalProperties`, node.additionalProperties] as [string, SchemaNode]] : []),
  ];
  return [...own, ...children.flatMap(([p, c]) => objectSchemas(c, p))];
}

/**
 * Walks `value` along `node`: returns the fields the schema does not declare, and records in
 * `used` which declared properties the value sets.
 */
function undeclared(value: unknown, node: SchemaNode, path: string, used: Map<SchemaNode, Set<string>>): string[] {
  const s = resolve(node);
  if (Array.isArray(value)) return s.items ? value.flatMap((v, i) => undeclared(v, s.items!, `${path}[${i}]`, used)) : [];
  if (typeof value !== 'object' || value === null) return [];
  const entries = Object.entries(value as Record<string, unknown>);
  if (s.properties === undefined) {
    const values = s.additionalProperties;
    return typeof values === 'object' ? entries.flatMap(([k, v]) => undeclared(v, values, `${path}.${k}`, used)) : entries.map(([k]) => `${path}.${k}`);
  }
  const set = used.get(s) ?? new Set<string>();
  used.set(s, set);
  return entries.flatMap(([k, v]) => {
    set.add(k);
    const child = s.properties![k];
    return child === undefined ? [`${path}.${k}`] : undeclared(v, child, `${path}.${k}`, used);
  });
}

describe('evaluation-report.schema.json', () => {
  it('is identified by REPORT_SCHEMA_ID, which reports name in $schema', () => {
    expect(schema.$id).toBe(REPORT_SCHEMA_ID);
    expect(schema.properties?.['$schema']?.const).toBe(REPORT_SCHEMA_ID);
    expect(fullReport.$schema).toBe(REPORT_SCHEMA_ID);
  });

  it('closes every object: additionalProperties false, or a value schema for records', () => {
    const open = objectSchemas().filter(([, s]) => s.additionalProperties === undefined || s.additionalProperties === true);
    expect(open.map(([p]) => p)).toEqual([]);
    const records = objectSchemas().filter(([, s]) => typeof s.additionalProperties === 'object');
    expect(records.map(([p]) => p)).toEqual(['#/$defs/runtimeResult/properties/optimizedOps', '#/$defs/costEstimate/properties/assumptions']);
  });

  it('accepts the full and the minimal fixture (ajv strict, 2020-12, formats)', () => {
    expect(ajvErrors(fullReport)).toEqual([]);
    expect(ajvErrors(minimalReport)).toEqual([]);
    expect(ajvErrors(JSON.parse(JSON.stringify(fullReport)))).toEqual([]);
  });

  it('declares every field of the fixtures, and the fixtures use every declared field (no drift)', () => {
    const used = new Map<SchemaNode, Set<string>>();
    expect(undeclared(fullReport, schema, 'report', used)).toEqual([]);
    expect(undeclared(minimalReport, schema, 'report', used)).toEqual([]);
    const unused = objectSchemas()
      .filter(([, s]) => s.properties !== undefined)
      .flatMap(([p, s]) =>
        Object.keys(s.properties!)
          .filter((k) => !used.get(s)?.has(k))
          .map((k) => `${p}: ${k}`),
      );
    expect(unused).toEqual([]);
  });

  it('rejects a missing required field', () => {
    expect(ajvErrors(deleteAt(fullReport, ['tool', 'version']))).toMatchObject([
      { keyword: 'required', instancePath: '/tool', params: { missingProperty: 'version' } },
    ]);
    expect(ajvErrors(deleteAt(fullReport, [...base, 'metrics', 'kl']))).toMatchObject([{ keyword: 'required', instancePath: '/models/0/profiles/0/metrics' }]);
    expect(ajvErrors(deleteAt(minimalReport, ['models', 0, 'float', 'runtimes']))).toMatchObject([{ keyword: 'required' }]);
  });

  it('rejects an unknown field at any depth', () => {
    expect(ajvErrors({ ...fullReport, extra: 1 })).toMatchObject([
      { keyword: 'additionalProperties', instancePath: '', params: { additionalProperty: 'extra' } },
    ]);
    expect(ajvErrors(setAt(fullReport, [...base, 'metrics', 'top5'], 0.99))).toMatchObject([
      { keyword: 'additionalProperties', instancePath: '/models/0/profiles/0/metrics' },
    ]);
    expect(ajvErrors(setAt(minimalReport, ['environment', 'runtimes', 'onnxruntime-python'], '1.0'))).toMatchObject([{ keyword: 'additionalProperties' }]);
  });

  it('rejects a value outside an enum or const', () => {
    expect(ajvErrors(setAt(fullReport, [...base, 'status'], 'warning'))).toMatchObject([{ keyword: 'enum', instancePath: '/models/0/profiles/0/status' }]);
    expect(ajvErrors(setAt(fullReport, [...base, 'runtimes', 0, 'runtime'], 'onnxruntime-python'))).toMatchObject([{ keyword: 'enum' }]);
    expect(ajvErrors(setAt(fullReport, [...base, 'runtimes', 1, 'mode'], 'fast'))).toMatchObject([{ keyword: 'enum' }]);
    expect(ajvErrors(setAt(fullReport, [...base, 'coverage', 'nodes', 0, 'numerics'], 'int8'))).toMatchObject([{ keyword: 'enum' }]);
    expect(ajvErrors(setAt(fullReport, ['schemaVersion'], 2))).toMatchObject([{ keyword: 'const', instancePath: '/schemaVersion' }]);
    expect(ajvErrors(setAt(fullReport, ['$schema'], 'https://example.com/other.json'))).toMatchObject([{ keyword: 'const' }]);
  });

  it('rejects a share above 1 or below 0, and a non-integer count', () => {
    expect(ajvErrors(setAt(fullReport, [...base, 'metrics', 'accuracy'], 1.2))).toMatchObject([
      { keyword: 'maximum', instancePath: '/models/0/profiles/0/metrics/accuracy' },
    ]);
    expect(ajvErrors(setAt(fullReport, [...base, 'coverage', 'macShare'], 1.0001))).toMatchObject([{ keyword: 'maximum' }]);
    expect(ajvErrors(setAt(fullReport, ['models', 0, 'acrossProfiles', 'spread'], -0.1))).toMatchObject([{ keyword: 'minimum' }]);
    expect(ajvErrors(setAt(fullReport, ['data', 'samples'], 10.5))).toMatchObject([{ keyword: 'type', params: { type: 'integer' } }]);
  });

  it('rejects a createdAt that is not an RFC 3339 date-time', () => {
    expect(ajvErrors(setAt(fullReport, ['createdAt'], '26/11/2026'))).toMatchObject([{ keyword: 'format' }]);
  });
});
