import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeEvaluationHtmlReport } from '../../src/report/index.js';
import { hasChromium, openReportPage } from './chromiumPage.js';
import { makeFixtureReport } from './fixture.js';

/** The charts of an eval page: those that read the evaluation (no training, weights or per-epoch disagreement). */
const CHARTS = ['accuracy', 'drop-heatmap', 'sensitivity', 'energy'];

describe.skipIf(!hasChromium)('eval HTML report in Chromium', () => {
  let browser: Browser;
  let page: Page;
  let dir: string;
  let fileUrl: string;
  let requests: string[] = [];
  let errors: string[] = [];

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'quant-trim-eval-e2e-'));
    const path = join(dir, 'eval-report.html');
    const { evaluation } = makeFixtureReport();
    const model = evaluation.models.find((m) => m.name === 'quant-trim')!;
    await writeEvaluationHtmlReport({ ...evaluation, models: [{ ...model, name: 'out/model.fp32.onnx' }] }, path);
    ({ browser, page, fileUrl, requests, errors } = await openReportPage(path));
  });

  afterAll(async () => {
    await browser?.close();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('loads with no console errors and no request but the file itself; every chart is drawn', async () => {
    expect(errors).toEqual([]);
    expect(requests.filter((u) => u !== fileUrl)).toEqual([]);
    const charts = await page.$$eval('[data-chart]', (els) =>
      els.map((el) => ({ name: el.getAttribute('data-chart'), drawn: el.querySelector('svg')?.querySelectorAll('path, rect, text').length ?? 0 })),
    );
    // every figure on the page is a drawn chart (no empty figures with a note in place of the chart)
    expect(charts.map((c) => c.name).sort()).toEqual([...CHARTS].sort());
    for (const c of charts) expect(c.drawn, c.name ?? '').toBeGreaterThan(20);
    expect(await page.locator('table.compare > tbody:not(.summaries) > tr').count()).toBe(12);
    expect(await page.locator('table.agreement tbody tr').count()).toBe(12);
    expect(await page.locator('section#training .note').innerText()).toMatch(/do not apply to an evaluation of an existing model/);
  });
});
