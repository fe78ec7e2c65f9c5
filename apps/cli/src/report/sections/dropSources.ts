import { html, type RawHtml } from '../escape.js';
import { isNum, pct, pp, sig, sqnr } from '../format.js';
import type { MethodView, ReportView } from '../reportData.js';
import type { DropSource, SeedMethodResult, SeedProfileResult } from '../types.js';

interface Row {
  readonly profile: string;
  readonly seed: number;
  readonly result: SeedProfileResult;
  readonly source: DropSource | undefined;
}

/** Per profile, the seed where the method lost the most on it (its drop source is the one worth explaining). */
function rowsOf(view: ReportView, method: MethodView): Row[] {
  const seeds = Array.isArray(view.report.seedResults) ? view.report.seedResults : [];
  return view.profiles.flatMap((p) => {
    const candidates = seeds.flatMap((s) => {
      const r = s.methods?.find((m: SeedMethodResult) => m.method === method.id)?.profiles?.find((x: SeedProfileResult) => x.profile === p.id);
      return r ? [{ seed: s.seed, result: r }] : [];
    });
    if (candidates.length === 0) return [];
    const worst = candidates.reduce((a, b) => ((b.result.drop ?? -Infinity) > (a.result.drop ?? -Infinity) ? b : a));
    return [{ profile: p.id, seed: worst.seed, result: worst.result, source: worst.result.dropSource }];
  });
}

const range = (lo: number | undefined, hi: number | undefined) => (isNum(lo) && isNum(hi) ? `[${sig(lo)}, ${sig(hi)}]` : '–');

function methodTable(view: ReportView, method: MethodView, multiSeed: boolean): RawHtml {
  const rows = rowsOf(view, method);
  if (rows.length === 0) return html`<p class="note">No per-profile results for ${method.label}.</p>`;
  return html`<div class="table-wrap"><table class="plain drop-sources" data-method="${method.id}">
    <caption><span class="dot" style="--accent:${method.color}"></span>${method.label}</caption>
    <thead><tr><th scope="col">Profile</th>${multiSeed ? html`<th scope="col" class="num">seed</th>` : ''}<th scope="col" class="num">drop pp</th><th scope="col">Layer</th><th scope="col">Tensor</th><th scope="col" class="num">observed → clip</th><th scope="col" class="num">range kept</th><th scope="col" class="num">SQNR dB</th></tr></thead>
    <tbody>${rows.map(({ profile, seed, result, source: s }) => {
      const kept = s?.keptShare;
      const keptCell = isNum(kept)
        ? html`<span class="keep-bar${kept < 0.5 ? ' low' : ''}" style="width:${Math.max(3, Math.round(kept * 40))}px"></span>${pct(kept, 1)} %`
        : '–';
      const status = result.status === 'ok' ? pp(result.drop) : html`<span class="mono" title="${result.error?.message ?? ''}">error</span>`;
      return html`<tr><td class="mono id">${profile}</td>${multiSeed ? html`<td class="num">${seed}</td>` : ''}<td class="num">${status}</td><td class="mono">${s ? html`${s.layer} <span class="dim">${s.opType}</span>` : '–'}</td><td class="mono">${s?.tensor ? html`${s.tensor}${s.role ? html` <span class="dim">${s.role}</span>` : ''}` : s ? html`<span class="dim">no static activation</span>` : '–'}</td><td class="num mono">${s?.tensor ? `${range(s.observedMin, s.observedMax)} → ${range(s.clipMin, s.clipMax)}` : '–'}</td><td class="num nowrap">${keptCell}</td><td class="num">${s ? sqnr(s.isolatedSqnrDb) : '–'}</td></tr>`;
    })}</tbody>
  </table></div>`;
}

/**
 * "Where the drops come from": per method and profile, the layer whose quantization alone hurts
 * the logits most (lowest isolated SQNR) and, of its activation tensors, the one whose chosen clip
 * keeps the least of the range seen during calibration. With several seeds, the seed with the
 * largest drop on that profile.
 */
export function renderDropSources(view: ReportView): RawHtml {
  const multiSeed = Array.isArray(view.report.seedResults) && view.report.seedResults.length > 1;
  const withRows = view.methods.filter((m) => rowsOf(view, m).length > 0);
  return html`<section id="drop-sources">
  <h2>Where the drops come from</h2>
  <p class="lede">Per profile, the quantized layer with the lowest <em>isolated SQNR</em> (only that layer quantized with the profile's numerics; lower is worse) and the activation tensor at its input or output whose calibration kept the least of its range: <em>observed</em> [min, max] over the calibration samples → the <em>clip</em> [lo, hi] the profile's calibrator chose (the grid's representable range, from scale and zero point), and the share of the observed range inside the clip. SQNR: the layer's isolated SQNR in dB. A small share kept means the calibrator clipped most of the observed range — as entropy (KL) calibration does to a long-tailed post-ReLU output.${multiSeed ? ' Each row shows the seed with the largest drop on that profile.' : ''}</p>
  ${withRows.length === 0 ? html`<p class="note">No per-layer sensitivity in this report (run the evaluation with sensitivity enabled).</p>` : withRows.map((m) => methodTable(view, m, multiSeed))}
</section>`;
}
