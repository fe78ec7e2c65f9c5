import { join } from 'node:path';
import { formatTable } from '../output/formatTable.js';
import { METHOD_LABELS } from '../pipeline/compare.js';
import { writeHtmlReport } from '../report/index.js';
import type { RunReport } from '../report/types.js';
import { writeFileAtomic } from '../train/checkpoints.js';
import type { CommandContext } from './context.js';

const pct = (v: number | undefined) => (v === undefined ? '–' : (v * 100).toFixed(2));
const pp = (v: number | undefined) => (v === undefined ? '–' : `${v >= 0 ? '+' : ''}${(v * 100).toFixed(2)}`);

/** The METHOD.md §6 table as text: one row per profile, accuracy and drop per method, then the summaries. */
export function comparisonTable(report: RunReport): string {
  const methods = report.evaluation.models;
  const ids = methods[0]?.profiles.map((p) => p.profile) ?? [];
  type Row = { profile: string; cells: string[] };
  const rows: Row[] = [
    { profile: 'float', cells: methods.flatMap((m) => [pct(m.float.accuracy), '']) },
    ...ids.map((id) => ({
      profile: id,
      cells: methods.flatMap((m) => {
        const p = m.profiles.find((x) => x.profile === id);
        return p?.status === 'ok' ? [pct(p.metrics?.accuracy), pp(p.metrics?.drop)] : [p?.error?.code ?? '–', ''];
      }),
    })),
    { profile: 'mean drop', cells: methods.flatMap((m) => ['', pp(m.acrossProfiles?.meanDrop)]) },
    { profile: 'worst-case drop', cells: methods.flatMap((m) => ['', pp(m.acrossProfiles?.worstDrop)]) },
    { profile: 'spread', cells: methods.flatMap((m) => ['', m.acrossProfiles === undefined ? '–' : (m.acrossProfiles.spread * 100).toFixed(2)]) },
  ];
  const columns = [
    { header: 'profile', value: (r: Row) => r.profile },
    ...methods.flatMap((m, i) => [
      { header: `${METHOD_LABELS[m.name as keyof typeof METHOD_LABELS] ?? m.name} acc %`, value: (r: Row) => r.cells[2 * i], align: 'right' as const },
      { header: 'drop pp', value: (r: Row) => r.cells[2 * i + 1], align: 'right' as const },
    ]),
  ];
  return formatTable(rows, columns);
}

/** Writes `report.json` and `report.html` into `out` (atomically) and prints the table and verdicts. */
export async function writeRunReport(report: RunReport, out: string, ctx: CommandContext): Promise<{ json: string; html: string }> {
  const json = join(out, 'report.json');
  const html = join(out, 'report.html');
  writeFileAtomic(json, `${JSON.stringify(report, null, 2)}\n`);
  ctx.reporter.onArtifact?.({ kind: 'report-json', path: json });
  await writeHtmlReport(report, html);
  ctx.reporter.onArtifact?.({ kind: 'report-html', path: html });
  ctx.reporter.onResult?.(`\n${report.model.name} on ${report.dataset.name}, weights ${report.scheme.weights}: accuracy across backend profiles\n`);
  ctx.reporter.onResult?.(comparisonTable(report));
  ctx.reporter.onResult?.(`\n${report.verdicts.join('\n')}\n`);
  ctx.reporter.onResult?.(`report: ${html}\n`);
  return { json, html };
}
