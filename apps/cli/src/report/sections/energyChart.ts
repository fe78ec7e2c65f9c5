import { axisStyle, chartFigure, MUTED, renderChart, safeChart } from '../charts.js';
import { html, type RawHtml } from '../escape.js';
import { isNum, pct, sig } from '../format.js';
import { accuracyOf, focusMethod, isOk, type ReportView } from '../reportData.js';

interface Point {
  readonly value: [number, number];
  readonly profile: string;
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
  const option = {
    color: view.methods.map((m) => m.color),
    legend: { top: 0, left: 'center', textStyle: { color: MUTED } },
    grid: { left: 64, right: 40, top: 40, bottom: 52 },
    xAxis: { type: 'log' as const, name: 'estimated energy per inference (µJ, log scale) — estimate, not measured', nameLocation: 'middle' as const, nameGap: 30, min: 10 ** Math.floor(Math.log10(Math.min(...xs))), max: 10 ** Math.ceil(Math.log10(Math.max(...xs))), ...axisStyle },
    yAxis: { type: 'value' as const, name: 'accuracy on the profile (%)', nameLocation: 'middle' as const, nameGap: 42, min: Math.floor((Math.min(...ys) - pad) * 2) / 2, max: Math.min(100, Math.ceil((Math.max(...ys) + pad) * 2) / 2), ...axisStyle, axisLabel: { ...axisStyle.axisLabel, formatter: (v: number) => v.toFixed(1) } },
    series: series.map(({ m, points }) => ({
      type: 'scatter' as const,
      name: m.label,
      symbolSize: m.id === focus?.id ? 11 : 8,
      itemStyle: { color: m.color, opacity: 0.9, borderColor: '#fff', borderWidth: 1 },
      data: points.map((p) => ({ value: p.value, name: p.profile })),
      label: { show: m.id === focus?.id, position: 'right' as const, fontSize: 10, color: MUTED, formatter: (p: { name?: string }) => p.name ?? '' },
      labelLayout: { hideOverlap: true },
    })),
  };
  return { svg: renderChart(option, 1040, 420) };
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
  ${chartFigure('energy', 'Estimated energy per inference vs accuracy', 'energy comes from an analytical cost model (MACs by precision × energy per operation, bytes moved × energy per byte, datasheet figures) and is an estimate, not a measurement. Latency prices each node where it runs: on the accelerator, or on its host after a fallback, plus the bytes crossing between them and a per-invocation overhead. Each point is one profile on its target device; labels name the profiles of the highlighted method.', safeChart(() => energyBody(view)))}
  ${
    anyEstimate && focus
      ? html`<details class="more" open><summary>Estimated figures per device (${focus.label})</summary><div class="table-wrap"><table class="plain">
  <thead><tr><th scope="col">Profile</th><th scope="col">Device</th><th scope="col" class="num">energy µJ</th><th scope="col" class="num">latency ms</th><th scope="col" class="num">of which host ms</th><th scope="col" class="num">link + overhead ms</th><th scope="col" class="num">MACs on host %</th><th scope="col" class="num">USD / 1M inf.</th><th scope="col" class="num">accuracy %</th></tr></thead>
  <tbody>${devices.map(({ p, e, a }) => {
    const placed = e?.placement;
    const macs = placed ? placed.acceleratorMacs + placed.fallbackMacs : undefined;
    return html`<tr><td class="mono id">${p.id}</td><td>${e?.device ?? '–'}${placed?.host ? html`<br><span class="dim">host: ${placed.host}</span>` : ''}</td><td class="num">${sig(e?.energyMicrojoules)}</td><td class="num">${sig(e?.latencyMs)}</td><td class="num">${sig(placed?.hostMs)}</td><td class="num">${placed ? sig(placed.transferMs + placed.overheadMs) : '–'}</td><td class="num">${placed && macs ? pct(placed.fallbackMacs / macs) : '–'}</td><td class="num">${sig(e?.costUsdPerMillion)}</td><td class="num">${pct(a)}</td></tr>`;
  })}</tbody>
</table></div></details>`
      : ''
  }
</section>`;
}
