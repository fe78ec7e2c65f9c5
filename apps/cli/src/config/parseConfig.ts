import type { z } from 'zod';
import { toProblems, type ConfigProblem } from './issues.js';
import { checkConfigRules } from './rules.js';
import { configSchema, createConfigSchema, type Config, type ConfigRegistries } from './schema.js';

/** The three results of parsing a config: a value only when there are no errors. */
export interface ParseConfigResult {
  readonly value?: Config;
  readonly warnings: string[];
  readonly errors: string[];
}

export interface ParseConfigOptions {
  /** Registries to validate against (plugin schemes, schedules, profiles); default the packages' defaults. */
  readonly registries?: ConfigRegistries;
}

/**
 * Parses a config file's JSON into `{ value, warnings, errors }` and never throws. Every message
 * starts with the dotted path of its field (`epochs: expected an integer ≥ 1, got 0`). Unknown
 * keys are warnings and are dropped; cross-field rules (`checkConfigRules`) run once the schema
 * passed. `source` names where the JSON came from, only for the root-level message.
 *
 * @example
 * const { value, warnings, errors } = parseConfig({ epochs: 5, methods: ['fp', 'quant-trim'] }, 'quant-trim.config.json');
 */
export function parseConfig(json: unknown, source: string, options: ParseConfigOptions = {}): ParseConfigResult {
  const schema = options.registries ? createConfigSchema(options.registries) : configSchema;
  if (typeof json !== 'object' || json === null || Array.isArray(json)) {
    return {
      warnings: [],
      errors: [`(root): expected a JSON object in ${source}, got ${Array.isArray(json) ? 'an array' : json === null ? 'null' : typeof json}`],
    };
  }
  if (nestedDeeperThan(json, MAX_DEPTH)) {
    return { warnings: [], errors: [`(root): values nested deeper than ${MAX_DEPTH} levels in ${source}; a config is only a few levels deep`] };
  }
  try {
    let result = schema.safeParse(json, { reportInput: true });
    const problems = result.success ? [] : inFileOrder(toProblems(result.error.issues, knownKeys(schema)), json);
    const unknown = problems.filter((p) => p.unknownKey !== undefined);
    const errors = problems.filter((p) => p.unknownKey === undefined).map((p) => p.message);
    const warnings = unknown.map((p) => p.message);
    if (errors.length > 0) return { warnings, errors };
    const raw = unknown.length > 0 ? withoutKeys(json, unknown) : json;
    if (unknown.length > 0) result = schema.safeParse(raw, { reportInput: true });
    if (!result.success) return { warnings, errors: inFileOrder(toProblems(result.error.issues, knownKeys(schema)), json).map((p) => p.message) };
    const rules = checkConfigRules(result.data, raw as Record<string, unknown>);
    warnings.push(...rules.warnings);
    return rules.errors.length > 0 ? { warnings, errors: rules.errors } : { value: result.data, warnings, errors: [] };
  } catch (error) {
    // A plugin validator that throws must not break the promise that parsing never throws.
    return { warnings: [], errors: [`(root): validating ${source} failed: ${error instanceof Error ? error.message : String(error)}`] };
  }
}

/** A config is a few levels deep; absurd nesting is refused before validation, which takes seconds on thousands of levels (or overflows the stack). */
const MAX_DEPTH = 32;

/** Whether a parsed JSON value nests objects / arrays deeper than `limit` (counted without recursion). */
function nestedDeeperThan(json: unknown, limit: number): boolean {
  const stack: [unknown, number][] = [[json, 0]];
  while (stack.length > 0) {
    const [value, depth] = stack.pop()!;
    if (depth > limit) return true;
    for (const child of Array.isArray(value) ? value : Object.values(value as object)) {
      if (typeof child === 'object' && child !== null) stack.push([child, depth + 1]);
    }
  }
  return false;
}

/** Problems sorted by where their top-level field appears in the file (zod reports in schema order). */
function inFileOrder(problems: ConfigProblem[], json: object): ConfigProblem[] {
  const keys = Object.keys(json);
  const rank = (p: ConfigProblem): number => (p.path.length === 0 ? -1 : keys.indexOf(String(p.path[0])));
  return problems
    .map((p, i) => [p, i] as const)
    .sort(([a, i], [b, j]) => rank(a) - rank(b) || i - j)
    .map(([p]) => p);
}

/** A deep copy of `json` without the unknown keys, so the second parse sees only known fields. */
function withoutKeys(json: object, unknown: readonly ConfigProblem[]): unknown {
  const copy = structuredClone(json) as Record<PropertyKey, unknown>;
  for (const problem of unknown) {
    let node: unknown = copy;
    for (const key of problem.path.slice(0, -1)) node = node !== null && typeof node === 'object' ? (node as Record<PropertyKey, unknown>)[key] : undefined;
    if (node !== null && typeof node === 'object') delete (node as Record<PropertyKey, unknown>)[problem.unknownKey as string];
  }
  return copy;
}

type AnySchema = z.core.$ZodType;

/** The keys an object in the schema allows at `path`, for "did you mean" suggestions. */
function knownKeys(schema: AnySchema): (path: readonly PropertyKey[]) => readonly string[] {
  return (path) => {
    let node: AnySchema | undefined = schema;
    for (const key of path) {
      node = unwrapObject(node);
      const shape = node ? shapeOf(node) : undefined;
      node = shape ? shape[String(key)] : undefined;
      if (node === undefined) return [];
    }
    const object = unwrapObject(node);
    return object ? Object.keys(shapeOf(object) ?? {}) : [];
  };
}

function shapeOf(schema: AnySchema): Record<string, AnySchema> | undefined {
  const def = schema._zod.def as { type: string; shape?: Record<string, AnySchema> };
  return def.type === 'object' ? def.shape : undefined;
}

/** Looks through default / optional / prefault wrappers and unions for the object schema. */
function unwrapObject(schema: AnySchema | undefined): AnySchema | undefined {
  let node = schema;
  for (let depth = 0; node !== undefined && depth < 8; depth++) {
    const def = node._zod.def as { type: string; innerType?: AnySchema; options?: AnySchema[] };
    if (def.type === 'object') return node;
    if (def.type === 'union') return def.options?.map(unwrapObject).find((o) => o !== undefined);
    node = def.innerType;
  }
  return undefined;
}
