import { createDefaultReporter } from './defaultReporter.js';
import { createJsonReporter } from './jsonReporter.js';
import { resolveReporterOptions, type ReporterOptions } from './reporterOptions.js';
import type { Reporter } from './types.js';

/** The built-in reporters, chosen by name (`--json` selects `json`). */
export type ReporterName = 'default' | 'json';

/**
 * Creates a built-in reporter. Commands receive it and call its hooks; nothing else in the CLI
 * writes to stdout.
 *
 * @example
 * const reporter = createReporter(flags.json ? 'json' : 'default', { color: flags.color, verbose: flags.verbose });
 * reporter.onPhaseStart?.({ phase: 'train', label: 'train fp (cnn)', total: 1875 });
 */
export function createReporter(kind: ReporterName, options: ReporterOptions = {}): Reporter {
  const resolved = resolveReporterOptions(options);
  return kind === 'json' ? createJsonReporter(resolved) : createDefaultReporter(resolved);
}
