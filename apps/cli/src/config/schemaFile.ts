import { existsSync } from 'node:fs';
import { dirname, join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The committed JSON Schema of the config file, relative to the package root (it ships in the package: `files`). */
export const CONFIG_SCHEMA_PATH = 'schema/quant-trim.config.schema.json';

/**
 * The absolute path of the committed config schema: `<package>/schema/quant-trim.config.schema.json`,
 * found by walking up from this module (src/config/ when run from the sources, dist/ when built);
 * undefined if the package was installed without it.
 */
export function configSchemaFile(): string | undefined {
  for (let dir = dirname(fileURLToPath(import.meta.url)); ; dir = dirname(dir)) {
    const candidate = join(dir, CONFIG_SCHEMA_PATH);
    if (existsSync(candidate) && existsSync(join(dir, 'package.json'))) return candidate;
    if (dirname(dir) === dir) return undefined;
  }
}

/**
 * What to write as `"$schema"` in a config file in `configDir` so editors find the committed schema:
 * its path relative to that directory (`./apps/cli/schema/quant-trim.config.schema.json` at the
 * repository root, `./node_modules/@quant-trim/cli/schema/…` in a project that installed @quant-trim/cli, whose
 * node_modules link resolves to the same file). Forward slashes, as JSON Schema references use.
 */
export function configSchemaReference(configDir: string): string {
  const file = configSchemaFile();
  if (file === undefined) return `./node_modules/@quant-trim/cli/${CONFIG_SCHEMA_PATH}`;
  const rel = relative(configDir, file).split(sep).join('/');
  return rel.startsWith('.') || rel.startsWith('/') ? rel : `./${rel}`;
}
