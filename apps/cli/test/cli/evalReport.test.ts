import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { FAST_EVAL, linearClassifier, run, tempDir } from './helpers.js';

describe('quant-trim eval: JSON and HTML reports', () => {
  it('writes eval-report.json and eval-report.html, prints both paths; `report` re-renders the eval report', async () => {
    const dir = tempDir('eval-report');
    const model = join(dir, 'linear.onnx');
    writeFileSync(model, linearClassifier([28, 28, 1]));
    const out = join(dir, 'out');
    const evaluated = await run(['eval', model, ...FAST_EVAL, '--profiles', 'tflite-int8,trt-int8-entropy', '--out', out]);
    expect(evaluated.code, evaluated.stderr).toBe(0);
    const json = join(out, 'eval-report.json');
    const htmlFile = join(out, 'eval-report.html');
    expect(evaluated.stdout).toContain(`json: ${json}\n`);
    expect(evaluated.stdout).toContain(`report: ${htmlFile}\n`);
    // written atomically: no temp file is left beside them
    expect(
      readdirSync(out)
        .filter((f) => !f.startsWith('.quant-trim'))
        .sort(),
    ).toEqual(['eval-report.html', 'eval-report.json']);
    const html = readFileSync(htmlFile, 'utf8');
    expect(html).toContain('Quant-Trim evaluation report');
    expect(html).toContain('<h1>linear.onnx</h1>');
    expect(html).toContain(model);
    expect(html).toMatch(/<span class="pid">tflite-int8/);
    expect(html).toMatch(/<span class="pid">trt-int8-entropy/);
    expect(html).toMatch(/do not apply to an evaluation of an existing model/);
    expect(html).not.toMatch(/could not be rendered/);

    // `report` accepts the eval report: same page, by default beside it as eval-report.html
    const again = join(dir, 'again.html');
    const rendered = await run(['report', json, '--out', again]);
    expect(rendered.code, rendered.stderr).toBe(0);
    expect(rendered.stdout).toContain(`report: ${again}`);
    expect(readFileSync(again, 'utf8')).toBe(html);
    const beside = await run(['report', json]);
    expect(beside.code, beside.stderr).toBe(0);
    expect(beside.stdout).toContain(`report: ${htmlFile}`);

    // --json: both files are artifact events
    const quiet = await run(['eval', model, ...FAST_EVAL, '--profiles', 'tflite-int8', '--out', join(dir, 'json'), '--json']);
    expect(quiet.code, quiet.stderr).toBe(0);
    const events = quiet.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { type: string; kind?: string; path?: string });
    expect(events.filter((e) => e.type === 'artifact').map((e) => [e.kind, e.path])).toEqual([
      ['report-json', join(dir, 'json', 'eval-report.json')],
      ['report-html', join(dir, 'json', 'eval-report.html')],
    ]);
    expect(existsSync(join(dir, 'json', 'eval-report.html'))).toBe(true);
  }, 300_000);

  it('report: a damaged eval report names the file and the field; a file of neither kind gets QT_INVALID_REPORT naming it', async () => {
    const dir = tempDir('eval-report-bad');
    const model = join(dir, 'linear.onnx');
    writeFileSync(model, linearClassifier([28, 28, 1]));
    const evaluated = await run(['eval', model, ...FAST_EVAL, '--profiles', 'tflite-int8', '--out', dir]);
    expect(evaluated.code, evaluated.stderr).toBe(0);
    const report = JSON.parse(readFileSync(join(dir, 'eval-report.json'), 'utf8')) as { data: { samples: unknown } };
    report.data.samples = 'many';
    writeFileSync(join(dir, 'damaged.json'), JSON.stringify(report));
    const damaged = await run(['report', join(dir, 'damaged.json')]);
    expect(damaged.code).toBe(3);
    expect(damaged.stderr).toMatch(/QT_INVALID_REPORT: .*damaged\.json: report\.data\.samples: expected/);
    expect(existsSync(join(dir, 'damaged.html'))).toBe(false);

    writeFileSync(join(dir, 'other.json'), JSON.stringify({ $schema: 'https://example.com/other.json', models: [] }));
    const other = await run(['report', join(dir, 'other.json')]);
    expect(other.code).toBe(3);
    expect(other.stderr).toMatch(/QT_INVALID_REPORT: .*other\.json: \$schema: expected .*run-report-2\.json.*evaluation-report-1\.json for an eval report/);
    expect(other.stderr).toMatch(/hint: .*eval-report\.json written by `quant-trim eval`/);
  }, 300_000);
});
