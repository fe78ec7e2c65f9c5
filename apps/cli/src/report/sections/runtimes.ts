import type { RuntimeDisagreement, RuntimeResult } from '@quant-trim/backend-eval';
import { html, type RawHtml } from '../escape.js';
import { duration, isNum, pct, plain } from '../format.js';
import { isOk, type MethodView, type ReportView } from '../reportData.js';

interface RuntimeRow {
  readonly m: MethodView;
  readonly target: string;
  readonly r: RuntimeResult;
}

function latencyAt(r: RuntimeResult, batch: number) {
  return (r.latency ?? []).find((l) => l.batch === batch);
}

/** Real ONNX Runtime rows (node / web): agreement with emulation, p50 / p90 at batch 1 and 32, and runtime disagreement. */
export function renderRuntimes(view: ReportView): RawHtml {
  const rows: RuntimeRow[] = [];
  const dis: { m: MethodView; target: string; d: RuntimeDisagreement }[] = [];
  for (const m of view.methods) {
    for (const r of m.model?.float?.runtimes ?? []) rows.push({ m, target: 'float model', r });
    for (const p of view.profiles) {
      const res = p.results.get(m.id);
      if (!isOk(res)) continue;
      for (const r of res.runtimes ?? []) rows.push({ m, target: p.id, r });
      for (const d of res.disagreement ?? []) dis.push({ m, target: p.id, d });
    }
  }
  const batches = [1, 32];
  const envVersions: Partial<Record<string, string>> = view.report.evaluation?.environment?.runtimes ?? {};
  return html`<section id="runtimes">
  <h2>Real runtimes</h2>
  <p class="lede">Measured on this machine with ONNX Runtime (not on the target devices). <em>emulate</em> runs the profile's exact numerics in float; <em>native</em> lets ONNX Runtime fuse quantized groups into integer kernels. Latency is the time per call of one batch. Accuracy here is over the samples each row ran (its own count, fewer than the main table's test set). Runtime versions are listed under Provenance.</p>
  ${
    rows.length === 0
      ? html`<p class="note">No real-runtime measurements in this report (runtimes or latency measurement were off).</p>`
      : html`<div class="table-wrap"><table class="plain runtimes">
    <thead>
      <tr><th scope="col" rowspan="2">Method</th><th scope="col" rowspan="2">Model</th><th scope="col" rowspan="2">Runtime</th><th scope="col" rowspan="2">Mode</th><th scope="col" rowspan="2" class="num">threads</th><th scope="col" rowspan="2" class="num">agreement w/<br>emulation %</th><th scope="col" rowspan="2" class="num">accuracy %<br>(samples)</th>${batches.map((b) => html`<th scope="colgroup" colspan="2" class="num group">batch ${b}</th>`)}</tr>
      <tr>${batches.map(() => html`<th scope="col" class="num">p50</th><th scope="col" class="num">p90</th>`)}</tr>
    </thead>
    <tbody>${rows.map(({ m, target, r }, i) => {
      const first = i === 0 || rows[i - 1]?.m !== m;
      const span = rows.filter((x) => x.m === m).length;
      const sameTarget = i > 0 && !first && rows[i - 1]?.target === target;
      return html`<tr class="${first ? 'group-start' : ''}">${first ? html`<th scope="rowgroup" rowspan="${span}" class="method-cell"><span class="dot" style="--accent:${m.color}"></span>${m.label}</th>` : ''}<td class="mono id">${sameTarget ? '' : target}</td><td class="nowrap">${r.runtime}${r.version && r.version !== envVersions[r.runtime] ? html` <span class="dim">${r.version}</span>` : ''}</td><td>${r.mode}</td><td class="num">${isNum(r.threads) ? r.threads : '–'}</td><td class="num">${pct(r.agreementWithEmulation)}</td><td class="num">${pct(r.accuracy)}${isNum(r.samples) ? html` <span class="dim">(${r.samples})</span>` : ''}</td>${batches.map(
        (b) => {
          const l = latencyAt(r, b);
          return html`<td class="num">${duration(l?.p50Ms)}</td><td class="num">${duration(l?.p90Ms)}</td>`;
        },
      )}</tr>`;
    })}</tbody>
  </table></div>`
  }
  <h3>Runtime disagreement</h3>
  ${
    dis.length === 0
      ? html`<p class="note">No runtime-disagreement measurements in this report.</p>`
      : html`<div class="table-wrap"><table class="plain">
    <thead><tr><th scope="col">Method</th><th scope="col">Profile</th><th scope="col">Runtimes</th><th scope="col">Mode</th><th scope="col" class="num">samples</th><th scope="col" class="num">top-1 agreement %</th><th scope="col" class="num">max |Δ logit|</th><th scope="col" class="num">mean |Δ logit|</th></tr></thead>
    <tbody>${dis.map(({ m, target, d }) => html`<tr><td class="nowrap"><span class="dot" style="--accent:${m.color}"></span>${m.label}</td><td class="mono id">${target}</td><td>${d.a} vs ${d.b}</td><td>${d.mode}</td><td class="num">${isNum(d.samples) ? d.samples : '–'}</td><td class="num${isNum(d.top1Agreement) && d.top1Agreement < 0.999 ? ' worst' : ''}">${pct(d.top1Agreement)}</td><td class="num">${plain(d.maxAbsDiff)}</td><td class="num">${plain(d.meanAbsDiff)}</td></tr>`)}</tbody>
  </table></div>`
  }
</section>`;
}
