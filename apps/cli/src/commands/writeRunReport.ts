import { join } from 'node:path';
import { formatTable } from '../output/formatTable.js';
import { methodLabel } from '../pipeline/summarize.js';
import { writeHtmlReport } from '../report/index.js';
import type { Interval, RunReport } from '../report/types.js';
import { writeFileAtomic } from '../train/checkpoints.js';
import type { CommandContext } from './context.js';

const pct = (v: number | undefined) => (v === undefined || !Number.isFinite(v) ? '–' : (v * 100).toFixed(2));
const pp = (v: number | undefined) => (v === undefined || !Number.isFinite(v) ? '–' : `${v >= 0 ? '+' : ''}${(v * 100).toFixed(2)}`);
/** `+7.46 [2.10, 11.71]`; the value alone when the interval is unknown. */
const ppInterval = (i: Interval | undefined) =>
  i === undefined
    ? '–'
    : Number.isFinite(i.low) && Number.isFinite(i.high)
      ? `${pp(i.mean)} [${(i.low * 100).toFixed(2)}, ${(i.high * 100).toFixed(2)}]`
      : pp(i.mean);

/**
 * The comparison table as text: one row per profile, accuracy and drop per method (means over
 * the seeds, drops with their 95 % interval), then the summaries with their intervals.
 */
export function comparisonTable(report: RunReport): string {
  const methods = report.evaluation.models;
  const ids = methods[0]?.profiles.map((p) => p.profile) ?? [];
  const summaryOf = (name: string) => report.summary.find((s) => s.method === name);
  type Row = { profile: string; cells: string[] };
  const rows: Row[] = [
    { profile: 'float', cells: methods.flatMap((m) => [pct(summaryOf(m.name)?.floatAccuracy ?? m.float.accuracy), '']) },
    ...ids.map((id) => ({
      profile: id,
      cells: methods.flatMap((m) => {
        const across = summaryOf(m.name)?.profiles.find((p) => p.profile === id);
        if (across !== undefined) return [pct(across.accuracy), ppInterval(across.drop)];
        const p = m.profiles.find((x) => x.profile === id);
        return p?.status === 'ok' ? [pct(p.metrics?.accuracy), pp(p.metrics?.drop)] : [p?.error?.code ?? '–', ''];
      }),
    })),
    { profile: 'mean drop', cells: methods.flatMap((m) => ['', ppInterval(summaryOf(m.name)?.meanDrop)]) },
    { profile: 'worst-case drop', cells: methods.flatMap((m) => ['', ppInterval(summaryOf(m.name)?.worstDrop)]) },
    { profile: 'spread', cells: methods.flatMap((m) => ['', ppInterval(summaryOf(m.name)?.spread)]) },
  ];
  const columns = [
    { header: 'profile', value: (r: Row) => r.profile },
    ...methods.flatMap((m, i) => [
      { header: `${methodLabel(m.name)} acc %`, value: (r: Row) => r.cells[2 * i], align: 'right' as const },
      { header: 'drop pp [95 %]', value: (r: Row) => r.cells[2 * i + 1], align: 'right' as const },
    ]),
  ];
  return formatTable(rows, columns);
}

/** How the numbers above were obtained, in one line. */
function statisticsLine(report: RunReport): string {
  const n = report.seeds.length;
  const images = report.dataset.testSamples;
  const seeds = n === 1 ? `seed ${report.seeds[0]}` : `means over ${n} seeds (${report.seeds.join(', ')})`;
  return `${seeds}; [95 %]: bootstrap percentile interval, ${report.bootstrap.resamples} resamples of ${n === 1 ? 'the' : 'seeds and'} ${images} test images (1 image = ${(100 / images).toFixed(3)} pp)\n`;
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
  if (report.model.imported !== undefined)
    ctx.reporter.onResult?.(
      `imported from ${report.model.imported.file} (sha256 ${report.model.imported.sha256}), fine-tuned from its weights (learning rate ${report.budget.learningRate})\n`,
    );
  if (report.recipe !== undefined) ctx.reporter.onResult?.(`Quant-Trim recipe: ${report.recipe.join(' · ')}\n`);
  ctx.reporter.onResult?.(comparisonTable(report));
  ctx.reporter.onResult?.(statisticsLine(report));
  ctx.reporter.onResult?.(`\n${report.verdicts.join('\n')}\n`);
  ctx.reporter.onResult?.(`report: ${html}\n`);
  return { json, html };
}
