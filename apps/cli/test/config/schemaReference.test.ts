import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { CONFIG_FILE_NAME, configSchemaFile, configSchemaReference, loadConfig } from '../../src/config/index.js';

const APP = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const REPO = resolve(APP, '../..');
const SCHEMA = join(APP, 'schema', 'quant-trim.config.schema.json');

/** Every committed file of the repository (git's index), relative to its root. */
const committed = (): string[] => execFileSync('git', ['ls-files', '-z'], { cwd: REPO, encoding: 'utf8' }).split('\0').filter(Boolean);

interface Example {
  readonly where: string;
  /** The directory `$schema` is resolved from. */
  readonly base: string;
  readonly config: Record<string, unknown>;
}

/**
 * The committed example configs: `*.config.json` files that are quant-trim configs (their
 * `$schema` names the config schema, or the file is a quant-trim.config.json), and the ```json
 * blocks of the Markdown docs that hold a `$schema` (examples of a config at the repository root).
 */
function examples(): Example[] {
  const out: Example[] = [];
  for (const file of committed()) {
    if (file.endsWith('.json') && !file.includes('node_modules/')) {
      let config: unknown;
      try {
        config = JSON.parse(readFileSync(join(REPO, file), 'utf8'));
      } catch {
        continue;
      }
      if (typeof config !== 'object' || config === null || Array.isArray(config)) continue;
      const schema = (config as Record<string, unknown>)['$schema'];
      if (file.endsWith(CONFIG_FILE_NAME) || (typeof schema === 'string' && schema.includes('quant-trim.config')))
        out.push({ where: file, base: dirname(join(REPO, file)), config: config as Record<string, unknown> });
    }
    if (file.endsWith('.md') && !file.includes('node_modules/') && !file.startsWith('.changeset/')) {
      const text = readFileSync(join(REPO, file), 'utf8');
      for (const [i, block] of [...text.matchAll(/```json\n([\s\S]*?)```/g)].entries()) {
        if (!block[1]!.includes('"$schema"')) continue;
        out.push({ where: `${file} (json block ${i + 1})`, base: REPO, config: JSON.parse(block[1]!) as Record<string, unknown> });
      }
    }
  }
  return out;
}

describe('config $schema points at the committed schema file', () => {
  it('the committed schema is found from the sources', () => {
    expect(configSchemaFile()).toBe(SCHEMA);
  });

  it('every committed example config names it by a path that resolves to it (no unpublished URL)', () => {
    const found = examples();
    expect(found.map((e) => e.where)).toEqual(
      expect.arrayContaining(['apps/cli/README.md (json block 1)', 'apps/cli/test/config/fixtures/quant-trim.config.json']),
    );
    for (const e of found) {
      const ref = e.config['$schema'];
      expect(typeof ref, e.where).toBe('string');
      expect(ref as string, e.where).not.toMatch(/^[a-z]+:\/\//i);
      const target = resolve(e.base, ref as string);
      expect(existsSync(target), `${e.where}: ${String(ref)} → ${target}`).toBe(true);
      expect(readFileSync(target, 'utf8')).toBe(readFileSync(SCHEMA, 'utf8'));
    }
  });

  it('the path the installed package name gives resolves from the repository root (node_modules/@quant-trim/cli is the workspace link)', () => {
    expect(readFileSync(join(REPO, 'node_modules/@quant-trim/cli/schema/quant-trim.config.schema.json'), 'utf8')).toBe(readFileSync(SCHEMA, 'utf8'));
  });

  it("an invalid config's hint gives a $schema path that resolves from the config file", async () => {
    const dir = join(mkdtempSync(join(tmpdir(), 'qt-schema-ref-')), 'project', 'configs');
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'bad.json'), JSON.stringify({ epochs: 0 }));
    const error = await loadConfig('bad.json', dir).then(
      () => undefined,
      (e: unknown) => e as { details?: { hint?: string } },
    );
    const ref = /"\$schema": "([^"]+)"/.exec(error?.details?.hint ?? '')?.[1];
    expect(ref).toBeDefined();
    expect(ref).not.toMatch(/^https?:/);
    expect(resolve(dir, ref!)).toBe(SCHEMA);
    expect(configSchemaReference(REPO)).toBe('./apps/cli/schema/quant-trim.config.schema.json');
  });
});
