import { axisStyle, chartFigure, INK, MUTED, renderChart, safeChart } from '../charts.js';
import { html, type RawHtml } from '../escape.js';
import { isNum } from '../format.js';
import type { ReportView } from '../reportData.js';

const WIDTH = 1040;
const legend = { top: 0, left: 'center', itemWidth: 18, itemHeight: 10, textStyle: { color: MUTED } };

function schedulesChart(view: ReportView): { svg: string } | { note: string } {
  const withSchedule = view.methods.map((m) => ({ m, s: (m.run?.schedule ?? []).filter((x) => isNum(x.step)) })).filter((x) => x.s.length > 0);
  if (withSchedule.length === 0) return { note: 'No λ or trimming schedule was recorded for this run.' };
  const series = withSchedule.flatMap(({ m, s }) => {
    const lambda = {
      type: 'line' as const,
      name: `λ · ${m.label}`,
      yAxisIndex: 0,
      showSymbol: false,
      lineStyle: { width: 2.2, color: m.color },
      itemStyle: { color: m.color },
      data: s.map((x) => [x.step, isNum(x.lambda) ? x.lambda : null]),
    };
    const trims = s.some((x) => isNum(x.trim) && x.trim > 0);
    const trim = {
      type: 'line' as const,
      name: `trimmed share · ${m.label}`,
      yAxisIndex: 1,
      showSymbol: false,
      lineStyle: { width: 2, type: 'dashed' as const, color: m.color },
      itemStyle: { color: m.color },
      areaStyle: { color: m.color, opacity: 0.07 },
      data: s.map((x) => [x.step, isNum(x.trim) ? Number((x.trim * 100).toFixed(4)) : null]),
    };
    return trims ? [lambda, trim] : [lambda];
  });
  const maxTrim = Math.max(0.5, ...withSchedule.flatMap(({ s }) => s.map((x) => (isNum(x.trim) ? x.trim * 100 : 0))));
  const option = {
    legend,
    grid: { left: 56, right: 64, top: 40, bottom: 44 },
    xAxis: {
      type: 'value' as const,
      name: 'optimizer step',
      nameLocation: 'middle' as const,
      nameGap: 28,
      min: 'dataMin' as const,
      max: 'dataMax' as const,
      ...axisStyle,
    },
    yAxis: [
      {
        type: 'value' as const,
        name: 'λ (fake-quant blend)',
        min: 0,
        max: 1,
        interval: 0.25,
        ...axisStyle,
        nameTextStyle: { ...axisStyle.nameTextStyle, align: 'left' as const },
      },
      {
        type: 'value' as const,
        name: 'trimmed weights (%)',
        min: 0,
        max: Number((maxTrim * 1.15).toPrecision(2)),
        ...axisStyle,
        splitLine: { show: false },
        nameTextStyle: { ...axisStyle.nameTextStyle, align: 'right' as const },
      },
    ],
    series,
  };
  return { svg: renderChart(option, WIDTH, 300) };
}

function trainingChart(view: ReportView): { svg: string } | { note: string } {
  const runs = view.methods.map((m) => ({ m, h: (m.run?.history ?? []).filter((e) => isNum(e.epoch)) })).filter((x) => x.h.length > 0);
  if (runs.length === 0) return { note: 'No training history was recorded for this run.' };
  const accs = runs.flatMap(({ h }) => h.map((e) => e.testAccuracy * 100)).filter(isNum);
  const accMin = accs.length > 0 ? Math.floor(Math.min(...accs) * 2) / 2 : 0;
  const epochAxis = (gridIndex: number) => ({
    type: 'value' as const,
    gridIndex,
    name: 'epoch',
    nameLocation: 'middle' as const,
    nameGap: 26,
    minInterval: 1,
    min: 'dataMin' as const,
    max: 'dataMax' as const,
    ...axisStyle,
  });
  const line = (m: (typeof runs)[number]['m'], axis: number, data: (number | null)[][]) => ({
    type: 'line' as const,
    name: m.label,
    xAxisIndex: axis,
    yAxisIndex: axis,
    symbol: 'circle',
    symbolSize: 6,
    lineStyle: { width: 2.2, color: m.color },
    itemStyle: { color: m.color },
    data,
  });
  const option = {
    legend,
    title: [
      { text: 'training loss', left: '3%', top: 26, textStyle: { fontSize: 12, fontWeight: 'normal' as const, color: INK } },
      { text: 'test accuracy (%, float weights)', left: '53%', top: 26, textStyle: { fontSize: 12, fontWeight: 'normal' as const, color: INK } },
    ],
    grid: [
      { left: 56, right: '52%', top: 56, bottom: 44 },
      { left: '55%', right: 16, top: 56, bottom: 44 },
    ],
    xAxis: [epochAxis(0), epochAxis(1)],
    yAxis: [
      { type: 'value' as const, gridIndex: 0, scale: true, ...axisStyle },
      { type: 'value' as const, gridIndex: 1, min: accMin, ...axisStyle, axisLabel: { ...axisStyle.axisLabel, formatter: (v: number) => v.toFixed(1) } },
    ],
    series: runs.flatMap(({ m, h }) => [
      line(
        m,
        0,
        h.map((e) => [e.epoch, isNum(e.loss) ? e.loss : null]),
      ),
      line(
        m,
        1,
        h.map((e) => [e.epoch, isNum(e.testAccuracy) ? Number((e.testAccuracy * 100).toFixed(3)) : null]),
      ),
    ]),
  };
  return { svg: renderChart(option, WIDTH, 300) };
}

/** λ / trimming schedules and the per-epoch training curves. */
export function renderTrainingCharts(view: ReportView): RawHtml {
  const noSchedule = view.methods.filter((m) => (m.run?.schedule ?? []).length === 0).map((m) => m.label);
  return html`<section id="training">
  <h2>Training</h2>
  ${chartFigure(
    'schedules',
    'λ and trimming schedules',
    `solid: λ, the fake-quantization blend (0 = float, 1 = fully quantized), left axis; dashed: share of weights trimmed by reverse pruning, right axis.${noSchedule.length > 0 ? ` No schedule for ${noSchedule.join(', ')} (trained in float).` : ''}`,
    safeChart(() => schedulesChart(view)),
  )}
  ${chartFigure(
    'training',
    'Training curves',
    'loss and float test accuracy at the end of each epoch, per method.',
    safeChart(() => trainingChart(view)),
  )}
</section>`;
}
