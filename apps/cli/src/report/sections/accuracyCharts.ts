import { axisStyle, chartFigure, MUTED, renderChart, safeChart } from '../charts.js';
import { html, type RawHtml } from '../escape.js';
import { isNum, pp } from '../format.js';
import { accuracyOf, dropOf, hasBounds, profileSummaryOf, seedCount, type ReportView } from '../reportData.js';
import type { Interval } from '../types.js';

const WIDTH = 1040;
const xProfiles = (view: ReportView) => ({
  type: 'category' as const,
  data: view.profiles.map((p) => p.id),
  ...axisStyle,
  axisLabel: { ...axisStyle.axisLabel, rotate: 28, interval: 0 },
});

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
    yAxis: {
      type: 'value' as const,
      name: 'accuracy (%)',
      nameLocation: 'middle' as const,
      nameGap: 42,
      min: Math.max(0, Math.floor((lo - pad) * 2) / 2),
      max: Math.min(100, Math.ceil((hi + pad) * 2) / 2),
      ...axisStyle,
      axisLabel: { ...axisStyle.axisLabel, formatter: (v: number) => v.toFixed(1) },
    },
    series: series.map(({ m, data }) => {
      const float = m.summary?.floatAccuracy ?? m.run?.floatAccuracy ?? m.model?.float?.accuracy;
      return {
        type: 'bar' as const,
        name: m.label,
        barGap: '12%',
        barCategoryGap: '28%',
        data: data.map((v) => (isNum(v) ? Number((v * 100).toFixed(3)) : null)),
        ...(isNum(float)
          ? {
              markLine: {
                silent: true,
                symbol: 'none',
                label: { show: false },
                lineStyle: { color: m.color, type: 'dashed' as const, width: 1 },
                data: [{ yAxis: Number((float * 100).toFixed(3)) }],
              },
            }
          : {}),
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
      const d = profileSummaryOf(m, p.id)?.drop.mean ?? dropOf(r);
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
    yAxis: {
      type: 'category' as const,
      data: view.methods.map((m) => m.label),
      inverse: true,
      ...axisStyle,
      axisLabel: { ...axisStyle.axisLabel, fontSize: 12, fontWeight: 'bold' as const },
    },
    visualMap: [
      { seriesIndex: 0, show: false, min, max, inRange: { color: ['#f4f8fd', '#fde6c4', '#f6a35b', '#d9452b'] } },
      { seriesIndex: 1, show: false, min: 0, max: 1, inRange: { color: ['#eceef2', '#eceef2'] } },
    ],
    series: [
      {
        type: 'heatmap' as const,
        name: 'drop',
        data: cells,
        itemStyle: { borderColor: '#ffffff', borderWidth: 2 },
        label: { show: true, fontSize: 11, formatter: (p: { value: unknown }) => (Array.isArray(p.value) ? pp(Number(p.value[2]) / 100) : '') },
      },
      {
        type: 'heatmap' as const,
        name: 'missing',
        data: missing,
        itemStyle: { borderColor: '#ffffff', borderWidth: 2 },
        label: { show: true, fontSize: 11, color: MUTED },
      },
    ],
  };
  return { svg: renderChart(option, WIDTH, height) };
}

const r3 = (v: number) => Number((v * 100).toFixed(3));
/** An interval as a boxplot item: the box spans [low, high], the line inside is the point estimate. */
const box = (i: Interval) => [r3(i.low), r3(i.low), r3(i.mean), r3(i.high), r3(i.high)];

/** Mean drop per profile and method with its 95 % interval (error bars drawn as thin boxes). */
function dropIntervalChart(view: ReportView): { svg: string } | { note: string } {
  const series = view.methods.map((m) => ({ m, data: view.profiles.map((p) => profileSummaryOf(m, p.id)?.drop) }));
  if (!series.some((s) => s.data.some(hasBounds)))
    return { note: 'No intervals in this report (written before multi-seed runs, or without per-image results).' };
  const option = {
    legend: { top: 0, left: 'center', itemWidth: 12, itemHeight: 12, textStyle: { color: MUTED }, data: view.methods.map((m) => m.label) },
    grid: { left: 56, right: 16, top: 36, bottom: 92 },
    xAxis: xProfiles(view),
    yAxis: {
      type: 'value' as const,
      name: 'drop (pp)',
      nameLocation: 'middle' as const,
      nameGap: 42,
      ...axisStyle,
      axisLabel: { ...axisStyle.axisLabel, formatter: (v: number) => v.toFixed(1) },
    },
    series: series.map(({ m, data }) => ({
      type: 'boxplot' as const,
      name: m.label,
      boxWidth: [4, 14],
      itemStyle: { color: m.color, borderColor: m.color, borderWidth: 1.5, opacity: 0.85 },
      data: data.map((i) => (hasBounds(i) ? box(i) : [])),
      markLine: {
        silent: true,
        symbol: 'none',
        label: { show: false },
        lineStyle: { color: '#9aa3b2', type: 'solid' as const, width: 1 },
        data: [{ yAxis: 0 }],
      },
    })),
  };
  return { svg: renderChart(option, WIDTH, 380) };
}

const STAT_LABEL: Readonly<Record<string, string>> = { meanDrop: 'mean drop', worstDrop: 'worst-case drop', spread: 'spread' };

/** Paired differences (Quant-Trim − other) per statistic with their intervals and the zero line: the verdicts as a picture. */
function differenceChart(view: ReportView): { svg: string } | { note: string } {
  const comparisons = Array.isArray(view.report.comparisons) ? view.report.comparisons.filter((c) => hasBounds(c.difference)) : [];
  if (comparisons.length === 0) return { note: 'No paired comparison in this report (one method, or a report written before multi-seed runs).' };
  const label = (id: string) => view.methods.find((m) => m.id === id)?.label ?? id;
  const colorOf = (c: (typeof comparisons)[number]) => (c.direction === 'lower' ? '#1f7a3a' : c.direction === 'higher' ? '#b3261e' : '#7c8798');
  const categories = comparisons.map((c) => `${label(c.method)} − ${label(c.against)} · ${STAT_LABEL[c.statistic] ?? c.statistic}`);
  const option = {
    grid: { left: 260, right: 24, top: 16, bottom: 40 },
    yAxis: { type: 'category' as const, data: categories, inverse: true, ...axisStyle, axisLabel: { ...axisStyle.axisLabel, fontSize: 11, interval: 0 } },
    xAxis: {
      type: 'value' as const,
      name: 'difference (pp), negative: Quant-Trim lower',
      nameLocation: 'middle' as const,
      nameGap: 26,
      ...axisStyle,
      axisLabel: { ...axisStyle.axisLabel, formatter: (v: number) => v.toFixed(1) },
    },
    series: [
      {
        type: 'boxplot' as const,
        layout: 'horizontal' as const,
        boxWidth: [6, 12],
        data: comparisons.map((c) => ({ value: box(c.difference), itemStyle: { color: colorOf(c), borderColor: colorOf(c), borderWidth: 1.5 } })),
        markLine: {
          silent: true,
          symbol: 'none',
          label: { show: false },
          lineStyle: { color: '#1f2733', type: 'dashed' as const, width: 1 },
          data: [{ xAxis: 0 }],
        },
      },
    ],
  };
  return { svg: renderChart(option, WIDTH, 60 + 26 * comparisons.length) };
}

/** Accuracy per profile grouped by method, and the drop heatmap (same profile order). */
export function renderAccuracyCharts(view: ReportView): RawHtml {
  if (view.kind === 'evaluation') {
    // One model, one evaluation: no bootstrap intervals and no methods to pair.
    return html`<section id="accuracy">
  <h2>Accuracy by backend</h2>
  ${chartFigure(
    'accuracy',
    'Accuracy per profile',
    'bars: accuracy of the model on each profile; dashed line: its float accuracy. Missing bars: the profile failed. The axis is zoomed to the range of the data.',
    safeChart(() => accuracyChart(view)),
  )}
  ${chartFigure(
    'drop-heatmap',
    'Accuracy drop (pp)',
    'float accuracy of the model minus its accuracy on the profile; darker is worse.',
    safeChart(() => dropHeatmap(view)),
  )}
  <p class="note">Intervals and paired differences between methods come from a comparison of several trained checkpoints (<code>quant-trim compare</code>): they do not apply to the evaluation of one model.</p>
</section>`;
  }
  return html`<section id="accuracy">
  <h2>Accuracy by backend</h2>
  ${chartFigure(
    'accuracy',
    'Accuracy per profile',
    'bars: accuracy of each checkpoint on each profile; dashed lines: its float accuracy. Missing bars: the profile failed for that method. The axis is zoomed to the range of the data.',
    safeChart(() => accuracyChart(view)),
  )}
  ${chartFigure(
    'drop-heatmap',
    'Accuracy drop (pp)',
    `float accuracy of the checkpoint minus its accuracy on the profile; darker is worse.${seedCount(view) > 1 ? ` Mean over ${seedCount(view)} seeds.` : ''}`,
    safeChart(() => dropHeatmap(view)),
  )}
  ${chartFigure(
    'drop-intervals',
    'Drop per profile with 95 % intervals (pp)',
    `each box spans the 95 % bootstrap interval of the mean drop over ${seedCount(view) === 1 ? 'test images (1 seed)' : `${seedCount(view)} seeds and the test images`}; the line inside is the measured mean.`,
    safeChart(() => dropIntervalChart(view)),
  )}
  ${chartFigure(
    'differences',
    'Paired differences (pp)',
    'Quant-Trim minus each other method, paired by seed and test image, with the 95 % interval; green: the interval lies below 0 (lower), red: above 0 (higher), grey: contains 0 (no difference measurable).',
    safeChart(() => differenceChart(view)),
  )}
</section>`;
}
