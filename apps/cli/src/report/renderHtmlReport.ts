import { normalizeChartIds } from './charts.js';
import { escapeHtml, html, type RawHtml } from './escape.js';
import { dateTime } from './format.js';
import { buildView, type ReportView } from './reportData.js';
import { renderAccuracyCharts } from './sections/accuracyCharts.js';
import { renderComparisonTable } from './sections/comparisonTable.js';
import { renderCoverage } from './sections/coverage.js';
import { renderDisagreement } from './sections/disagreementChart.js';
import { renderDropSources } from './sections/dropSources.js';
import { renderEnergy } from './sections/energyChart.js';
import { renderFooter } from './sections/footer.js';
import { renderHeader } from './sections/header.js';
import { renderRuntimes } from './sections/runtimes.js';
import { renderSensitivity } from './sections/sensitivityChart.js';
import { renderTrainingCharts } from './sections/trainingCharts.js';
import { renderWeightsCharts } from './sections/weightsCharts.js';
import { REPORT_CSS } from './styles.js';
import type { EvaluationReport } from '@quant-trim/backend-eval';
import { runReportOfEvaluation } from './evaluationReport.js';
import { renderAgreement, renderEvaluationHeader, renderNotApplicable } from './sections/evaluationSections.js';
import type { RunReport } from './types.js';

const SECTIONS: readonly (readonly [string, (view: ReportView) => RawHtml])[] = [
  ['header', renderHeader],
  ['comparison', renderComparisonTable],
  ['accuracy', renderAccuracyCharts],
  ['drop-sources', renderDropSources],
  ['training', renderTrainingCharts],
  ['weights', renderWeightsCharts],
  ['sensitivity', renderSensitivity],
  ['disagreement', renderDisagreement],
  ['energy', renderEnergy],
  ['coverage', renderCoverage],
  ['runtimes', renderRuntimes],
  ['provenance', renderFooter],
];

/**
 * The sections of an `eval` report: one model and no training, so the header describes the model
 * and data, an agreement table (which needs no labels) joins the accuracy sections, and one note
 * says that training curves, schedules, weight histograms and the per-epoch calibrator
 * disagreement do not apply.
 */
const EVALUATION_SECTIONS: readonly (readonly [string, (view: ReportView) => RawHtml])[] = [
  ['header', renderEvaluationHeader],
  ['comparison', renderComparisonTable],
  ['accuracy', renderAccuracyCharts],
  ['agreement', renderAgreement],
  ['drop-sources', renderDropSources],
  ['sensitivity', renderSensitivity],
  ['energy', renderEnergy],
  ['coverage', renderCoverage],
  ['runtimes', renderRuntimes],
  ['training', renderNotApplicable],
  ['provenance', renderFooter],
];

/** One section, or a note in its place if it throws on malformed data: the report always renders. */
function section(name: string, render: (view: ReportView) => RawHtml, view: ReportView): string {
  try {
    return render(view).__html;
  } catch (error) {
    return html`<section id="${name}"><p class="note">The ${name} section could not be rendered: ${error instanceof Error ? error.message : String(error)}</p></section>`
      .__html;
  }
}

/**
 * Renders a run report as one self-contained HTML document: inline CSS and inline SVG charts
 * (ECharts server-side rendering), no scripts, fonts, images or any other external request.
 * All text taken from the report is HTML-escaped; missing data renders as `–` or a note.
 */
export function renderHtmlReport(report: RunReport): string {
  const view = buildView(report);
  const title = `Quant-Trim report · ${[report.model?.name, report.dataset?.name].filter(Boolean).join(' on ') || 'run'} · ${dateTime(report.createdAt)}`;
  return page(title, SECTIONS.map(([name, render]) => section(name, render, view)).join('\n'));
}

/**
 * Renders an `eval` report (backend-eval's `EvaluationReport`) as the same kind of self-contained
 * page: the run report's sections that read the evaluation (accuracy table and charts, drop
 * sources, sensitivity, energy, coverage, runtimes) with the evaluated model as the one column,
 * an agreement table, and a note where the training sections would be.
 */
export function renderEvaluationHtmlReport(evaluation: EvaluationReport): string {
  const view = buildView(runReportOfEvaluation(evaluation), 'evaluation');
  const title = `Quant-Trim evaluation · ${view.methods[0]?.label ?? 'model'} · ${dateTime(evaluation.createdAt)}`;
  return page(title, EVALUATION_SECTIONS.map(([name, render]) => section(name, render, view)).join('\n'));
}

function page(title: string, body: string): string {
  const document = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="color-scheme" content="light">
<meta name="generator" content="quant-trim">
<title>${escapeHtml(title)}</title>
<style>${REPORT_CSS}</style>
</head>
<body>
<main>
${body}
</main>
</body>
</html>
`;
  return normalizeChartIds(document);
}
