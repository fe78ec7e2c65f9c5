import { QuantTrimError } from '@quant-trim/errors';
import type { CostEstimate, EvaluationReport, ModelReport, ProfileResult, RuntimeResult } from '../evaluate/reportTypes.js';

/** Options of `formatReportTable`. */
export interface FormatReportTableOptions {
  /** Only this model (by `name`); default: every model of the report, one table each. */
  readonly model?: string;
  /** `markdown`: a GitHub table; `text`: columns aligned by display width, for terminals. */
  readonly format: 'markdown' | 'text';
}

/** Rendered for a value the report does not have. */
const MISSING = '–';

interface Column {
  readonly header: string;
  readonly align: 'left' | 'right';
}

const COLUMNS: readonly Column[] = [
  { header: 'profile', align: 'left' },
  { header: 'status', align: 'left' },
  { header: 'coverage', align: 'right' },
  { header: 'acc %', align: 'right' },
  { header: 'drop pp', align: 'right' },
  { header: 'top-1 agr %', align: 'right' },
  { header: 'KL', align: 'right' },
  { header: 'cosine', align: 'right' },
  { header: 'ECE', align: 'right' },
  { header: 'p50 b1 ms', align: 'right' },
  { header: 'p50 b32 ms', align: 'right' },
  { header: 'energy µJ', align: 'right' },
];

const fixed =
  (digits: number) =>
  (x: number | undefined): string =>
    x === undefined ? MISSING : x.toFixed(digits);
const percent = (x: number | undefined): string => fixed(2)(x === undefined ? undefined : x * 100);

/** Percentage points with an explicit sign (`+0.42`, `-0.10`, `0.00`). */
function points(x: number | undefined): string {
  if (x === undefined) return MISSING;
  const text = Math.abs(x * 100).toFixed(2);
  if (Number(text) === 0) return text;
  return `${x < 0 ? '-' : '+'}${text}`;
}

/** onnxruntime-node's native (integer-kernel) p50 at `batch`; `fallback` also accepts other modes. */
function p50(runtimes: readonly RuntimeResult[] | undefined, batch: number, fallback: boolean): string {
  const node = (runtimes ?? []).filter((r) => r.runtime === 'onnxruntime-node');
  const row = node.find((r) => r.mode === 'native') ?? (fallback ? node[0] : undefined);
  return fixed(2)(row?.latency.find((l) => l.batch === batch)?.p50Ms);
}

const energy = (estimate: CostEstimate | undefined): string => fixed(1)(estimate?.energyMicrojoules);

function floatRow(model: ModelReport): string[] {
  const { accuracy, runtimes, estimate } = model.float;
  return [
    'float',
    MISSING,
    MISSING,
    percent(accuracy),
    MISSING,
    MISSING,
    MISSING,
    MISSING,
    MISSING,
    p50(runtimes, 1, true),
    p50(runtimes, 32, true),
    energy(estimate),
  ];
}

function profileRow(p: ProfileResult): string[] {
  const m = p.metrics;
  return [
    p.profile,
    p.status,
    p.coverage === undefined ? MISSING : `${p.coverage.integer}/${p.coverage.total}`,
    percent(m?.accuracy),
    points(m?.drop),
    percent(m?.top1Agreement),
    fixed(4)(m?.kl),
    fixed(4)(m?.logitCosine),
    fixed(3)(m?.ece),
    p50(p.runtimes, 1, false),
    p50(p.runtimes, 32, false),
    energy(p.estimate),
  ];
}

function summary(model: ModelReport): string {
  const a = model.acrossProfiles;
  const worst = a === undefined ? MISSING : `${points(a.worstDrop)} pp (${a.worstProfile})`;
  const pp = (x: number | undefined): string => (x === undefined ? MISSING : `${points(x)} pp`);
  const spread = a === undefined ? MISSING : `${(a.spread * 100).toFixed(2)} pp`;
  return `across profiles: mean drop ${pp(a?.meanDrop)}, worst drop ${worst}, spread ${spread}`;
}

const errorLines = (model: ModelReport): string[] =>
  model.profiles.flatMap((p) => (p.status === 'error' && p.error !== undefined ? [`${p.profile}: ${p.error.code}: ${p.error.message}`] : []));

/** Display width of a string in a terminal: combining marks 0, East Asian wide / fullwidth 2. */
export function displayWidth(text: string): number {
  let width = 0;
  for (const ch of text) {
    const cp = ch.codePointAt(0)!;
    if (/\p{Mn}|\p{Me}|\p{Cf}/u.test(ch)) continue;
    const wide =
      (cp >= 0x1100 && cp <= 0x115f) ||
      (cp >= 0x2e80 && cp <= 0xa4cf && cp !== 0x303f) ||
      (cp >= 0xac00 && cp <= 0xd7a3) ||
      (cp >= 0xf900 && cp <= 0xfaff) ||
      (cp >= 0xfe30 && cp <= 0xfe4f) ||
      (cp >= 0xff00 && cp <= 0xff60) ||
      (cp >= 0xffe0 && cp <= 0xffe6) ||
      (cp >= 0x1f300 && cp <= 0x1faff) ||
      (cp >= 0x20000 && cp <= 0x3fffd);
    width += wide ? 2 : 1;
  }
  return width;
}

function pad(text: string, width: number, align: Column['align']): string {
  const fill = ' '.repeat(width - displayWidth(text));
  return align === 'left' ? text + fill : fill + text;
}

function textTable(rows: readonly string[][]): string[] {
  const all = [COLUMNS.map((c) => c.header), ...rows];
  const widths = COLUMNS.map((_, j) => Math.max(...all.map((r) => displayWidth(r[j]!))));
  const line = (r: readonly string[]): string =>
    r
      .map((cell, j) => pad(cell, widths[j]!, COLUMNS[j]!.align))
      .join('  ')
      .trimEnd();
  return [line(all[0]!), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)];
}

function markdownTable(rows: readonly string[][]): string[] {
  const line = (r: readonly string[]): string => `| ${r.map((cell) => cell.replaceAll('|', '\\|')).join(' | ')} |`;
  const rule = `|${COLUMNS.map((c) => (c.align === 'right' ? ' ---: ' : ' --- ')).join('|')}|`;
  return [line(COLUMNS.map((c) => c.header)), rule, ...rows.map(line)];
}

function modelSection(model: ModelReport, format: FormatReportTableOptions['format']): string {
  const rows = [floatRow(model), ...model.profiles.map(profileRow)];
  const markdown = format === 'markdown';
  const title = markdown ? `### ${model.name}` : model.name;
  const table = markdown ? markdownTable(rows) : textTable(rows);
  const errors = errorLines(model).map((e) => (markdown ? `- ${e}` : `  ${e}`));
  return [title, '', ...table, '', summary(model), ...(errors.length > 0 ? ['', 'errors:', ...errors] : [])].join('\n');
}

function selectModels(report: EvaluationReport, name: string | undefined): readonly ModelReport[] {
  if (name === undefined) return report.models;
  const found = report.models.filter((m) => m.name === name);
  if (found.length > 0) return found;
  const known = report.models.map((m) => `'${m.name}'`).join(', ') || 'none';
  throw new QuantTrimError({
    code: 'QT_INVALID_ARGUMENT',
    message: `option \`model\` of \`formatReportTable\`: no model '${name}' in the report (models: ${known})`,
    details: { model: name },
  });
}

/**
 * Renders an evaluation report as one table per model: a first row for the float model, then one
 * row per profile with its status, integer coverage (`9/12`), accuracy %, accuracy drop (pp,
 * signed), top-1 agreement with the float model %, KL, logit cosine, ECE, onnxruntime-node native
 * p50 latency at batch 1 and 32 (ms; the float row takes any onnxruntime-node row) and estimated
 * energy (µJ); then the mean and worst-case drop (with its profile) and the accuracy spread, and
 * the errors of failed profiles. Missing values render as `–`. Ends without a newline.
 *
 * @throws QuantTrimError `QT_INVALID_ARGUMENT` when `options.model` names no model of the report.
 *
 * @example
 * console.log(formatReportTable(validateReport(JSON.parse(text)), { format: 'text' }));
 */
export function formatReportTable(report: EvaluationReport, options: FormatReportTableOptions): string {
  return selectModels(report, options.model)
    .map((m) => modelSection(m, options.format))
    .join('\n\n');
}
