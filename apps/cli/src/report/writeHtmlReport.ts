import { mkdir, rename, rm, writeFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { QuantTrimError } from '@quant-trim/backend-eval';
import type { EvaluationReport } from '@quant-trim/backend-eval';
import { renderEvaluationHtmlReport, renderHtmlReport } from './renderHtmlReport.js';
import type { RunReport } from './types.js';

/**
 * Renders `report` and writes it to `path` atomically: a temporary file in the same directory,
 * then a rename, so readers never see a half-written report. Creates the directory if needed.
 * Throws `QT_OUTPUT_UNWRITABLE` when the file cannot be written.
 */
export async function writeHtmlReport(report: RunReport, path: string): Promise<void> {
  await writeHtmlFile(renderHtmlReport(report), path);
}

/** Renders an `eval` report (`renderEvaluationHtmlReport`) and writes it to `path` atomically, as `writeHtmlReport`. */
export async function writeEvaluationHtmlReport(evaluation: EvaluationReport, path: string): Promise<void> {
  await writeHtmlFile(renderEvaluationHtmlReport(evaluation), path);
}

async function writeHtmlFile(text: string, path: string): Promise<void> {
  const dir = dirname(path);
  const temp = join(dir, `.${basename(path)}.${process.pid}.${Date.now().toString(36)}${Math.random().toString(36).slice(2, 8)}.tmp`);
  try {
    await mkdir(dir, { recursive: true });
    await writeFile(temp, text, 'utf8');
    await rename(temp, path);
  } catch (cause) {
    await rm(temp, { force: true }).catch(() => undefined);
    throw new QuantTrimError({
      code: 'QT_OUTPUT_UNWRITABLE',
      message: `cannot write the HTML report to ${path}: ${cause instanceof Error ? cause.message : String(cause)}`,
      cause,
      details: { path },
    });
  }
}
