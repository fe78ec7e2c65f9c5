import { z } from 'zod';
import { CONFIG_SCHEMA_ID, configSchema } from './schema.js';

/**
 * The JSON Schema (draft 2020-12) of `quant-trim.config.json`, generated from the zod schema. It is
 * committed as `apps/cli/schema/quant-trim.config.schema.json` (`npm run schema -w @quant-trim/cli`), and
 * a test fails when the two drift apart. The input side is described: fields with defaults are optional.
 */
export function configJsonSchema(): Record<string, unknown> {
  const generated = z.toJSONSchema(configSchema, {
    target: 'draft-2020-12',
    io: 'input',
    unrepresentable: 'throw',
    override: ({ jsonSchema }) => {
      // zod bounds integers to the safe range; that is noise for a config file.
      const schema = jsonSchema as Record<string, unknown>;
      if (schema['maximum'] === Number.MAX_SAFE_INTEGER) delete schema['maximum'];
      if (schema['minimum'] === Number.MIN_SAFE_INTEGER) delete schema['minimum'];
    },
  }) as Record<string, unknown>;
  const { $schema, ...rest } = generated;
  return { $schema, $id: CONFIG_SCHEMA_ID, title: 'quant-trim.config.json', ...rest };
}

/** The committed file's exact text: two-space indent and a final newline. */
export function configJsonSchemaText(): string {
  return `${JSON.stringify(configJsonSchema(), null, 2)}\n`;
}
