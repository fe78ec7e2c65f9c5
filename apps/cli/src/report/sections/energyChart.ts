import { axisStyle, chartFigure, MUTED, renderChart, safeChart } from '../charts.js';
import { html, type RawHtml } from '../escape.js';
import { duration, isNum, pct, plain } from '../format.js';
import { accuracyOf, focusMethod, isOk, type ReportView } from '../reportData.js';

interface Point {
  readonly value: [number, number];
  readonly profile: string;
}

const CHART_WIDTH = 1040;
const CHART_HEIGHT = 420;
const GRID_TOP = 40;
const GRID_BOTTOM = 52;
/** Width kept right of the plot for the profile names. */
const LABEL_COLUMN = 170;
/** Vertical distance between two profile names, px. */
const LINE = 13;

/**
 * Vertical positions (px) for one label per point, in a column right of the plot: each as close to
 * its point's height as the labels above it allow, never closer than `LINE` to another; the column
 * is shifted up when it would run past the plot's bottom. Labels are stacked by height, points
 * further left slightly lower (their leader lines are longer), so the lines rarely cross.
 * `xShare[i]` is the point's horizontal position in [0, 1] across the plot.
 */
function labelSlots(values: readonly number[], xShare: readonly number[], min: number, max: number): number[] {
  const height = CHART_HEIGHT - GRID_TOP - GRID_BOTTOM;
  const yOf = (v: number) => GRID_TOP + ((max - v) / (max - min || 1)) * height;
  const key = (v: number, i: number) => yOf(v) + (1 - (xShare[i] ?? 1)) * LINE * values.length * 0.5;
  const order = values.map((v, i) => ({ i, y: yOf(v), k: key(v, i) })).sort((a, b) => a.k - b.k || a.i - b.i);
  const placed: number[] = [];
  for (const { y } of order) placed.push(Math.max(y, (placed.at(-1) ?? -Infinity) + LINE));
  const overflow = (placed.at(-1) ?? 0) - (CHART_HEIGHT - GRID_BOTTOM);
  const slots = new Array<number>(values.length);
  order.forEach(({ i }, k) => (slots[i] = overflow > 0 ? Math.max(GRID_TOP, placed[k]! - overflow) : placed[k]!));
  return slots;
}

function energyBody(view: ReportView): { svg: string } | { note: string } {
  const focus = focusMethod(view);
  const series = view.methods.map((m) => ({
    m,
    points: view.profiles.flatMap((p): Point[] => {
      const r = p.results.get(m.id);
      const e = isOk(r) ? r.estimate?.energyMicrojoules : undefined;
      const a = accuracyOf(r);
      return isNum(e) && e > 0 && isNum(a) ? [{ value: [e, Number((a * 100).toFixed(3))], profile: p.id }] : [];
    }),
  }));
  const all = series.flatMap((s) => s.points);
  if (all.length === 0) return { note: 'No energy estimates with accuracies to plot.' };
  const xs = all.map((p) => p.value[0]);
  const ys = all.map((p) => p.value[1]);
  const pad = Math.max(0.1, (Math.max(...ys) - Math.min(...ys)) * 0.08);
  const yMin = Math.floor((Math.min(...ys) - pad) * 2) / 2;
  const yMax = Math.min(100, Math.ceil((Math.max(...ys) + pad) * 2) / 2);
  const focusPoints = series.find((s) => s.m.id === focus?.id)?.points ?? [];
  const xMin = 10 ** Math.floor(Math.log10(Math.min(...xs)));
  const xMax = 10 ** Math.ceil(Math.log10(Math.max(...xs)));
  const xShare = focusPoints.map((p) => Math.log10(p.value[0] / xMin) / Math.log10(xMax / xMin || 10));
  const slots = labelSlots(
    focusPoints.map((p) => p.value[1]),
    xShare,
    yMin,
    yMax,
  );
  const option = {
    color: view.methods.map((m) => m.color),
    legend: { top: 0, left: 'center', textStyle: { color: MUTED } },
    grid: { left: 64, right: LABEL_COLUMN, top: GRID_TOP, bottom: GRID_BOTTOM },
    xAxis: {
      type: 'log' as const,
      name: 'estimated energy per inference (µJ, log scale) — estimate, not measured',
      nameLocation: 'middle' as const,
      nameGap: 30,
      min: xMin,
      max: xMax,
      ...axisStyle,
    },
    yAxis: {
      type: 'value' as const,
      name: 'accuracy on the profile (%)',
      nameLocation: 'middle' as const,
      nameGap: 42,
      min: yMin,
      max: yMax,
      ...axisStyle,
      axisLabel: { ...axisStyle.axisLabel, formatter: (v: number) => v.toFixed(1) },
    },
    series: series.map(({ m, points }) => ({
      type: 'scatter' as const,
      name: m.label,
      symbolSize: m.id === focus?.id ? 11 : 8,
      itemStyle: { color: m.color, opacity: 0.9, borderColor: '#fff', borderWidth: 1 },
      data: points.map((p) => ({ value: p.value, name: p.profile })),
      // The highlighted method's points are named in a column right of the plot, one line each, joined to their point.
      label: { show: m.id === focus?.id, position: 'right' as const, fontSize: 10, color: MUTED, formatter: (p: { name?: string }) => p.name ?? '' },
      labelLine: { show: m.id === focus?.id, lineStyle: { color: '#c3c9d4', width: 1 } },
      labelLayout: (p: { dataIndex?: number }) => ({
        x: CHART_WIDTH - LABEL_COLUMN + 12,
        y: slots[p.dataIndex ?? 0] ?? 0,
        align: 'left' as const,
        verticalAlign: 'middle' as const,
      }),
    })),
  };
  return { svg: renderChart(option, CHART_WIDTH, CHART_HEIGHT) };
}

/** Estimated energy per inference vs accuracy, one series per method (labelled as estimates). */
export function renderEnergy(view: ReportView): RawHtml {
  const focus = focusMethod(view);
  const devices = view.profiles.map((p) => {
    const r = focus ? p.results.get(focus.id) : undefined;
    const e = isOk(r) ? r.estimate : undefined;
    return { p, e, a: accuracyOf(r) };
  });
  const anyEstimate = devices.some((d) => d.e);
  return html`<section id="energy">
  <h2>Energy vs accuracy <span class="badge">estimate</span></h2>
  ${chartFigure(
    'energy',
    'Estimated energy per inference vs accuracy',
    'energy comes from an analytical cost model (MACs by precision × energy per operation, bytes moved × energy per byte, datasheet figures) and is an estimate, not a measurement. Latency prices each node where it runs: on the accelerator, or on its host after a fallback, plus the bytes crossing between them and a per-invocation overhead. Each point is one profile on its target device; labels name the profiles of the highlighted method.',
    safeChart(() => energyBody(view)),
  )}
  ${
    anyEstimate && focus
      ? html`<details class="more" open><summary>Estimated figures per device (${focus.label})</summary><div class="table-wrap"><table class="plain">
  <thead><tr><th scope="col">Profile</th><th scope="col">Device</th><th scope="col" class="num">energy µJ</th><th scope="col" class="num">latency</th><th scope="col" class="num">of which host</th><th scope="col" class="num">link + overhead</th><th scope="col" class="num">MACs on host %</th><th scope="col" class="num">USD / 1M inf.</th><th scope="col" class="num">accuracy %</th></tr></thead>
  <tbody>${devices.map(({ p, e, a }) => {
    const placed = e?.placement;
    const macs = placed ? placed.acceleratorMacs + placed.fallbackMacs : undefined;
    return html`<tr><td class="mono id">${p.id}</td><td>${e?.device ?? '–'}${placed?.host ? html`<br><span class="dim">host: ${placed.host}</span>` : ''}</td><td class="num">${plain(e?.energyMicrojoules)}</td><td class="num">${duration(e?.latencyMs)}</td><td class="num">${duration(placed?.hostMs)}</td><td class="num">${placed ? duration(placed.transferMs + placed.overheadMs) : '–'}</td><td class="num">${placed && macs ? pct(placed.fallbackMacs / macs) : '–'}</td><td class="num">${plain(e?.costUsdPerMillion)}</td><td class="num">${pct(a)}</td></tr>`;
  })}</tbody>
</table></div></details>`
      : ''
  }
</section>`;
}
