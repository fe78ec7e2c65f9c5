import { html, type RawHtml } from '../escape.js';
import { DASH, int, isNum, pct, pp } from '../format.js';
import { accuracyOf, acrossProfilesOf, dropOf, hasBounds, profileSummaryOf, seedCount, type AcrossProfiles, type ReportView } from '../reportData.js';
import type { Interval, StatisticName } from '../types.js';

/** `[2.10, 11.71]` under a value, when the interval is known. */
function ci(i: Interval | undefined): RawHtml | string {
  return hasBounds(i) ? html`<span class="ci">[${pp(i.low)}, ${pp(i.high)}]</span>` : '';
}

/** A drop worth a red cell: at least 1 pp (the INT8 bar the method is held to). */
const MATERIAL_DROP = 0.01;

/** Whether a drop is material: ≥ `MATERIAL_DROP`, and when its interval is known, the interval excludes 0. */
function costly(drop: number | undefined, interval?: Interval): boolean {
  if (!isNum(drop) || drop < MATERIAL_DROP) return false;
  return !hasBounds(interval) || interval.low > 0;
}

/**
 * How the paired comparisons judge `method` on `statistic`: `lower` when some comparison finds it
 * lower than another method (interval below 0) and none higher, `higher` the reverse, else
 * undefined (no comparison, inconclusive, or contradictory).
 */
function judgement(view: ReportView, method: string, statistic: StatisticName): 'lower' | 'higher' | undefined {
  const list = Array.isArray(view.report.comparisons) ? view.report.comparisons : [];
  let lower = 0;
  let higher = 0;
  for (const c of list) {
    if (c.statistic !== statistic || c.direction === 'inconclusive') continue;
    const sign = c.method === method ? 1 : c.against === method ? -1 : 0;
    if (sign === 0) continue;
    if ((c.direction === 'lower') === sign > 0) lower++;
    else higher++;
  }
  return lower > 0 && higher === 0 ? 'lower' : higher > 0 && lower === 0 ? 'higher' : undefined;
}

const STAT_LABEL: Readonly<Record<string, string>> = { meanDrop: 'mean drop', worstDrop: 'worst-case drop', spread: 'spread' };

/** The paired differences behind the verdicts: difference, interval, size in test images, verdict. */
function comparisonsTable(view: ReportView, seeds: number): RawHtml | string {
  const list = Array.isArray(view.report.comparisons) ? view.report.comparisons : [];
  if (list.length === 0) return '';
  const images = view.report.dataset?.testSamples;
  const label = (id: string) => view.methods.find((m) => m.id === id)?.label ?? id;
  return html`<div class="table-wrap"><table class="plain comparisons">
    <caption>Paired differences (${seeds === 1 ? 'bootstrap over test images, 1 seed' : `bootstrap over ${seeds} seeds and test images`}): a verdict only when the 95 % interval excludes 0</caption>
    <thead><tr><th scope="col">Comparison</th><th scope="col">Statistic</th><th scope="col" class="num">difference pp [95 % interval]</th><th scope="col" class="num">≈ test images</th><th scope="col">Verdict</th></tr></thead>
    <tbody>${list.map((c) => html`<tr><td class="nowrap">${label(c.method)} − ${label(c.against)}</td><td>${STAT_LABEL[c.statistic] ?? c.statistic}</td><td class="num nowrap">${pp(c.difference?.mean)} [${pp(c.difference?.low)}, ${pp(c.difference?.high)}]</td><td class="num">${isNum(images) && isNum(c.difference?.mean) ? int(Math.round(Math.abs(c.difference.mean) * images)) : DASH}</td><td class="verdict-${c.direction}">${c.verdict}</td></tr>`)}</tbody>
  </table></div>`;
}

/** What the brackets mean, and how large one test image is. */
function intervalNote(view: ReportView, seeds: number): RawHtml | string {
  const b = view.report.bootstrap;
  const images = view.report.dataset?.testSamples;
  const perImage = isNum(images) && images > 0 ? html` One test image is ${pp(1 / images, 3)} pp of accuracy (${int(images)} test images).` : '';
  if (!b || !isNum(b.resamples) || b.resamples === 0) return seeds > 1 ? html` Values are means over ${seeds} seeds.${perImage}` : perImage;
  return html` Values are means over ${seeds === 1 ? '1 seed' : `${seeds} seeds`}; brackets: 95 % bootstrap percentile interval (${int(b.resamples)} resamples of ${seeds === 1 ? 'the test images' : 'seeds and test images'}).${perImage}`;
}

/** The comparison of docs/method.md#evaluation-protocol: profiles × (accuracy, drop) per method, then mean / worst-case / spread per method. */
export function renderComparisonTable(view: ReportView): RawHtml {
  const { methods, profiles } = view;
  if (methods.length === 0 || profiles.length === 0) {
    return html`<section id="comparison"><h2>Accuracy across backend profiles</h2><p class="note">This report has no evaluated profiles.</p></section>`;
  }
  const errors: { profile: string; method: string; code: string; message: string }[] = [];
  const seeds = seedCount(view);
  const rows = profiles.map((p) => {
    const cells = methods.map((m) => {
      const r = p.results.get(m.id);
      if (!r) return html`<td class="num na" colspan="2">not evaluated</td>`;
      if (r.status !== 'ok') {
        errors.push({ profile: p.id, method: m.label, code: r.error?.code ?? 'error', message: r.error?.message ?? '' });
        return html`<td class="num err" colspan="2" title="${r.error?.message ?? ''}">error <sup>${errors.length}</sup></td>`;
      }
      const summary = profileSummaryOf(m, p.id);
      if (summary)
        return html`<td class="num">${pct(summary.accuracy)}</td><td class="num drop${costly(summary.drop.mean, summary.drop) ? ' worst' : ''}">${pp(summary.drop.mean)}${ci(summary.drop)}</td>`;
      return html`<td class="num">${pct(accuracyOf(r))}</td><td class="num drop${costly(dropOf(r)) ? ' worst' : ''}">${pp(dropOf(r))}</td>`;
    });
    return html`<tr><th scope="row"><span class="pname">${p.name}</span><span class="pid">${p.id}${p.vendor ? ` · ${p.vendor}` : ''}</span></th>${cells}</tr>`;
  });

  const stats = methods.map((m) => acrossProfilesOf(view, m));
  const summaryRow = (
    label: string,
    pick: (s: AcrossProfiles) => number | undefined,
    unit: string,
    extra?: (s: AcrossProfiles) => string | undefined,
    statistic?: StatisticName,
    interval?: (s: AcrossProfiles) => Interval | undefined,
  ) => {
    const values = stats.map(pick);
    const cells = stats.map((s, i) => {
      const judged = statistic === undefined ? undefined : judgement(view, methods[i]!.id, statistic);
      const cls = judged === 'lower' ? ' best' : judged === 'higher' ? ' worst' : '';
      const note = extra?.(s);
      return html`<td class="num sum${cls}" colspan="2">${isNum(values[i]) ? html`${pp(values[i])}<span class="unit">${unit}</span>` : DASH}${ci(interval?.(s))}${note ? html`<span class="at">${note}</span>` : ''}</td>`;
    });
    return html`<tr class="summary"><th scope="row">${label}</th>${cells}</tr>`;
  };

  return html`<section id="comparison">
  <h2>Accuracy across backend profiles</h2>
  ${
    view.kind === 'evaluation'
      ? html`<p class="lede">The model is compiled the way each backend's post-training quantizer would compile it and run with the profile's numerics. <em>Drop</em> is the float model's accuracy minus its accuracy on the profile, in percentage points; a drop is red when it costs at least ${pp(MATERIAL_DROP, 0)} pp.${intervalNote(view, seeds)}</p>`
      : html`<p class="lede">Each checkpoint is compiled the way each backend's post-training quantizer would compile it and run with the profile's numerics. <em>Drop</em> is the float accuracy of the same checkpoint minus its accuracy on the profile, in percentage points. Colours judge, they do not rank: a drop is red when it costs at least ${pp(MATERIAL_DROP, 0)} pp (and, where intervals are known, its interval excludes 0); in the summary rows, green means lower than another method and red higher, each only where the paired 95 % interval excludes 0 (no colour: no difference measurable).${intervalNote(view, seeds)}</p>`
  }
  <div class="table-wrap"><table class="compare">
    <thead>
      <tr><th rowspan="2" scope="col">Profile</th>${methods.map((m) => html`<th colspan="2" scope="colgroup" class="method" style="--accent:${m.color}">${m.label}</th>`)}</tr>
      <tr>${methods.map(() => html`<th scope="col" class="num">acc. %</th><th scope="col" class="num">drop pp</th>`)}</tr>
    </thead>
    <tbody>${rows}</tbody>
    <tbody class="summaries">
      ${summaryRow('Float accuracy (%)', (s) => s.floatAccuracy, '')}
      ${summaryRow(
        'Mean drop',
        (s) => s.meanDrop,
        ' pp',
        undefined,
        'meanDrop',
        (s) => s.intervals?.meanDrop,
      )}
      ${summaryRow(
        'Worst-case drop',
        (s) => s.worstDrop,
        ' pp',
        (s) => s.worstProfile,
        'worstDrop',
        (s) => s.intervals?.worstDrop,
      )}
      ${summaryRow(
        'Spread (max − min)',
        (s) => s.spread,
        ' pp',
        undefined,
        'spread',
        (s) => s.intervals?.spread,
      )}
    </tbody>
  </table></div>
  ${comparisonsTable(view, seeds)}
  ${errors.length > 0 ? html`<ol class="footnotes">${errors.map((e) => html`<li><strong>${e.method}</strong> on <span class="mono">${e.profile}</span>: <span class="mono">${e.code}</span>${e.message ? ` — ${e.message}` : ''}</li>`)}</ol>` : ''}
</section>`;
}
