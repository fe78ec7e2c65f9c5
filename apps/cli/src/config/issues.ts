import type { z } from 'zod';

type Issue = z.core.$ZodIssue;
type PathKey = PropertyKey;

/** One problem found in a config, with its dotted path. */
export interface ConfigProblem {
  readonly path: readonly PathKey[];
  /** The full message, starting with the dotted path. */
  readonly message: string;
  /** Set for unknown keys: they are warnings, and dropped before the value is built. */
  readonly unknownKey?: string;
}

/** `epochs`, `methods.1`, `scheme.layers.conv*`; the whole config is `(root)`. */
export function dottedPath(path: readonly PathKey[]): string {
  return path.length === 0 ? '(root)' : path.map((key) => String(key)).join('.');
}

/** A short rendering of a user's value for messages. */
export function show(value: unknown): string {
  if (value === undefined) return 'nothing';
  let text: string;
  try {
    text = JSON.stringify(value) ?? String(value);
  } catch {
    text = String(value);
  }
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}

/**
 * Turns zod issues into path-first messages. A union failure is reported through the branch whose
 * type matched the value (so `scheme.layers.conv1: unknown scheme …` rather than "invalid input");
 * when no branch matched, the union's own message is used.
 */
export function toProblems(
  issues: readonly Issue[],
  knownKeys: (path: readonly PathKey[]) => readonly string[] = () => [],
  prefix: readonly PathKey[] = [],
): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  for (const issue of issues) {
    const path = [...prefix, ...issue.path];
    if (issue.code === 'invalid_union' && issue.errors.length > 0) {
      const matched = issue.errors.find((branch) => !branch.some((i) => i.code === 'invalid_type' && i.path.length === 0));
      if (matched) {
        problems.push(...toProblems(matched, knownKeys, path));
        continue;
      }
    }
    if (issue.code === 'unrecognized_keys') {
      for (const key of issue.keys) {
        const suggestion = closest(key, knownKeys(path));
        problems.push({
          path: [...path, key],
          unknownKey: key,
          message: `${dottedPath([...path, key])}: unknown key, ignored${suggestion ? ` (did you mean "${suggestion}"?)` : ''}`,
        });
      }
      continue;
    }
    // Messages of the form "expected …" get the offending value; others ("unknown scheme "x"",
    // the schedulers' own messages) already say what was wrong.
    const input = (issue as { input?: unknown }).input;
    const withGot = issue.message.startsWith('expected') && !/, got /.test(issue.message);
    problems.push({ path, message: `${dottedPath(path)}: ${issue.message}${withGot ? `, got ${show(input)}` : ''}` });
  }
  return problems;
}

/** The known key within edit distance 2 of `key` (case-insensitive), for "did you mean" hints. */
export function closest(key: string, known: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = 3;
  for (const candidate of known) {
    const d = distance(key.toLowerCase(), candidate.toLowerCase());
    if (d < bestDistance) [best, bestDistance] = [candidate, d];
  }
  return best;
}

function distance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      current[j] = Math.min((previous[j] ?? 0) + 1, (current[j - 1] ?? 0) + 1, (previous[j - 1] ?? 0) + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    previous = current;
  }
  return previous[b.length] ?? 0;
}
