import { axisStyle, chartFigure, INK, MUTED, renderChart, safeChart } from '../charts.js';
import { escapeHtml, html, type RawHtml } from '../escape.js';
import { isNum, num, sig } from '../format.js';
import type { MethodView, ReportView } from '../reportData.js';
import type { WeightHistogram } from '../types.js';

const BEFORE = '#b9c0cc';

function inflation(h: WeightHistogram): string {
  return `scale inflation ${isNum(h.scaleInflationBefore) ? num(h.scaleInflationBefore, 2) : '–'}× → ${isNum(h.scaleInflationAfter) ? num(h.scaleInflationAfter, 2) : '–'}×`;
}

function histogramChart(h: WeightHistogram, m: MethodView): string {
  const edges = h.edges ?? [];
  const bins = Math.max(h.before?.length ?? 0, h.after?.length ?? 0, edges.length - 1, 0);
  const centers = Array.from({ length: bins }, (_, i) => {
    const a = edges[i];
    const b = edges[i + 1];
    return isNum(a) && isNum(b) ? sig((a + b) / 2, 2) : String(i);
  });
  // Log count axis so the trimmed tails (a handful of weights) stay visible next to the bulk; empty bins are gaps.
  const counts = (v: readonly number[] | undefined) => Array.from({ length: bins }, (_, i) => (isNum(v?.[i]) && v[i] > 0 ? v[i] : null));
  const option = {
    title: {
      text: h.layer,
      subtext: inflation(h),
      left: 8,
      top: 4,
      itemGap: 4,
      textStyle: { fontSize: 13, fontWeight: 'bold' as const, color: INK },
      subtextStyle: { fontSize: 11, color: MUTED },
    },
    legend: { right: 8, top: 6, itemWidth: 10, itemHeight: 10, textStyle: { fontSize: 10, color: MUTED }, data: ['FP (before)', `${m.label} (after)`] },
    grid: { left: 44, right: 10, top: 52, bottom: 30 },
    xAxis: {
      type: 'category' as const,
      data: centers,
      ...axisStyle,
      axisLabel: { ...axisStyle.axisLabel, fontSize: 9, interval: Math.max(0, Math.ceil(bins / 5) - 1) },
    },
    yAxis: {
      type: 'log' as const,
      min: 1,
      logBase: 10,
      ...axisStyle,
      axisLabel: { ...axisStyle.axisLabel, fontSize: 9, formatter: (v: number) => (v >= 1000 ? `${v / 1000}k` : String(v)) },
    },
    series: [
      { type: 'bar' as const, name: 'FP (before)', data: counts(h.before), barGap: '-100%', barCategoryGap: '6%', itemStyle: { color: BEFORE } },
      { type: 'bar' as const, name: `${m.label} (after)`, data: counts(h.after), barCategoryGap: '6%', itemStyle: { color: m.color, opacity: 0.72 } },
    ],
  };
  return renderChart(option, 330, 220);
}

/** The method whose checkpoint was trimmed: Quant-Trim, else any method with histograms. */
function trimmedMethod(view: ReportView): MethodView | undefined {
  const has = (m: MethodView) => (m.run?.weights ?? []).length > 0;
  return view.methods.find((m) => m.id === 'quant-trim' && has(m)) ?? view.methods.find((m) => m.id !== 'fp' && has(m)) ?? view.methods.find(has);
}

function weightsBody(view: ReportView): { svg: string } | { note: string } {
  const m = trimmedMethod(view);
  if (!m) return { note: 'No weight histograms were recorded for this run.' };
  const cells = (m.run?.weights ?? []).map((h) => `<div class="multiple" title="${escapeHtml(`${h.layer}: ${inflation(h)}`)}">${histogramChart(h, m)}</div>`);
  return { svg: `<div class="multiples">${cells.join('')}</div>` };
}

/** Per-layer weight histograms before / after trimming, one small chart per layer. */
export function renderWeightsCharts(view: ReportView): RawHtml {
  const m = trimmedMethod(view);
  return html`<section id="weights">
  <h2>Weights before and after trimming</h2>
  ${chartFigure(
    'weights',
    'Per-layer weight histograms',
    `grey: the float checkpoint trained without trimming (FP); colour: ${m?.label ?? 'the trimmed checkpoint'}. Counts on a log scale. Scale inflation is max|w| divided by the robust scale: the factor by which outliers stretch the quantization grid.`,
    safeChart(() => weightsBody(view)),
  )}
</section>`;
}
