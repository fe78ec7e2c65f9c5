import { validateReport, type EvaluationReport } from '@quant-trim/backend-eval';
import { describe, expect, it } from 'vitest';
import { renderEvaluationHtmlReport } from '../../src/report/index.js';
import { makeFixtureReport } from './fixture.js';

/** An `eval` report: the fixture's Quant-Trim model alone, named by the path eval was given. */
function evalReport(): EvaluationReport {
  const { evaluation } = makeFixtureReport();
  const model = evaluation.models.find((m) => m.name === 'quant-trim')!;
  return { ...evaluation, models: [{ ...model, name: 'out/onnx/model.fp32.onnx' }] };
}

describe('renderEvaluationHtmlReport (eval reports)', () => {
  it('the fixture is a valid EvaluationReport', () => {
    expect(() => validateReport(JSON.parse(JSON.stringify(evalReport())))).not.toThrow();
  });

  it('renders the evaluated model as the one column, with the sections that read the evaluation', () => {
    const ev = evalReport();
    const doc = renderEvaluationHtmlReport(ev);
    expect(doc.startsWith('<!doctype html>')).toBe(true);
    expect(doc).toContain('Quant-Trim evaluation report');
    expect(doc).toContain('<h1>model.fp32.onnx</h1>');
    expect(doc).toContain('out/onnx/model.fp32.onnx');
    for (const id of ['comparison', 'accuracy', 'agreement', 'drop-sources', 'sensitivity', 'energy', 'coverage', 'runtimes', 'training', 'provenance'])
      expect(doc, id).toMatch(new RegExp(`<(section|footer) id="${id}"`));
    // every profile of the model is a row, with its accuracy
    const model = ev.models[0]!;
    for (const p of model.profiles) expect(doc).toContain(`<span class="pid">${p.profile}`);
    const first = model.profiles.find((p) => p.status === 'ok' && p.metrics?.accuracy !== undefined)!;
    expect(doc).toContain((first.metrics!.accuracy! * 100).toFixed(2));
    // charts that read the evaluation render; no section failed
    expect(doc).toMatch(/data-chart="accuracy"[\s\S]*?<svg/);
    expect(doc).not.toMatch(/could not be rendered/);
    // training-only sections say they do not apply instead of showing empty charts
    expect(doc).toMatch(/do not apply to an evaluation of an existing model/);
    for (const chart of ['schedules', 'training', 'weights', 'disagreement', 'drop-intervals', 'differences'])
      expect(doc, chart).not.toContain(`data-chart="${chart}"`);
    expect(doc).toMatch(/they do not apply to the evaluation of one model/);
    // no run-report leftovers: no verdict box, no command, seed or training time
    expect(doc).not.toMatch(/No verdict was recorded/);
    expect(doc).not.toMatch(/<h3>Command<\/h3>/);
    expect(doc).not.toMatch(/Training time/);
    expect(doc).toMatch(/backend-eval evaluation report v1/);
    // no scripts, no external requests
    expect(doc).not.toMatch(/<script|https?:\/\/(?!www\.w3\.org)/);
  });

  it('without labels (--labels float) it scores agreement, not accuracy', () => {
    const ev = evalReport();
    const unlabelled: EvaluationReport = {
      ...ev,
      data: { ...ev.data, labelled: false },
      models: ev.models.map((m) => {
        const { accuracy: _a, ...float } = m.float;
        const { acrossProfiles: _s, ...rest } = m;
        return {
          ...rest,
          float,
          profiles: m.profiles.map((p) =>
            p.metrics === undefined
              ? p
              : { ...p, metrics: { samples: p.metrics.samples, top1Agreement: p.metrics.top1Agreement, kl: p.metrics.kl, logitCosine: p.metrics.logitCosine } },
          ),
        };
      }),
    };
    expect(() => validateReport(JSON.parse(JSON.stringify(unlabelled)))).not.toThrow();
    const doc = renderEvaluationHtmlReport(unlabelled);
    expect(doc).toMatch(/lowest top-1 agreement with the float model/);
    expect(doc).toMatch(/no labels \(--labels float\)/);
    const ok = unlabelled.models[0]!.profiles.find((p) => p.status === 'ok')!;
    expect(doc).toContain(`<td class="mono">${ok.profile}</td><td class="num">${(ok.metrics!.top1Agreement * 100).toFixed(2)}</td>`);
    expect(doc).not.toMatch(/could not be rendered/);
  });
});
