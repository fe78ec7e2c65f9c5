import { existsSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { CHROMIUM, CHROMIUM_FLAGS } from '@quant-trim/test-utils/chromium';
import { chromium, type Browser, type Page } from 'playwright-core';

export { CHROMIUM } from '@quant-trim/test-utils/chromium';

/** Whether the browser tests can run; prints why they skip when they cannot. */
export const hasChromium = existsSync(CHROMIUM);
if (!hasChromium) console.warn(`skipping browser e2e: ${CHROMIUM} not found; install with apt-get install -y chromium`);

export interface OpenedPage {
  readonly browser: Browser;
  readonly page: Page;
  readonly fileUrl: string;
  /** Every URL the page requested. */
  readonly requests: string[];
  /** Console errors and uncaught page errors. */
  readonly errors: string[];
}

/** Opens the HTML file at `path` in headless Chromium (1200×900), recording requests and errors, and waits for `load`. */
export async function openReportPage(path: string): Promise<OpenedPage> {
  const fileUrl = pathToFileURL(path).href;
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: [...CHROMIUM_FLAGS] });
  const page = await browser.newPage({ viewport: { width: 1200, height: 900 } });
  const requests: string[] = [];
  const errors: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(`console: ${m.text()}`);
  });
  page.on('pageerror', (e) => errors.push(`pageerror: ${e.message}`));
  page.on('request', (r) => requests.push(r.url()));
  await page.goto(fileUrl, { waitUntil: 'load' });
  return { browser, page, fileUrl, requests, errors };
}
