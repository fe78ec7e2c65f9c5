import { axisStyle, chartFigure, MUTED, renderChart, safeChart } from '../charts.js';
import { html, type RawHtml } from '../escape.js';
import { isNum, pp } from '../format.js';
import { accuracyOf, dropOf, type ReportView } from '../reportData.js';

const WIDTH = 1040;
const xProfiles = (view: ReportView) => ({ type: 'category' as const, data: view.profiles.map((p) => p.id), ...axisStyle, axisLabel: { ...axisStyle.axisLabel, rotate: 28, interval: 0 } });

function accuracyChart(view: ReportView): { svg: string } | { note: string } {
  const series = view.methods.map((m) => ({ m, data: view.profiles.map((p) => accuracyOf(p.results.get(m.id))) }));
  const values = series.flatMap((s) => s.data).filter(isNum);
  if (values.length === 0) return { note: 'No profile produced an accuracy (the evaluation had no labels, or every profile failed).' };
  const floats = view.methods.map((m) => m.summary?.floatAccuracy ?? m.run?.floatAccuracy ?? m.model?.float?.accuracy).filter(isNum);
  const lo = Math.min(...values, ...floats) * 100;
  const hi = Math.max(...values, ...floats) * 100;
  const pad = Math.max(0.1, (hi - lo) * 0.08);
  const option = {
    color: view.methods.map((m) => m.color),
    legend: { top: 0, left: 'center', itemWidth: 12, itemHeight: 12, textStyle: { color: MUTED } },
    grid: { left: 56, right: 16, top: 36, bottom: 92 },
    xAxis: xProfiles(view),
    yAxis: { type: 'value' as const, name: 'accuracy (%)', nameLocation: 'middle' as const, nameGap: 42, min: Math.max(0, Math.floor((lo - pad) * 2) / 2), max: Math.min(100, Math.ceil((hi + pad) * 2) / 2), ...axisStyle, axisLabel: { ...axisStyle.axisLabel, formatter: (v: number) => v.toFixed(1) } },
    series: series.map(({ m, data }) => {
      const float = m.summary?.floatAccuracy ?? m.run?.floatAccuracy ?? m.model?.float?.accuracy;
      return {
        type: 'bar' as const,
        name: m.label,
        barGap: '12%',
        barCategoryGap: '28%',
        data: data.map((v) => (isNum(v) ? Number((v * 100).toFixed(3)) : null)),
        ...(isNum(float) ? { markLine: { silent: true, symbol: 'none', label: { show: false }, lineStyle: { color: m.color, type: 'dashed' as const, width: 1 }, data: [{ yAxis: Number((float * 100).toFixed(3)) }] } } : {}),
      };
    }),
  };
  return { svg: renderChart(option, WIDTH, 400) };
}

function dropHeatmap(view: ReportView): { svg: string } | { note: string } {
  const cells: [number, number, number][] = [];
  const missing: { value: [number, number, number]; label: { formatter: string } }[] = [];
  view.methods.forEach((m, y) =>
    view.profiles.forEach((p, x) => {
      const r = p.results.get(m.id);
      const d = dropOf(r);
      if (isNum(d)) cells.push([x, y, Number((d * 100).toFixed(3))]);
      else missing.push({ value: [x, y, 0], label: { formatter: r?.status === 'error' ? 'error' : '–' } });
    }),
  );
  if (cells.length === 0) return { note: 'No accuracy drops to show.' };
  const max = Math.max(0.1, ...cells.map((c) => c[2]));
  const min = Math.min(0, ...cells.map((c) => c[2]));
  const height = 90 + 44 * view.methods.length;
  const option = {
    grid: { left: 96, right: 16, top: 8, bottom: 82 },
    xAxis: { ...xProfiles(view), splitArea: { show: false } },
    yAxis: { type: 'category' as const, data: view.methods.map((m) => m.label), inverse: true, ...axisStyle, axisLabel: { ...axisStyle.axisLabel, fontSize: 12, fontWeight: 'bold' as const } },
    visualMap: [
      { seriesIndex: 0, show: false, min, max, inRange: { color: ['#f4f8fd', '#fde6c4', '#f6a35b', '#d9452b'] } },
      { seriesIndex: 1, show: false, min: 0, max: 1, inRange: { color: ['#eceef2', '#eceef2'] } },
    ],
    series: [
      { type: 'heatmap' as const, name: 'drop', data: cells, itemStyle: { borderColor: '#ffffff', borderWidth: 2 }, label: { show: true, fontSize: 11, formatter: (p: { value: unknown }) => (Array.isArray(p.value) ? pp(Number(p.value[2]) / 100) : '') } },
      { type: 'heatmap' as const, name: 'missing', data: missing, itemStyle: { borderColor: '#ffffff', borderWidth: 2 }, label: { show: true, fontSize: 11, color: MUTED } },
    ],
  };
  return { svg: renderChart(option, WIDTH, height) };
}

/** Accuracy per profile grouped by method, and the drop heatmap (same profile order). */
export function renderAccuracyCharts(view: ReportView): RawHtml {
  return html`<section id="accuracy">
  <h2>Accuracy by backend</h2>
  ${chartFigure('accuracy', 'Accuracy per profile', 'bars: accuracy of each checkpoint on each profile; dashed lines: its float accuracy. Missing bars: the profile failed for that method. The axis is zoomed to the range of the data.', safeChart(() => accuracyChart(view)))}
  ${chartFigure('drop-heatmap', 'Accuracy drop (pp)', 'float accuracy of the checkpoint minus its accuracy on the profile; darker is worse.', safeChart(() => dropHeatmap(view)))}
</section>`;
}
