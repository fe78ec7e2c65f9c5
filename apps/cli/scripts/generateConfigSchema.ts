/**
 * Writes `schema/quant-trim.config.schema.json` from the zod config schema.
 * Run `npm run schema -w quant-trim` after changing `src/config/schema.ts`; the test
 * `test/config/jsonSchema.test.ts` fails while the committed file is out of date.
 */
import { writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { configJsonSchemaText } from '../src/config/jsonSchema.js';

const CONFIG_SCHEMA_FILE = fileURLToPath(new URL('../schema/quant-trim.config.schema.json', import.meta.url));

await writeFile(CONFIG_SCHEMA_FILE, configJsonSchemaText());
console.log(`wrote ${CONFIG_SCHEMA_FILE}`);
