import { readFile } from 'node:fs/promises';
import { dirname, isAbsolute, relative, resolve } from 'node:path';
import { QuantTrimError } from '@quant-trim/errors';
import { jsonErrorLocation } from './jsonErrorLocation.js';
import { parseConfig, type ParseConfigOptions } from './parseConfig.js';
import { CONFIG_FILE_NAME, type Config } from './schema.js';
import { configSchemaReference } from './schemaFile.js';

export interface LoadedConfig {
  readonly config: Config;
  /** Unknown keys and cross-field notes; the CLI prints them through its reporter. */
  readonly warnings: string[];
  /** The absolute path of the file read; absent when no file was found and defaults apply. */
  readonly path?: string;
}

/** Points the file at the committed JSON Schema by a path relative to it (no published URL is needed). */
const hint = (file: string) => `check the file against its JSON Schema: add "$schema": "${configSchemaReference(dirname(file))}" for editor completion`;

/** Config files are a few KB; a larger text is refused before it is parsed (validating 1 MB of wrong values takes 5 s). */
const MAX_CONFIG_CHARS = 256 * 1024;

/**
 * Reads and validates a config file. Without `path`, `quant-trim.config.json` in `cwd` is used when
 * it exists, and the defaults otherwise. Throws `QT_INVALID_CONFIG` naming the file for a missing
 * explicit file, invalid JSON (with line and column) or schema errors (listed one per line, each
 * starting with its dotted path).
 *
 * @example
 * const { config, warnings } = await loadConfig(options.config, options.cwd);
 */
export async function loadConfig(path: string | undefined, cwd: string, options: ParseConfigOptions = {}): Promise<LoadedConfig> {
  const file = resolve(cwd, path ?? CONFIG_FILE_NAME);
  const name = displayName(file, cwd);
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (path === undefined && code === 'ENOENT') return fromDefaults(options);
    throw new QuantTrimError({
      code: 'QT_INVALID_CONFIG',
      message: code === 'ENOENT' ? `config file ${name} does not exist` : `cannot read config file ${name}: ${(error as Error).message}`,
      cause: error,
      details: { file, hint: 'pass an existing file to --config, or leave it out to use quant-trim.config.json in the working directory' },
    });
  }
  return { ...parseConfigText(text, name, file, options), path: file };
}

/**
 * The text of a config file → `{ config, warnings }`, as `loadConfig` reads it (a leading BOM is
 * ignored). `name` is the file as messages show it, `file` its absolute path (in `details`).
 * Throws `QT_INVALID_CONFIG` for invalid JSON (with line and column) or schema errors.
 */
export function parseConfigText(text: string, name: string, file: string, options: ParseConfigOptions = {}): { config: Config; warnings: string[] } {
  if (text.length > MAX_CONFIG_CHARS) {
    throw new QuantTrimError({
      code: 'QT_INVALID_CONFIG',
      message: `${name}: ${Math.ceil(text.length / 1024)} KiB is not a config file (at most 256 KiB; a config is a few KB)`,
      details: { file, hint: hint(file) },
    });
  }
  let json: unknown;
  try {
    json = JSON.parse(text.replace(/^\uFEFF/, ''));
  } catch (error) {
    const at = jsonErrorLocation(text.replace(/^\uFEFF/, ''));
    throw new QuantTrimError({
      code: 'QT_INVALID_CONFIG',
      message: at ? `${name}:${at.line}:${at.column}: invalid JSON: ${at.reason}` : `${name}: invalid JSON: ${(error as Error).message}`,
      cause: error,
      details: { file, ...(at ? { line: at.line, column: at.column } : {}), hint: 'config files are strict JSON: no comments or trailing commas' },
    });
  }

  const { value, warnings, errors } = parseConfig(json, name, options);
  if (value === undefined) {
    throw new QuantTrimError({
      code: 'QT_INVALID_CONFIG',
      message: `invalid config ${name} (${errors.length} ${errors.length === 1 ? 'error' : 'errors'}):\n${errors.map((e) => `  ${e}`).join('\n')}`,
      details: { file, errors, warnings, hint: hint(file) },
    });
  }
  return { config: value, warnings };
}

function fromDefaults(options: ParseConfigOptions): LoadedConfig {
  const { value, warnings, errors } = parseConfig({}, 'defaults', options);
  // Unreachable unless a default breaks a rule: a bug, not a user error.
  if (value === undefined) throw new Error(`quant-trim: the default config is invalid: ${errors.join('; ')}`);
  return { config: value, warnings };
}

function displayName(file: string, cwd: string): string {
  const rel = relative(cwd, file);
  return rel === '' || rel.startsWith('..') || isAbsolute(rel) ? file : rel;
}
