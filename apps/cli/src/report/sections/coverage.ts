import type { CoverageSummary } from '@quant-trim/backend-eval';
import { html, type RawHtml } from '../escape.js';
import { isNum, pct } from '../format.js';
import { focusMethod, isOk, type MethodView, type ReportView } from '../reportData.js';

function coverageOf(view: ReportView, profile: string, prefer: MethodView | undefined): { c: CoverageSummary; from: MethodView } | undefined {
  const order = prefer ? [prefer, ...view.methods.filter((m) => m !== prefer)] : view.methods;
  const p = view.profiles.find((x) => x.id === profile);
  for (const m of order) {
    const r = p?.results.get(m.id);
    if (isOk(r) && r.coverage) return { c: r.coverage, from: m };
  }
  return undefined;
}

function bar(share: number | undefined): RawHtml {
  if (!isNum(share)) return html`<span class="dim">–</span>`;
  const w = Math.max(0, Math.min(100, share * 100));
  return html`<span class="bar"><span style="width:${w.toFixed(1)}%"></span></span> ${pct(share, 1)} %`;
}

/** Integer nodes, nodes on the accelerator and their MAC shares per profile, and the nodes that fall back with the reason. */
export function renderCoverage(view: ReportView): RawHtml {
  const focus = focusMethod(view);
  const rows = view.profiles.map((p) => ({ p, cov: coverageOf(view, p.id, focus) }));
  if (!rows.some((r) => r.cov)) return html`<section id="coverage"><h2>Coverage</h2><p class="note">No coverage information in this report.</p></section>`;
  // One row per profile × (placement, reason): nodes that fall back for the same reason are listed together.
  const fallbacks: { profile: string; runsAs: string; reason: string; nodes: string[] }[] = [];
  for (const { p, cov } of rows) {
    for (const n of cov?.c.nodes ?? []) {
      if ((n.integer && n.onAccelerator) || n.transparent === true) continue; // shape / layout nodes compute nothing
      const runsAs = `${n.numerics}${n.onAccelerator ? '' : ' · host'}`;
      const reason = n.reason ?? '–';
      const group = fallbacks.find((f) => f.profile === p.id && f.runsAs === runsAs && f.reason === reason);
      if (group) group.nodes.push(n.node);
      else fallbacks.push({ profile: p.id, runsAs, reason, nodes: [n.node] });
    }
  }
  // What each profile's compile approximated or changed (e.g. a layer trained at 4-bit weights deployed at 8 where the backend takes 8 only).
  const notes = rows.flatMap(({ p, cov }) => {
    const r = cov ? p.results.get(cov.from.id) : undefined;
    return isOk(r) ? (r.approximations ?? []).map((note) => ({ profile: p.id, note })) : [];
  });
  return html`<section id="coverage">
  <h2>Coverage</h2>
  <p class="lede">How much of the graph each profile runs quantized, and how much of it runs on the accelerator${focus ? ` (${focus.label} checkpoint; the graph is the same for every method)` : ''}: a node can be quantized and still run on the host (after a single cut, TFLite's CPU kernels run the rest in int8), or run on the accelerator in float. Nodes out of all computing nodes, and the shares of multiply-accumulates.</p>
  <div class="stack">
  <div class="table-wrap"><table class="plain coverage">
    <thead><tr><th scope="col">Profile</th><th scope="col" class="num">quantized / total nodes</th><th scope="col" class="num">on accelerator / total</th><th scope="col">MAC share quantized</th><th scope="col">MAC share on accelerator</th><th scope="col" class="num">nodes falling back</th></tr></thead>
    <tbody>${rows.map(({ p, cov }) => {
      if (!cov) return html`<tr><td class="mono id">${p.id}</td><td class="num dim" colspan="5">no coverage (the profile failed for every method)</td></tr>`;
      const fb = cov.c.nodes.filter((n) => n.transparent !== true && (!n.integer || !n.onAccelerator)).length;
      const total = isNum(cov.c.total) ? cov.c.total : '–';
      // Reports written before placement was summarised: count it from the nodes.
      const onAccelerator = isNum(cov.c.onAccelerator) ? cov.c.onAccelerator : cov.c.nodes.filter((n) => n.transparent !== true && n.onAccelerator).length;
      return html`<tr><td class="mono id">${p.id}${cov.from !== focus ? html` <span class="dim">(${cov.from.label})</span>` : ''}</td><td class="num">${isNum(cov.c.integer) ? cov.c.integer : '–'} / ${total}</td><td class="num">${onAccelerator} / ${total}</td><td class="share">${bar(cov.c.macShare)}</td><td class="share">${bar(cov.c.acceleratorMacShare)}</td><td class="num">${fb || html`<span class="dim">none</span>`}</td></tr>`;
    })}</tbody>
  </table></div>
  <div class="table-wrap"><table class="plain fallbacks">
    <caption>Nodes not quantized or not on the accelerator</caption>
    <thead><tr><th scope="col">Profile</th><th scope="col">Nodes</th><th scope="col">Runs as</th><th scope="col">Reason</th></tr></thead>
    <tbody>${
      fallbacks.length > 0
        ? fallbacks.map(
            (f, i) =>
              html`<tr${i > 0 && fallbacks[i - 1]?.profile === f.profile ? html` class="cont"` : ''}><td class="mono id">${i > 0 && fallbacks[i - 1]?.profile === f.profile ? '' : f.profile}</td><td class="mono">${f.nodes.join(', ')}</td><td class="nowrap">${f.runsAs}</td><td class="reason">${f.reason}</td></tr>`,
          )
        : html`<tr><td colspan="4" class="dim">Every node runs quantized on the accelerator on every profile.</td></tr>`
    }</tbody>
  </table></div>
  ${
    notes.length > 0
      ? html`<div class="table-wrap"><table class="plain deployment-notes">
    <caption>Deployment notes: what each profile's compile approximates or changes (widths a profile forces, fallback numerics, emulation limits)</caption>
    <thead><tr><th scope="col">Profile</th><th scope="col">Note</th></tr></thead>
    <tbody>${notes.map((n, i) => html`<tr${i > 0 && notes[i - 1]?.profile === n.profile ? html` class="cont"` : ''}><td class="mono id">${i > 0 && notes[i - 1]?.profile === n.profile ? '' : n.profile}</td><td class="reason">${n.note}</td></tr>`)}</tbody>
  </table></div>`
      : ''
  }
  </div>
</section>`;
}
