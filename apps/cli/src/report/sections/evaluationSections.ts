import { html, type RawHtml } from '../escape.js';
import { DASH, dateTime, int, isNum, num, pct, pp, sig } from '../format.js';
import { acrossProfilesOf, isOk, type ReportView } from '../reportData.js';

export const EVALUATION_SECTIONS = [
  ['comparison', 'Accuracy'],
  ['accuracy', 'Charts'],
  ['agreement', 'Agreement'],
  ['drop-sources', 'Drop sources'],
  ['sensitivity', 'Sensitivity'],
  ['energy', 'Energy'],
  ['coverage', 'Coverage'],
  ['runtimes', 'Runtimes'],
  ['training', 'Training'],
  ['provenance', 'Provenance'],
] as const;

function meta(label: string, value: RawHtml | string): RawHtml {
  return html`<div class="meta"><dt>${label}</dt><dd>${value}</dd></div>`;
}

/** Title, date, the evaluated model and data, and one card with its drops (or its agreement without labels). */
export function renderEvaluationHeader(view: ReportView): RawHtml {
  const r = view.report;
  const ev = r.evaluation;
  const model = ev?.models?.[0];
  const m = view.methods[0];
  const labelled = ev?.data?.labelled !== false;
  const title = m?.label ?? 'Evaluation report';
  const card = m
    ? (() => {
        const s = acrossProfilesOf(view, m);
        if (labelled) {
          return html`<div class="card" style="--accent:${m.color}">
  <div class="card-title">${m.label}</div>
  <div class="card-big">${pp(s.worstDrop)}<small> pp</small></div>
  <div class="card-sub">worst-case drop${s.worstProfile ? html` · <span class="mono">${s.worstProfile}</span>` : ''}</div>
  <dl class="card-facts"><div><dt>float acc.</dt><dd>${pct(s.floatAccuracy)} %</dd></div><div><dt>mean drop</dt><dd>${pp(s.meanDrop)} pp</dd></div><div><dt>spread</dt><dd>${pp(s.spread)} pp</dd></div></dl>
</div>`;
        }
        const agreements = view.profiles
          .map((p) => p.results.get(m.id))
          .filter(isOk)
          .map((x) => x.metrics?.top1Agreement)
          .filter(isNum);
        const lowest = agreements.length > 0 ? Math.min(...agreements) : undefined;
        const mean = agreements.length > 0 ? agreements.reduce((a, b) => a + b, 0) / agreements.length : undefined;
        return html`<div class="card" style="--accent:${m.color}">
  <div class="card-title">${m.label}</div>
  <div class="card-big">${pct(lowest)}<small> %</small></div>
  <div class="card-sub">lowest top-1 agreement with the float model (no labels: not accuracy)</div>
  <dl class="card-facts"><div><dt>mean agreement</dt><dd>${pct(mean)} %</dd></div><div><dt>profiles</dt><dd>${agreements.length}</dd></div></dl>
</div>`;
      })()
    : '';
  return html`<header class="top">
  <p class="eyebrow">Quant-Trim evaluation report</p>
  <h1>${title}</h1>
  <p class="date">${dateTime(r.createdAt)} · one float ONNX model compiled the way each backend profile would compile it</p>
  <dl class="metas">
    ${meta('Model', model ? html`<span class="mono">${r.model?.name || model.name}</span> <span class="dim">· ${int(model.parameters)} parameters · ${int(model.macs)} MACs per sample</span>` : DASH)}
    ${meta('Data', ev?.data ? html`${int(ev.data.samples)} test samples · ${int(ev.data.calibrationSamples)} calibration samples · ${isNum(ev.data.classes) ? ev.data.classes : DASH} classes${labelled ? '' : html`<span class="source">no labels (--labels float): profiles are scored by top-1 agreement with the float model, not accuracy</span>`}` : DASH)}
  </dl>
  ${card !== '' ? html`<div class="cards">${card}</div>` : ''}
  <nav class="toc">${EVALUATION_SECTIONS.map(([id, label]) => html`<a href="#${id}">${label}</a>`)}</nav>
</header>`;
}

/** Per profile: top-1 agreement with the float model, KL divergence and logit cosine (the scores that need no labels). */
export function renderAgreement(view: ReportView): RawHtml {
  const m = view.methods[0];
  const rows = m ? view.profiles.map((p) => ({ p, r: p.results.get(m.id) })) : [];
  if (rows.length === 0) return html`<section id="agreement"><h2>Agreement with the float model</h2><p class="note">No evaluated profiles.</p></section>`;
  return html`<section id="agreement">
  <h2>Agreement with the float model</h2>
  <p class="lede">How closely each profile's compiled model follows the float model on the test samples: the share of samples with the same top-1 class, the mean KL divergence of the softmax outputs (nats; 0 = identical) and the mean cosine similarity of the logit vectors. These need no labels.</p>
  <div class="table-wrap"><table class="plain agreement">
    <thead><tr><th scope="col">Profile</th><th scope="col" class="num">top-1 agreement %</th><th scope="col" class="num">KL (nats)</th><th scope="col" class="num">logit cosine</th></tr></thead>
    <tbody>${rows.map(({ p, r }) =>
      r !== undefined && r.status === 'ok'
        ? html`<tr><td class="mono">${p.id}</td><td class="num">${pct(r.metrics?.top1Agreement)}</td><td class="num">${sig(r.metrics?.kl)}</td><td class="num">${num(r.metrics?.logitCosine, 4)}</td></tr>`
        : html`<tr><td class="mono">${p.id}</td><td class="num err" colspan="3">${r?.error?.code ?? 'not evaluated'}</td></tr>`,
    )}</tbody>
  </table></div>
</section>`;
}

/** Training curves, λ / trimming schedules, weight histograms and the training-time calibrator disagreement need a training run. */
export function renderNotApplicable(_view: ReportView): RawHtml {
  return html`<section id="training">
  <h2>Training, schedules and weights</h2>
  <p class="note">Training curves, the λ and trimming schedules, the per-layer weight histograms before and after trimming and the per-epoch calibrator disagreement describe a training run: they do not apply to an evaluation of an existing model. <code>quant-trim compare</code> (or <code>demo</code>) trains FP, QAT and Quant-Trim checkpoints and reports them; <code>quant-trim inspect &lt;model.onnx&gt; --dataset …</code> measures how far the backends' calibrators disagree about this model's activation tensors.</p>
</section>`;
}
