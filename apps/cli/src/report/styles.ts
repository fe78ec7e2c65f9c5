import { FONT_STACK } from './charts.js';

/** The report's only stylesheet (inlined): system fonts, no external resources. */
export const REPORT_CSS = `
:root { --ink:#1f2733; --muted:#667085; --line:#e3e6ec; --bg:#f4f5f8; --panel:#ffffff; --accent:#2f6fde; --worst:#fbe3de; --worst-ink:#a3261a; --best:#e3f3e9; --best-ink:#1d6b3c; }
* { box-sizing: border-box; }
html { -webkit-text-size-adjust: 100%; }
body { margin: 0; background: var(--bg); color: var(--ink); font: 15px/1.55 ${FONT_STACK}; font-variant-numeric: tabular-nums; }
main { max-width: 1120px; margin: 0 auto; padding: 32px 24px 48px; }
h1 { font-size: 30px; line-height: 1.2; margin: 2px 0 6px; letter-spacing: -0.01em; }
h2 { font-size: 20px; margin: 0 0 10px; letter-spacing: -0.005em; }
h3 { font-size: 14px; margin: 18px 0 8px; text-transform: uppercase; letter-spacing: 0.04em; color: var(--muted); }
p { margin: 0 0 12px; }
.mono, code, pre { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, "Liberation Mono", monospace; font-size: 0.88em; }
.dim { color: var(--muted); }
.note { color: var(--muted); background: #f7f8fa; border: 1px dashed var(--line); border-radius: 8px; padding: 14px 16px; margin: 8px 0; }
.lede { color: #3b4452; max-width: 860px; }
section, footer { background: var(--panel); border: 1px solid var(--line); border-radius: 12px; padding: 22px 26px; margin: 18px 0; }
header.top { padding: 8px 2px 4px; }
.eyebrow { text-transform: uppercase; letter-spacing: 0.08em; font-size: 12px; font-weight: 600; color: var(--accent); margin: 0; }
.date { color: var(--muted); margin-bottom: 14px; }
.metas { display: grid; grid-template-columns: repeat(2, minmax(0, 1fr)); gap: 6px 28px; margin: 0 0 18px; }
.meta { display: flex; gap: 10px; align-items: baseline; border-top: 1px solid var(--line); padding-top: 6px; }
.meta dt { flex: 0 0 72px; color: var(--muted); font-size: 13px; }
.meta dd { margin: 0; }
.meta .source { display: block; font-size: 12px; color: var(--muted); overflow-wrap: anywhere; }
.verdicts { background: #fffaf0; border: 1px solid #f3dcae; border-left: 5px solid #e0922f; padding: 14px 20px; margin: 0 0 16px; }
.verdicts h2 { font-size: 13px; text-transform: uppercase; letter-spacing: 0.06em; color: #9a5b0c; margin-bottom: 6px; }
.verdicts ul { margin: 0; padding-left: 20px; }
.verdicts li { font-size: 16px; font-weight: 550; margin: 4px 0; }
.cards { display: grid; grid-template-columns: repeat(auto-fit, minmax(220px, 1fr)); gap: 14px; margin-bottom: 14px; }
.card { background: var(--panel); border: 1px solid var(--line); border-top: 4px solid var(--accent); border-radius: 10px; padding: 12px 16px; }
.card-title { font-weight: 700; color: var(--accent); }
.card-big { font-size: 28px; font-weight: 700; line-height: 1.15; margin-top: 4px; }
.card-big small { font-size: 14px; color: var(--muted); font-weight: 500; }
.card-sub { font-size: 12.5px; color: var(--muted); }
.card-facts { display: flex; gap: 16px; margin: 10px 0 0; font-size: 12.5px; }
.card-facts dt { color: var(--muted); }
.card-facts dd { margin: 0; font-weight: 600; }
.toc { display: flex; flex-wrap: wrap; gap: 6px; }
.toc a { color: var(--ink); text-decoration: none; font-size: 13px; padding: 3px 10px; border: 1px solid var(--line); border-radius: 999px; background: var(--panel); }
.toc a:hover { border-color: var(--accent); color: var(--accent); }
.table-wrap { overflow-x: auto; }
table { border-collapse: collapse; width: 100%; font-size: 13.5px; }
th, td { padding: 6px 10px; border-bottom: 1px solid var(--line); vertical-align: top; }
thead th { font-size: 12px; font-weight: 600; color: var(--muted); text-align: left; border-bottom: 2px solid #cfd4dc; white-space: nowrap; }
.num { text-align: right; white-space: nowrap; }
table.compare th[scope=row] { text-align: left; font-weight: 500; }
table.compare .pname { display: block; }
table.compare .pid { display: block; font-size: 11.5px; color: var(--muted); font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, "Liberation Mono", monospace; }
table.compare td { vertical-align: middle; font-size: 14px; }
table.compare td.drop { font-weight: 600; border-right: 1px solid var(--line); }
table.compare th.method { text-align: center; color: var(--accent); font-size: 13px; border-bottom: 3px solid var(--accent); }
table.compare tbody tr:hover td, table.compare tbody tr:hover th { background: #f8f9fb; }
table.compare tbody.summaries th { font-weight: 600; text-align: left; }
table.compare tbody.summaries tr:first-child > * { border-top: 2px solid #cfd4dc; }
td.sum { text-align: center; font-weight: 600; }
td.sum .unit { font-weight: 400; color: var(--muted); font-size: 12px; }
.ci { display: block; font-size: 11px; font-weight: 400; color: var(--muted); white-space: nowrap; }
td.verdict-lower { color: #1f7a3a; font-weight: 600; }
td.verdict-higher { color: #b3261e; font-weight: 600; }
td.verdict-inconclusive { color: var(--muted); }
table.drop-sources td { white-space: nowrap; font-size: 12.5px; }
table.drop-sources td, table.drop-sources th { padding-left: 8px; padding-right: 8px; }
table.drop-sources caption .dot { margin-right: 6px; }
.keep-bar { display: inline-block; height: 8px; border-radius: 4px; background: #2f6fde; vertical-align: middle; margin-right: 6px; }
.keep-bar.low { background: #c8402a; }
td.sum .at { display: block; font-size: 11.5px; font-weight: 400; color: var(--muted); font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, "Liberation Mono", monospace; }
.worst { background: var(--worst); color: var(--worst-ink); }
.best { background: var(--best); color: var(--best-ink); }
td.err { text-align: center; color: var(--worst-ink); background: repeating-linear-gradient(135deg, #fff 0 6px, #fbeeee 6px 12px); font-style: italic; }
td.na { text-align: center; color: var(--muted); }
.footnotes { font-size: 13px; color: #3b4452; margin: 10px 0 0; padding-left: 22px; }
figure.chart { margin: 14px 0 6px; }
figure.chart figcaption { font-size: 13px; color: var(--muted); margin-bottom: 6px; max-width: 900px; }
figure.chart figcaption strong { color: var(--ink); font-size: 14px; margin-right: 4px; }
.svg-wrap > svg { display: block; width: 100%; height: auto; }
.multiples { display: grid; grid-template-columns: repeat(auto-fill, minmax(320px, 1fr)); gap: 12px; }
.multiple { border: 1px solid var(--line); border-radius: 8px; padding: 4px; }
.multiple > svg { display: block; width: 100%; height: auto; }
.badge { display: inline-block; vertical-align: middle; font-size: 11px; font-weight: 600; text-transform: uppercase; letter-spacing: 0.06em; color: #8a5a00; background: #fdf0d2; border: 1px solid #f1d596; border-radius: 999px; padding: 1px 8px; margin-left: 6px; }
details.more { margin-top: 10px; }
details.more summary { cursor: pointer; color: var(--muted); font-size: 13px; margin-bottom: 6px; }
table.plain td { font-size: 13px; }
table.plain caption { text-align: left; font-weight: 600; font-size: 13px; color: var(--muted); padding-bottom: 6px; }
.stack { display: grid; gap: 18px; }
td.id, .nowrap { white-space: nowrap; }
table.fallbacks td { border-bottom: none; border-top: 1px solid var(--line); }
table.fallbacks tr.cont td { border-top: none; padding-top: 0; }
table.coverage td.share { white-space: nowrap; }
table.runtimes th.method-cell { text-align: left; font-weight: 600; white-space: nowrap; vertical-align: top; border-right: 1px solid var(--line); }
table.runtimes tr.group-start > * { border-top: 2px solid #cfd4dc; }
table.runtimes td { border-bottom: none; padding: 4px 8px; font-size: 12.5px; }
table.runtimes thead th { padding: 6px 8px; }
table.runtimes thead th { vertical-align: bottom; }
.bar { display: inline-block; width: 90px; height: 8px; background: #eceef2; border-radius: 4px; vertical-align: middle; overflow: hidden; }
.bar > span { display: block; height: 100%; background: var(--accent); }
td.reason { color: #3b4452; min-width: 220px; }
th.group { text-align: center; border-bottom: 1px solid var(--line); }
.dot { display: inline-block; width: 9px; height: 9px; border-radius: 50%; background: var(--accent); margin-right: 7px; }
pre.command { background: #1f2733; color: #e9edf3; padding: 12px 16px; border-radius: 8px; overflow-x: auto; white-space: pre-wrap; word-break: break-all; }
.cols3 { display: grid; grid-template-columns: minmax(0, 1.3fr) minmax(0, 1fr) minmax(0, 1fr); gap: 24px; }
dl.pairs { margin: 0; font-size: 13px; }
dl.pairs > div { display: flex; gap: 10px; border-bottom: 1px solid var(--line); padding: 4px 0; }
dl.pairs dt { flex: 0 0 50%; color: var(--muted); overflow-wrap: anywhere; }
dl.pairs dd { margin: 0; overflow-wrap: anywhere; }
.colophon { margin: 18px 0 0; font-size: 12px; color: var(--muted); }
@media (max-width: 820px) { .metas, .cols3 { grid-template-columns: 1fr; } main { padding: 18px 12px; } section, footer { padding: 16px; } }
@media print { body { background: #fff; } section, footer { break-inside: avoid-page; border: none; padding: 8px 0; } .toc { display: none; } }
`;
