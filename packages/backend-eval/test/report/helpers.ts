import { readFileSync } from 'node:fs';
import { Ajv2020, type ErrorObject } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import { isQuantTrimError } from '@quant-trim/errors';
import { validateReport } from '../../src/report/validateReport.js';

/** The parts of a JSON Schema node these tests walk. */
export interface SchemaNode {
  readonly $id?: string;
  readonly $ref?: string;
  readonly $defs?: Readonly<Record<string, SchemaNode>>;
  readonly type?: string;
  readonly const?: unknown;
  readonly enum?: readonly unknown[];
  readonly properties?: Readonly<Record<string, SchemaNode>>;
  readonly required?: readonly string[];
  readonly additionalProperties?: boolean | SchemaNode;
  readonly items?: SchemaNode;
}

export const schema = JSON.parse(readFileSync(new URL('../../schema/evaluation-report.schema.json', import.meta.url), 'utf8')) as SchemaNode;

const ajv = new Ajv2020({ strict: true, allErrors: true });
addFormats.default(ajv);
const ajvValidate = ajv.compile(schema);

/** ajv's errors for `value` (empty when valid). */
export function ajvErrors(value: unknown): ErrorObject[] {
  return ajvValidate(value) ? [] : [...(ajvValidate.errors ?? [])];
}

/** JSON pointers of the fields ajv flags (missing and unknown properties point at the property). */
export function ajvPointers(value: unknown): string[] {
  return ajvErrors(value).map((e) => {
    const key = e.keyword === 'required' ? e.params['missingProperty'] : e.keyword === 'additionalProperties' ? e.params['additionalProperty'] : undefined;
    return typeof key === 'string' ? `${e.instancePath}/${key.replaceAll('~', '~0').replaceAll('/', '~1')}` : e.instancePath;
  });
}

/** The JSON path `validateReport` reports for `value`, or `undefined` when it accepts it. */
export function runtimePath(value: unknown): string | undefined {
  try {
    validateReport(value);
    return undefined;
  } catch (e) {
    if (!isQuantTrimError(e, 'QT_INVALID_ARGUMENT')) throw e;
    return String(e.details?.['path']);
  }
}

/** `report.models[0]["a-b"]` → `/models/0/a-b`. */
export function pathToPointer(path: string): string {
  const tokens = path.replace(/^report/, '').matchAll(/\.([A-Za-z_$][\w$]*)|\[(\d+)\]|\[("(?:[^"\\]|\\.)*")\]/g);
  return [...tokens].map((t) => `/${(t[1] ?? t[2] ?? (JSON.parse(t[3]!) as string)).replaceAll('~', '~0').replaceAll('/', '~1')}`).join('');
}

export type Key = string | number;
type Container = Record<Key, unknown>;

const isContainer = (v: unknown): v is Container => typeof v === 'object' && v !== null;

/** Every [path, value] below `value` (depth first, the root excluded). */
export function* entries(value: unknown, path: readonly Key[] = []): Generator<[readonly Key[], unknown]> {
  if (!isContainer(value)) return;
  for (const [k, v] of Object.entries(value)) {
    const key = Array.isArray(value) ? Number(k) : k;
    yield [[...path, key], v];
    yield* entries(v, [...path, key]);
  }
}

/** A deep copy of `value` with `edit` applied to the parent of `path` and its last key. */
export function mutate<T>(value: T, path: readonly Key[], edit: (parent: Container, key: Key) => void): T {
  const copy = structuredClone(value);
  let parent: unknown = copy;
  for (const k of path.slice(0, -1)) parent = (parent as Container)[k];
  edit(parent as Container, path[path.length - 1]!);
  return copy;
}

export const setAt = <T>(value: T, path: readonly Key[], v: unknown): T => mutate(value, path, (p, k) => void (p[k] = v));

export const deleteAt = <T>(value: T, path: readonly Key[]): T =>
  mutate(value, path, (p, k) => (Array.isArray(p) ? void p.splice(Number(k), 1) : void delete p[k]));
