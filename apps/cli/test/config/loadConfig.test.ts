import { copyFile, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isQuantTrimError } from '@quant-trim/errors';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CONFIG_FILE_NAME, loadConfig, parseConfigText } from '../../src/config/index.js';
import { jsonErrorLocation } from '../../src/config/jsonErrorLocation.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'qt-config-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function rejection(promise: Promise<unknown>): Promise<{ code: string; message: string; details: Record<string, unknown> | undefined }> {
  try {
    await promise;
  } catch (error) {
    if (!isQuantTrimError(error)) throw error;
    return { code: error.code, message: error.message, details: error.details };
  }
  throw new Error('expected a rejection');
}

describe('loadConfig', () => {
  it('uses the defaults when no path is given and the working directory has no config', async () => {
    const { config, warnings, path } = await loadConfig(undefined, dir);
    expect(path).toBeUndefined();
    expect(warnings).toEqual([]);
    expect(config).toMatchObject({ epochs: 3, model: 'cnn', out: 'quant-trim-out' });
  });

  it(`reads ${CONFIG_FILE_NAME} from the working directory`, async () => {
    await copyFile(new URL('./fixtures/quant-trim.config.json', import.meta.url), join(dir, CONFIG_FILE_NAME));
    const { config, path } = await loadConfig(undefined, dir);
    expect(path).toBe(join(dir, CONFIG_FILE_NAME));
    expect(config).toMatchObject({ epochs: 5, model: 'dscnn' });
  });

  it('reads an explicit path relative to the working directory, returning warnings', async () => {
    await writeFile(join(dir, 'custom.json'), JSON.stringify({ epochs: 2, colour: false }));
    const { config, warnings } = await loadConfig('custom.json', dir);
    expect(config.epochs).toBe(2);
    expect(warnings).toEqual(['colour: unknown key, ignored']);
  });

  it('throws QT_INVALID_CONFIG for an explicit file that does not exist', async () => {
    const e = await rejection(loadConfig('missing.json', dir));
    expect(e.code).toBe('QT_INVALID_CONFIG');
    expect(e.message).toBe('config file missing.json does not exist');
  });

  it('throws QT_INVALID_CONFIG naming the file, line and column for invalid JSON', async () => {
    await writeFile(join(dir, CONFIG_FILE_NAME), '{\n  "epochs": 3,\n  "lr": 0.01,\n}\n');
    const e = await rejection(loadConfig(undefined, dir));
    expect(e.code).toBe('QT_INVALID_CONFIG');
    expect(e.message).toBe(`${CONFIG_FILE_NAME}:4:1: invalid JSON: trailing comma`);
    expect(e.details).toMatchObject({ line: 4, column: 1 });
  });

  it('throws QT_INVALID_CONFIG listing every schema error by path, naming the file', async () => {
    await writeFile(join(dir, 'bad.json'), JSON.stringify({ epochs: 0, profiles: ['npu-9000'], scheme: 'int3' }));
    const e = await rejection(loadConfig('bad.json', dir));
    expect(e.code).toBe('QT_INVALID_CONFIG');
    const [head, ...lines] = e.message.split('\n');
    expect(head).toBe('invalid config bad.json (3 errors):');
    expect(lines.map((l) => l.trim().split(':')[0])).toEqual(['epochs', 'profiles.0', 'scheme']);
    expect(e.details?.['hint']).toMatch(/\$schema/);
  });
});

describe('jsonErrorLocation', () => {
  it('finds the first syntax error with 1-based line and column', () => {
    expect(jsonErrorLocation('{"a": }')).toMatchObject({ line: 1, column: 7, reason: 'unexpected character "}"' });
    expect(jsonErrorLocation('{\n  "a": 1\n  "b": 2\n}')).toMatchObject({ line: 3, column: 3, reason: "expected ',' or '}' after a property value" });
    expect(jsonErrorLocation('// note\n{}')).toMatchObject({ line: 1, column: 1, reason: 'comments are not allowed in JSON' });
    expect(jsonErrorLocation('{"a": [1, 2')).toMatchObject({ line: 1, column: 12, reason: 'unexpected end of input' });
    expect(jsonErrorLocation('{"a": "x\\q"}')).toMatchObject({ reason: 'bad escape in a string' });
    expect(jsonErrorLocation('{"a": 1} x')).toMatchObject({ column: 10 });
    expect(jsonErrorLocation('{"a": [1, {"b": null}], "c": -1.5e3}')).toBeUndefined();
  });
});

describe('parseConfigText (fuzz regressions)', () => {
  // Found by bench/fuzz.ts (seed 1, config case 977): 13 MB of JSON (a million-element array)
  // took 12 s to validate into 893,182 error lines (1 MB: 5 s); texts over 256 KiB are refused unread.
  it('refuses a text over 256 KiB before parsing it', () => {
    const text = `{"methods": [${'1,'.repeat(140_000)}1]}`;
    let caught: unknown;
    try {
      parseConfigText(text, 'big.json', '/x/big.json');
    } catch (e) {
      caught = e;
    }
    expect(isQuantTrimError(caught, 'QT_INVALID_CONFIG')).toBe(true);
    expect((caught as Error).message).toBe('big.json: 274 KiB is not a config file (at most 256 KiB; a config is a few KB)');
    expect(parseConfigText('\uFEFF{"epochs": 2}', 'a.json', '/x/a.json').config.epochs).toBe(2);
  });
});
