import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { CONFIG_SCHEMA_ID, configJsonSchema, configJsonSchemaText } from '../../src/config/index.js';

const committedFile = new URL('../../schema/quant-trim.config.schema.json', import.meta.url);

describe('quant-trim.config.schema.json', () => {
  it('matches the zod schema (regenerate with `npm run schema -w @quant-trim/cli`)', () => {
    const committed = readFileSync(committedFile, 'utf8');
    // A plain equality, so the message stays short; the diff below shows what changed.
    if (committed !== configJsonSchemaText()) {
      expect(
        JSON.parse(committed),
        'apps/cli/schema/quant-trim.config.schema.json is out of date: run `npm run schema -w @quant-trim/cli` and commit the result',
      ).toEqual(configJsonSchema());
      expect.fail('apps/cli/schema/quant-trim.config.schema.json differs only in formatting: run `npm run schema -w @quant-trim/cli`');
    }
  });

  it('is draft 2020-12 with an $id, descriptions and defaults', () => {
    const schema = configJsonSchema() as {
      $schema: string;
      $id: string;
      properties: Record<string, { description?: string; default?: unknown }>;
      additionalProperties: unknown;
    };
    expect(schema.$schema).toBe('https://json-schema.org/draft/2020-12/schema');
    expect(schema.$id).toBe(CONFIG_SCHEMA_ID);
    for (const [key, property] of Object.entries(schema.properties)) expect(property.description, key).toBeTruthy();
    expect(schema.properties['epochs']?.default).toBe(3);
    expect(schema.additionalProperties).toBe(false);
  });
});
