import { dirname, join, resolve } from 'node:path';
import { validateReport } from '@quant-trim/backend-eval';
import { isQuantTrimError, QuantTrimError } from '@quant-trim/internal';
import { writeHtmlReport } from '../../report/index.js';
import { RUN_REPORT_SCHEMA_ID, type RunReport } from '../../report/types.js';
import { readInputFile, type CommandContext } from '../context.js';

const bad = (file: string, message: string, cause?: unknown) => new QuantTrimError({ code: 'QT_INVALID_REPORT', message: `${file}: ${message}`, ...(cause !== undefined ? { cause } : {}), details: { path: file, hint: 'pass a report.json written by `quant-trim compare` or `quant-trim demo`' } });

/** Checks a parsed run report far enough to render it: its schema id and version, the embedded backend-eval report, the method list. */
export function parseRunReport(value: unknown, file: string): RunReport {
  if (typeof value !== 'object' || value === null) throw bad(file, 'expected a JSON object');
  const r = value as Partial<RunReport>;
  if (r.$schema !== RUN_REPORT_SCHEMA_ID) throw bad(file, `$schema: expected ${RUN_REPORT_SCHEMA_ID}, got ${JSON.stringify(r.$schema)}`);
  if (r.schemaVersion !== 1) throw bad(file, `schemaVersion: expected 1, got ${JSON.stringify(r.schemaVersion)}`);
  if (!Array.isArray(r.methods)) throw bad(file, 'methods: expected an array');
  try {
    validateReport(r.evaluation);
  } catch (e) {
    throw bad(file, `evaluation: ${isQuantTrimError(e) ? e.message.replace(/^report/, 'evaluation') : (e as Error).message}`, e);
  }
  return value as RunReport;
}

/** `quant-trim report <report.json>`: renders the self-contained HTML report (default: report.html next to the JSON). */
export async function report(file: string, flags: { out?: string }, ctx: CommandContext): Promise<{ html: string }> {
  const full = resolve(ctx.cwd, file);
  const text = new TextDecoder().decode(readInputFile(ctx.cwd, file, 'the report'));
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw bad(full, `invalid JSON (${(e as Error).message})`, e);
  }
  const run = parseRunReport(json, full);
  const html = resolve(ctx.cwd, flags.out ?? join(dirname(full), 'report.html'));
  await writeHtmlReport(run, html);
  ctx.reporter.onArtifact?.({ kind: 'report-html', path: html });
  ctx.reporter.onResult?.(`report: ${html}\n`);
  return { html };
}
