import { axisStyle, chartFigure, renderChart, safeChart } from '../charts.js';
import { html, type RawHtml } from '../escape.js';
import { isNum } from '../format.js';
import type { ReportView } from '../reportData.js';

/** The last epoch's calibrator disagreement of each method (its first seed's run), per activation tensor. */
function disagreementBody(view: ReportView): { svg: string } | { note: string } {
  const methods = view.methods
    .map((m) => ({ m, d: m.run?.history.at(-1)?.calibratorDisagreement }))
    .filter((x): x is { m: (typeof view.methods)[number]; d: NonNullable<typeof x.d> } => x.d !== undefined && x.d.length > 0);
  if (methods.length === 0) return { note: 'No calibrator disagreement was logged in this run (reports written before it existed, or no activation tensors).' };
  const tensors: string[] = [];
  for (const { d } of methods) for (const t of d) if (!tensors.includes(t.layer)) tensors.push(t.layer);
  const option = {
    grid: { left: 56, right: 16, top: 36, bottom: 90 },
    legend: { top: 0, data: methods.map(({ m }) => m.label) },
    xAxis: { type: 'category' as const, data: tensors, ...axisStyle, axisLabel: { ...axisStyle.axisLabel, rotate: 30, interval: 0 } },
    yAxis: { type: 'value' as const, min: 1, name: 'widest / narrowest', ...axisStyle },
    series: methods.map(({ m, d }) => ({
      type: 'bar' as const,
      name: m.label,
      itemStyle: { color: m.color },
      data: tensors.map((t) => {
        const r = d.find((e) => e.layer === t)?.ratio;
        return isNum(r) ? Number(r.toFixed(2)) : null;
      }),
      label: { show: true, position: 'top' as const, fontSize: 10, formatter: '{c}×' },
    })),
  };
  return { svg: renderChart(option, 1040, 360) };
}

/**
 * How far calibrators disagree about each activation tensor: for every method, the ratio of the
 * widest to the narrowest range that min/max, mean min/max, percentile, entropy, MSE, SQNR and
 * power-of-two calibration choose on a fixed training batch after the last epoch. 1× means every
 * backend's calibrator keeps the same range; activation tail trimming and calibrator randomisation
 * aim to bring it down.
 */
export function renderDisagreement(view: ReportView): RawHtml {
  return html`<section id="disagreement">
  <h2>Calibrator disagreement per activation tensor</h2>
  ${chartFigure(
    'disagreement',
    'Widest / narrowest calibrated range (last epoch, first seed)',
    'For each activation tensor the deployed float model feeds a backend: the widest range the calibration methods (min/max, mean min/max, percentile, entropy, MSE, SQNR, power-of-two) choose divided by the narrowest, on a fixed batch of 256 training images. 1× = every calibrator keeps the same range; large ratios are tensors on which backends clip differently.',
    safeChart(() => disagreementBody(view)),
  )}
</section>`;
}
