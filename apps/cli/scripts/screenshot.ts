/**
 * Screenshots an HTML report in headless Chromium (Debian `chromium`, playwright-core), for the
 * README: `npm run screenshot -w @quant-trim/cli -- <report.html> <out.png> [height]`. The top of the
 * page by default (1200 px wide), the whole page with height `full`.
 */
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { CHROMIUM, CHROMIUM_FLAGS } from '@quant-trim/test-utils/chromium';
import { chromium } from 'playwright-core';

const [html, png, height = '1500'] = process.argv.slice(2);
if (html === undefined || png === undefined) {
  console.error('usage: screenshot <report.html> <out.png> [height|full]');
  process.exit(2);
}
const browser = await chromium.launch({ executablePath: CHROMIUM, args: [...CHROMIUM_FLAGS] });
try {
  const page = await browser.newPage({ viewport: { width: 1200, height: height === 'full' ? 1000 : Number(height) } });
  await page.goto(pathToFileURL(resolve(html)).href);
  await page.screenshot({ path: resolve(png), fullPage: height === 'full' });
  console.log(`wrote ${resolve(png)}`);
} finally {
  await browser.close();
}
