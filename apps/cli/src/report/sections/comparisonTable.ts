import { html, type RawHtml } from '../escape.js';
import { DASH, isNum, pct, pp } from '../format.js';
import { accuracyOf, acrossProfilesOf, dropOf, type AcrossProfiles, type ReportView } from '../reportData.js';

/** Index of the largest / smallest defined value (first wins on ties). */
function extremes(values: readonly (number | undefined)[]): { max: number; min: number } {
  let max = -1;
  let min = -1;
  values.forEach((v, i) => {
    if (!isNum(v)) return;
    if (max < 0 || v > values[max]!) max = i;
    if (min < 0 || v < values[min]!) min = i;
  });
  return { max, min };
}

/** METHOD.md §6: profiles × (accuracy, drop) per method, then mean / worst-case / spread per method. */
export function renderComparisonTable(view: ReportView): RawHtml {
  const { methods, profiles } = view;
  if (methods.length === 0 || profiles.length === 0) {
    return html`<section id="comparison"><h2>Accuracy across backend profiles</h2><p class="note">This report has no evaluated profiles.</p></section>`;
  }
  const errors: { profile: string; method: string; code: string; message: string }[] = [];
  const worstRow = methods.map((m) => extremes(profiles.map((p) => dropOf(p.results.get(m.id)))).max);
  const rows = profiles.map((p, pi) => {
    const cells = methods.map((m, mi) => {
      const r = p.results.get(m.id);
      if (!r) return html`<td class="num na" colspan="2">not evaluated</td>`;
      if (r.status !== 'ok') {
        errors.push({ profile: p.id, method: m.label, code: r.error?.code ?? 'error', message: r.error?.message ?? '' });
        return html`<td class="num err" colspan="2" title="${r.error?.message ?? ''}">error <sup>${errors.length}</sup></td>`;
      }
      const worst = worstRow[mi] === pi;
      return html`<td class="num">${pct(accuracyOf(r))}</td><td class="num drop${worst ? ' worst' : ''}">${pp(dropOf(r))}</td>`;
    });
    return html`<tr><th scope="row"><span class="pname">${p.name}</span><span class="pid">${p.id}${p.vendor ? ` · ${p.vendor}` : ''}</span></th>${cells}</tr>`;
  });

  const stats = methods.map((m) => acrossProfilesOf(view, m));
  const summaryRow = (label: string, pick: (s: AcrossProfiles) => number | undefined, unit: string, extra?: (s: AcrossProfiles) => string | undefined, highlight = true) => {
    const values = stats.map(pick);
    const { max, min } = extremes(values);
    const cells = stats.map((s, i) => {
      const cls = highlight && values.filter(isNum).length > 1 ? (i === max ? ' worst' : i === min ? ' best' : '') : '';
      const note = extra?.(s);
      return html`<td class="num sum${cls}" colspan="2">${isNum(values[i]) ? html`${pp(values[i])}<span class="unit">${unit}</span>` : DASH}${note ? html`<span class="at">${note}</span>` : ''}</td>`;
    });
    return html`<tr class="summary"><th scope="row">${label}</th>${cells}</tr>`;
  };

  return html`<section id="comparison">
  <h2>Accuracy across backend profiles</h2>
  <p class="lede">Each checkpoint is compiled the way each backend's post-training quantizer would compile it and run with the profile's numerics. <em>Drop</em> is the float accuracy of the same checkpoint minus its accuracy on the profile, in percentage points; the largest drop of each method is highlighted.</p>
  <div class="table-wrap"><table class="compare">
    <thead>
      <tr><th rowspan="2" scope="col">Profile</th>${methods.map((m) => html`<th colspan="2" scope="colgroup" class="method" style="--accent:${m.color}">${m.label}</th>`)}</tr>
      <tr>${methods.map(() => html`<th scope="col" class="num">acc. %</th><th scope="col" class="num">drop pp</th>`)}</tr>
    </thead>
    <tbody>${rows}</tbody>
    <tbody class="summaries">
      ${summaryRow('Float accuracy (%)', (s) => s.floatAccuracy, '', undefined, false)}
      ${summaryRow('Mean drop', (s) => s.meanDrop, ' pp')}
      ${summaryRow('Worst-case drop', (s) => s.worstDrop, ' pp', (s) => s.worstProfile)}
      ${summaryRow('Spread (max − min)', (s) => s.spread, ' pp')}
    </tbody>
  </table></div>
  ${errors.length > 0 ? html`<ol class="footnotes">${errors.map((e) => html`<li><strong>${e.method}</strong> on <span class="mono">${e.profile}</span>: <span class="mono">${e.code}</span>${e.message ? ` — ${e.message}` : ''}</li>`)}</ol>` : ''}
</section>`;
}
