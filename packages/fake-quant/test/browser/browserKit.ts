// What the browser e2e tests share: bundling an entry as a browser app would, serving files
// (tfjs' wasm binaries included) from a local server, and launching Debian's headless Chromium.
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { CHROMIUM, CHROMIUM_FLAGS } from '@quant-trim/test-utils/chromium';
import { type Browser, chromium } from 'playwright-core';

export { CHROMIUM } from '@quant-trim/test-utils/chromium';
const here = dirname(fileURLToPath(import.meta.url));
const wasmDir = join(dirname(fileURLToPath(import.meta.resolve('@tensorflow/tfjs-backend-wasm/package.json'))), 'dist');

export type Files = Record<string, { body: Uint8Array | string; type: string }>;

/** `entry` (a file beside this one) bundled for the browser through the package's public entry. */
export async function bundleEntry(entry: string): Promise<Uint8Array> {
  const result = await build({
    entryPoints: [join(here, entry)],
    bundle: true,
    format: 'esm',
    platform: 'browser',
    write: false,
    conditions: ['@quant-trim/source'],
    logLevel: 'silent',
  });
  return result.outputFiles[0]!.contents;
}

/** A page that loads `/app.js`, that script, and the three wasm binaries the README says to serve (under /wasm/). */
export function appFiles(app: Uint8Array, extra: Files = {}): Files {
  const files: Files = {
    '/': { body: '<!doctype html><meta charset="utf-8"><script type="module" src="/app.js"></script>', type: 'text/html' },
    '/app.js': { body: app, type: 'text/javascript' },
    ...extra,
  };
  for (const name of ['tfjs-backend-wasm.wasm', 'tfjs-backend-wasm-simd.wasm', 'tfjs-backend-wasm-threaded-simd.wasm'])
    files[`/wasm/${name}`] = { body: readFileSync(join(wasmDir, name)), type: 'application/wasm' };
  return files;
}

/** Serves `files` on 127.0.0.1 with `headers` on every response; records each requested path in `served`. */
export async function serve(files: Files, headers: Record<string, string> = {}): Promise<{ url: string; served: string[]; close(): Promise<void> }> {
  const served: string[] = [];
  const server: Server = createServer((req, res) => {
    const file = files[req.url ?? ''];
    served.push(req.url ?? '');
    if (file === undefined) return void res.writeHead(404).end();
    res.writeHead(200, { 'content-type': file.type, ...headers }).end(file.body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/`,
    served,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

/** Headless Chromium without GPU, network services or first-run work. */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM, args: [...CHROMIUM_FLAGS] });
}

/** Opens `url` and awaits the page's `window.result`, with the page errors seen meanwhile. */
export async function pageResult<T>(browser: Browser, url: string): Promise<{ result: T; errors: string[] }> {
  const page = await browser.newPage();
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto(url);
  const result = (await page.evaluate(() => (window as unknown as { result: Promise<unknown> }).result)) as T;
  return { result, errors };
}
