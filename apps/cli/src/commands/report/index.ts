import { basename, dirname, join, resolve } from 'node:path';
import { REPORT_SCHEMA_ID, validateReport, type EvaluationReport } from '@quant-trim/backend-eval';
import { isQuantTrimError, QuantTrimError } from '@quant-trim/errors';
import { writeEvaluationHtmlReport, writeHtmlReport } from '../../report/index.js';
import { RUN_REPORT_SCHEMA_ID, RUN_REPORT_SCHEMA_ID_V1, type RunReport, type RunReportV1 } from '../../report/types.js';
import { upgradeRunReport } from '../../report/upgrade.js';
import { readInputFile, type CommandContext } from '../context.js';

const bad = (file: string, message: string, cause?: unknown) =>
  new QuantTrimError({
    code: 'QT_INVALID_REPORT',
    message: `${file}: ${message}`,
    ...(cause !== undefined ? { cause } : {}),
    details: {
      path: file,
      hint: 'pass a report.json written by `quant-trim compare` or `quant-trim demo`, or an eval-report.json written by `quant-trim eval`',
    },
  });

/** A value for a message: its JSON cut to 60 characters; a value nested too deep to serialize is named by its type. */
function show(value: unknown): string {
  let text: string | undefined;
  try {
    text = JSON.stringify(value);
  } catch {
    text = Array.isArray(value) ? 'an array' : typeof value;
  }
  text ??= String(value);
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const isNumber = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);

function checkEvaluation(r: Record<string, unknown>, file: string): void {
  try {
    validateReport(r['evaluation']);
  } catch (e) {
    throw bad(file, `evaluation: ${isQuantTrimError(e) ? e.message.replace(/^report/, 'evaluation') : (e as Error).message}`, e);
  }
}

/** schemaVersion 2: seeds, per-seed results, summaries with intervals, comparisons. */
function checkV2(r: Record<string, unknown>, file: string): void {
  const seeds = r['seeds'];
  if (!Array.isArray(seeds) || seeds.length === 0 || !seeds.every((s) => Number.isInteger(s))) throw bad(file, 'seeds: expected a non-empty array of integers');
  if (!Array.isArray(r['seedResults'])) throw bad(file, 'seedResults: expected an array');
  r['seedResults'].forEach((s: unknown, i) => {
    if (!isObject(s) || !Number.isInteger(s['seed']) || !Array.isArray(s['methods'])) throw bad(file, `seedResults[${i}]: expected { seed, methods[] }`);
  });
  if (!Array.isArray(r['summary'])) throw bad(file, 'summary: expected an array');
  r['summary'].forEach((s: unknown, i) => {
    if (!isObject(s)) throw bad(file, `summary[${i}]: expected an object`);
    for (const key of ['meanDrop', 'worstDrop', 'spread']) {
      const v = s[key];
      if (!isObject(v) || !isNumber(v['mean']) || !isNumber(v['low']) || !isNumber(v['high']))
        throw bad(file, `summary[${i}].${key}: expected { mean, low, high } numbers`);
    }
    if (!Array.isArray(s['perSeed']) || !Array.isArray(s['profiles'])) throw bad(file, `summary[${i}]: expected perSeed[] and profiles[]`);
  });
  if (!Array.isArray(r['comparisons'])) throw bad(file, 'comparisons: expected an array');
  r['comparisons'].forEach((c: unknown, i) => {
    if (!isObject(c) || typeof c['method'] !== 'string' || typeof c['against'] !== 'string' || typeof c['verdict'] !== 'string' || !isObject(c['difference']))
      throw bad(file, `comparisons[${i}]: expected { method, against, statistic, difference, direction, verdict }`);
  });
}

/**
 * Checks a parsed run report far enough to render it — its schema id and version, the embedded
 * backend-eval report, the method list, and for schemaVersion 2 the seeds, per-seed results,
 * summaries with intervals and comparisons — and returns it as a current `RunReport`
 * (schemaVersion 1 reports, written before multi-seed runs, are upgraded: one seed, no intervals).
 */
export function parseRunReport(value: unknown, file: string): RunReport {
  if (!isObject(value)) throw bad(file, 'expected a JSON object');
  const r = value;
  const version = r['schemaVersion'];
  const expectedId = version === 1 ? RUN_REPORT_SCHEMA_ID_V1 : RUN_REPORT_SCHEMA_ID;
  if (r['$schema'] !== expectedId)
    throw bad(
      file,
      `$schema: expected ${RUN_REPORT_SCHEMA_ID} (or ${RUN_REPORT_SCHEMA_ID_V1} with schemaVersion 1; ${REPORT_SCHEMA_ID} for an eval report), got ${show(r['$schema'])}`,
    );
  if (version !== 1 && version !== 2) throw bad(file, `schemaVersion: expected 2 (or 1), got ${show(version)}`);
  if (!Array.isArray(r['methods'])) throw bad(file, 'methods: expected an array');
  checkEvaluation(r, file);
  if (version === 1) {
    if (!Array.isArray(r['summary'])) throw bad(file, 'summary: expected an array');
    return upgradeRunReport(value as unknown as RunReportV1);
  }
  checkV2(r, file);
  return value as unknown as RunReport;
}

/** Whether a parsed JSON file is an `eval` report (backend-eval's `EvaluationReport`), by its `$schema`. */
export function isEvaluationReport(value: unknown): boolean {
  return isObject(value) && value['$schema'] === REPORT_SCHEMA_ID;
}

/** Checks a parsed `eval` report deeply (backend-eval's `validateReport`); a bad field is `QT_INVALID_REPORT` naming the file and the field. */
export function parseEvaluationReport(value: unknown, file: string): EvaluationReport {
  try {
    return validateReport(value);
  } catch (e) {
    throw bad(file, isQuantTrimError(e) ? e.message : (e as Error).message, e);
  }
}

/** A report file's JSON: invalid JSON is `QT_INVALID_REPORT` too. */
function parseReportJson(text: string, file: string): unknown {
  try {
    return JSON.parse(text);
  } catch (e) {
    throw bad(file, `invalid JSON (${(e as Error).message})`, e);
  }
}

/** `parseRunReport` over the file's text: invalid JSON is `QT_INVALID_REPORT` too. */
export function parseRunReportText(text: string, file: string): RunReport {
  return parseRunReport(parseReportJson(text, file), file);
}

/**
 * `quant-trim report <file>`: renders the self-contained HTML report of a run report
 * (`report.json` of compare / demo; default: report.html next to it) or of an eval report
 * (`eval-report.json`, told apart by its `$schema`; default: the same name with .html next to it).
 */
export async function report(file: string, flags: { out?: string }, ctx: CommandContext): Promise<{ html: string; kind: 'run' | 'evaluation' }> {
  const full = resolve(ctx.cwd, file);
  const json = parseReportJson(new TextDecoder().decode(readInputFile(ctx.cwd, file, 'the report')), full);
  if (isEvaluationReport(json)) {
    const evaluation = parseEvaluationReport(json, full);
    const html = resolve(ctx.cwd, flags.out ?? join(dirname(full), `${basename(full).replace(/\.json$/i, '')}.html`));
    await writeEvaluationHtmlReport(evaluation, html);
    ctx.reporter.onArtifact?.({ kind: 'report-html', path: html });
    ctx.reporter.onResult?.(`report: ${html}\n`);
    return { html, kind: 'evaluation' };
  }
  const run = parseRunReport(json, full);
  const html = resolve(ctx.cwd, flags.out ?? join(dirname(full), 'report.html'));
  await writeHtmlReport(run, html);
  ctx.reporter.onArtifact?.({ kind: 'report-html', path: html });
  ctx.reporter.onResult?.(`report: ${html}\n`);
  return { html, kind: 'run' };
}
