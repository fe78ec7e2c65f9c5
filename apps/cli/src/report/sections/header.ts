import { html, type RawHtml } from '../escape.js';
import { DASH, dateTime, int, isNum, pct, pp } from '../format.js';
import { acrossProfilesOf, hasBounds, seedCount, type ReportView } from '../reportData.js';
import type { Interval } from '../types.js';

const bracket = (i: Interval | undefined) => (hasBounds(i) ? ` [${pp(i.low)}, ${pp(i.high)}]` : '');

export const SECTIONS = [
  ['comparison', 'Comparison'],
  ['accuracy', 'Accuracy'],
  ['drop-sources', 'Drop sources'],
  ['training', 'Training'],
  ['weights', 'Weights'],
  ['sensitivity', 'Sensitivity'],
  ['energy', 'Energy'],
  ['coverage', 'Coverage'],
  ['runtimes', 'Runtimes'],
  ['provenance', 'Provenance'],
] as const;

function meta(label: string, value: RawHtml | string): RawHtml {
  return html`<div class="meta"><dt>${label}</dt><dd>${value}</dd></div>`;
}

/** `seed 0`, or `3 seeds (0, 1, 2) · 95 % intervals from 1,000 bootstrap resamples`. */
function seedsText(view: ReportView): string {
  const r = view.report;
  const n = seedCount(view);
  const seeds = n > 1 ? `${n} seeds (${r.seeds.join(', ')})` : `seed ${isNum(r.seed) ? r.seed : DASH}`;
  const b = r.bootstrap;
  return b && isNum(b.resamples) && b.resamples > 0 ? `${seeds} · 95 % intervals from ${int(b.resamples)} bootstrap resamples` : seeds;
}

/** Title, date, run settings, the verdicts and one card per method. */
export function renderHeader(view: ReportView): RawHtml {
  const r = view.report;
  const d = r.dataset;
  const title = [r.model?.name, d?.name].filter(Boolean).join(' on ') || 'Run report';
  const shape = Array.isArray(d?.sampleShape) && d.sampleShape.length > 0 ? d.sampleShape.join('×') : DASH;
  const verdicts = Array.isArray(r.verdicts) ? r.verdicts : [];
  const cards = view.methods.map((m) => {
    const s = acrossProfilesOf(view, m);
    return html`<div class="card" style="--accent:${m.color}">
  <div class="card-title">${m.label}</div>
  <div class="card-big">${pp(s.worstDrop)}<small> pp</small></div>
  <div class="card-sub">worst-case drop${bracket(s.intervals?.worstDrop)}${s.worstProfile ? html` · <span class="mono">${s.worstProfile}</span>` : ''}</div>
  <dl class="card-facts"><div><dt>float acc.</dt><dd>${pct(s.floatAccuracy)} %</dd></div><div><dt>mean drop</dt><dd>${pp(s.meanDrop)} pp${bracket(s.intervals?.meanDrop)}</dd></div><div><dt>spread</dt><dd>${pp(s.spread)} pp${bracket(s.intervals?.spread)}</dd></div></dl>
</div>`;
  });
  return html`<header class="top">
  <p class="eyebrow">Quant-Trim run report</p>
  <h1>${title}</h1>
  <p class="date">${dateTime(r.createdAt)} · ${seedsText(view)}</p>
  <dl class="metas">
    ${meta('Dataset', d ? html`${d.name} <span class="dim">· ${int(d.trainSamples)} train / ${int(d.testSamples)} test · ${isNum(d.classes) ? d.classes : DASH} classes · ${shape}</span>${d.source ? html`<span class="source">${d.source}</span>` : ''}` : DASH)}
    ${meta('Model', r.model ? html`${r.model.name} <span class="dim">· ${int(r.model.parameters)} parameters</span>${r.model.imported ? html`<span class="source">imported from ${r.model.imported.file} (sha256 ${r.model.imported.sha256})</span>` : ''}` : DASH)}
    ${meta('Scheme', r.scheme ? html`weights <span class="mono">${r.scheme.weights}</span> · activations <span class="mono">${r.scheme.activations}</span>` : DASH)}
    ${meta('Budget', r.budget ? html`${isNum(r.budget.epochs) ? r.budget.epochs : DASH} epochs · batch ${isNum(r.budget.batchSize) ? r.budget.batchSize : DASH} · learning rate ${isNum(r.budget.learningRate) ? String(r.budget.learningRate) : DASH}${isNum(r.budget.freezeBatchNorm) ? ` · BatchNorm statistics frozen at ${Math.round(r.budget.freezeBatchNorm * 100)} % of training` : ''}${isNum(r.budget.workers) && r.budget.workers > 1 ? ` · trained data-parallel on ${r.budget.workers} worker threads` : ''}` : DASH)}
    ${Array.isArray(r.recipe) && r.recipe.length > 0 ? meta('Quant-Trim recipe', r.recipe.join(' · ')) : ''}
  </dl>
  ${
    verdicts.length > 0
      ? html`<section class="verdicts" aria-label="Verdicts"><h2>Verdict</h2><ul>${verdicts.map((v) => html`<li>${v}</li>`)}</ul></section>`
      : html`<section class="verdicts verdicts-empty"><h2>Verdict</h2><p>No verdict was recorded for this run.</p></section>`
  }
  ${cards.length > 0 ? html`<div class="cards">${cards}</div>` : ''}
  <nav class="toc">${SECTIONS.map(([id, label]) => html`<a href="#${id}">${label}</a>`)}</nav>
</header>`;
}
