import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeHtmlReport } from '../../src/report/index.js';
import { hasChromium, openReportPage } from './chromiumPage.js';
import { makeFixtureReport } from './fixture.js';

const CHARTS = ['accuracy', 'drop-heatmap', 'drop-intervals', 'differences', 'schedules', 'training', 'weights', 'sensitivity', 'disagreement', 'energy'];

describe.skipIf(!hasChromium)('HTML report in Chromium', () => {
  let browser: Browser;
  let page: Page;
  let dir: string;
  let fileUrl: string;
  let requests: string[] = [];
  let errors: string[] = [];

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'quant-trim-report-e2e-'));
    const path = join(dir, 'report.html');
    await writeHtmlReport(makeFixtureReport(), path);
    ({ browser, page, fileUrl, requests, errors } = await openReportPage(path));
  });

  afterAll(async () => {
    await browser?.close();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('loads with no console errors and no request but the file itself', () => {
    expect(errors).toEqual([]);
    expect(requests.length).toBeGreaterThan(0);
    expect(requests.filter((u) => u !== fileUrl)).toEqual([]);
  });

  it('draws every chart: a visible SVG with drawn elements', async () => {
    const charts = await page.$$eval('[data-chart]', (els) =>
      els.map((el) => {
        const svgs = [...el.querySelectorAll('svg')];
        return {
          name: el.getAttribute('data-chart'),
          svgs: svgs.map((svg) => {
            const box = svg.getBoundingClientRect();
            return { width: box.width, height: box.height, drawn: svg.querySelectorAll('path, rect, text').length };
          }),
        };
      }),
    );
    expect(charts.map((c) => c.name).sort()).toEqual([...CHARTS].sort());
    for (const c of charts) {
      expect(c.svgs.length, c.name ?? '').toBeGreaterThan(0);
      for (const s of c.svgs) {
        expect(s.width, c.name ?? '').toBeGreaterThan(100);
        expect(s.height, c.name ?? '').toBeGreaterThan(100);
        expect(s.drawn, c.name ?? '').toBeGreaterThan(20);
      }
    }
  });

  it('renders the comparison table with 12 profile rows', async () => {
    expect(await page.locator('table.compare > tbody:not(.summaries) > tr').count()).toBe(12);
    expect(await page.locator('table.compare td.err').count()).toBe(1);
  });

  it('shows the intervals, the paired comparisons and where the drops come from', async () => {
    // every profile cell and summary cell of the comparison table (docs/method.md#evaluation-protocol) carries its 95 % interval
    expect(await page.locator('table.compare td.drop .ci').count()).toBe(3 * 12 - 1);
    expect(await page.locator('table.compare td.sum .ci').count()).toBe(3 * 3);
    expect(await page.locator('table.compare td.drop .ci').first().innerText()).toMatch(/^\[−?\d+\.\d\d, −?\d+\.\d\d\]$/);
    expect(await page.locator('table.comparisons tbody tr').count()).toBe(6);
    expect(await page.locator('table.comparisons td.verdict-inconclusive').first().innerText()).toBe('no difference measurable at 3 seeds');
    const section = page.locator('section#drop-sources');
    expect(await section.locator('h2').innerText()).toBe('Where the drops come from');
    expect(await section.locator('table.drop-sources').count()).toBe(3);
    const row = section.locator('table[data-method="quant-trim"] tbody tr', { hasText: 'trt-int8-entropy' });
    expect(await row.innerText()).toMatch(/relu1_out output\s+\[0, 1\.05\] → \[0, 0\.116\]\s+11\.0 %/);
    const bar = await row.locator('.keep-bar').boundingBox();
    expect(bar!.width).toBeGreaterThan(1);
    // the section and its tables fit the page: no horizontal scrolling needed at 1200 px
    const box = await section.boundingBox();
    expect(box!.width).toBeGreaterThan(300);
    expect(box!.x + box!.width).toBeLessThanOrEqual(1200);
    const overflow = await section.locator('.table-wrap').evaluateAll((els) => els.map((el) => el.scrollWidth - el.clientWidth));
    expect(overflow.every((o) => o <= 0)).toBe(true);
  });

  it('saves a full-page screenshot', async () => {
    // QUANT_TRIM_SCREENSHOT, else a fixed path under the OS temp dir that outlives the test (to look at).
    const target = process.env['QUANT_TRIM_SCREENSHOT'] ? resolve(process.env['QUANT_TRIM_SCREENSHOT']) : join(tmpdir(), 'quant-trim-report', 'report.png');
    await mkdir(dirname(target), { recursive: true });
    const png = await page.screenshot({ path: target, fullPage: true });
    expect(png.subarray(1, 4).toString('latin1')).toBe('PNG');
    expect(existsSync(target)).toBe(true);
    console.info(`report screenshot: ${target}`);
  });
});
