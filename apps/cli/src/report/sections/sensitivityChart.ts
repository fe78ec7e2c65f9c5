import { axisStyle, chartFigure, MUTED, renderChart, safeChart } from '../charts.js';
import { html, type RawHtml } from '../escape.js';
import { isNum, sqnr } from '../format.js';
import { focusMethod, isOk, type ReportView } from '../reportData.js';

type Cell = { value: [number, number, number]; label: { formatter: string } };

function sensitivityBody(view: ReportView): { svg: string } | { note: string } {
  const m = focusMethod(view);
  if (!m) return { note: 'No evaluated model to show sensitivity for.' };
  const rows = view.profiles.map((p) => ({ p, s: p.results.get(m.id) })).map(({ p, s }) => ({ p, s: isOk(s) ? s.sensitivity : undefined, r: s }));
  if (!rows.some((r) => (r.s?.layers ?? []).length > 0))
    return { note: `No per-layer sensitivity was measured for ${m.label} (run the evaluation with sensitivity enabled).` };
  const layers: string[] = [];
  for (const { s } of rows) for (const l of s?.layers ?? []) if (!layers.includes(l.node)) layers.push(l.node);
  const finite = rows.flatMap(({ s }) => (s?.layers ?? []).map((l) => l.isolatedSqnrDb)).filter((v) => isNum(v) && v > -999 && v < 999);
  const lo = Math.min(0, ...finite);
  const hi = Math.max(40, ...finite);
  const cells: Cell[] = [];
  const missing: Cell[] = [];
  rows.forEach(({ s, r }, y) =>
    layers.forEach((node, x) => {
      const l = s?.layers.find((e) => e.node === node);
      const v = l?.isolatedSqnrDb;
      if (isNum(v) && v > -999) cells.push({ value: [x, y, Math.min(v, hi)], label: { formatter: sqnr(v) } });
      else missing.push({ value: [x, y, 0], label: { formatter: !s ? (r?.status === 'error' ? 'error' : 'not run') : l ? 'n/m' : '–' } });
    }),
  );
  const option = {
    grid: { left: 150, right: 16, top: 30, bottom: 10 },
    xAxis: {
      type: 'category' as const,
      position: 'top' as const,
      data: layers,
      ...axisStyle,
      axisLabel: { ...axisStyle.axisLabel, fontSize: 12, interval: 0 },
    },
    yAxis: { type: 'category' as const, inverse: true, data: rows.map(({ p }) => p.id), ...axisStyle, axisLabel: { ...axisStyle.axisLabel, interval: 0 } },
    visualMap: [
      { seriesIndex: 0, show: false, min: lo, max: hi, inRange: { color: ['#c8402a', '#f3a65f', '#fbefd5', '#d6e6f7', '#5b8fd6'] } },
      { seriesIndex: 1, show: false, min: 0, max: 1, inRange: { color: ['#eceef2', '#eceef2'] } },
    ],
    series: [
      { type: 'heatmap' as const, data: cells, itemStyle: { borderColor: '#fff', borderWidth: 2 }, label: { show: true, fontSize: 11 } },
      { type: 'heatmap' as const, data: missing, itemStyle: { borderColor: '#fff', borderWidth: 2 }, label: { show: true, fontSize: 11, color: MUTED } },
    ],
  };
  return { svg: renderChart(option, 1040, 48 + rows.length * 28) };
}

/** Isolated per-layer SQNR of the Quant-Trim model on every profile. */
export function renderSensitivity(view: ReportView): RawHtml {
  const m = focusMethod(view);
  const threshold = view.profiles.map((p) => (m ? p.results.get(m.id)?.sensitivity?.thresholdDb : undefined)).find(isNum);
  return html`<section id="sensitivity">
  <h2>Per-layer sensitivity${m ? ` · ${m.label}` : ''}</h2>
  ${chartFigure(
    'sensitivity',
    'Isolated SQNR per layer (dB)',
    `SQNR of the logits when only that layer is quantized with the profile's numerics; higher is better, red cells are the layers to keep in float${isNum(threshold) ? ` (below ${threshold} dB)` : ''}. ∞: identical to float; n/m: not measurable.`,
    safeChart(() => sensitivityBody(view)),
  )}
</section>`;
}
