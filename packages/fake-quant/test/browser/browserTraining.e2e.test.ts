import { existsSync, readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const CHROMIUM = '/usr/bin/chromium';
const hasChromium = existsSync(CHROMIUM);
if (!hasChromium) console.warn(`skipping browser training: ${CHROMIUM} not found; install with apt-get install -y chromium`);

const here = dirname(fileURLToPath(import.meta.url));
const wasmDir = join(dirname(fileURLToPath(import.meta.resolve('@tensorflow/tfjs-backend-wasm/package.json'))), 'dist');

describe.skipIf(!hasChromium)('training in a browser (headless Chromium, wasm backend, from a bundle)', () => {
  let server: Server;
  let url: string;
  const served: string[] = [];
  beforeAll(async () => {
    // The bundle a browser app would ship: the package through its public entry, tfjs and the wasm backend.
    const bundle = await build({
      entryPoints: [join(here, 'entry.ts')],
      bundle: true,
      format: 'esm',
      platform: 'browser',
      write: false,
      conditions: ['@quant-trim/source'],
      logLevel: 'silent',
    });
    const js = bundle.outputFiles[0]!.contents;
    const files: Record<string, { body: Uint8Array | string; type: string }> = {
      '/': { body: '<!doctype html><meta charset="utf-8"><script type="module" src="/app.js"></script>', type: 'text/html' },
      '/app.js': { body: js, type: 'text/javascript' },
    };
    // Exactly what the README tells a browser app to serve.
    for (const name of ['tfjs-backend-wasm.wasm', 'tfjs-backend-wasm-simd.wasm', 'tfjs-backend-wasm-threaded-simd.wasm'])
      files[`/wasm/${name}`] = { body: readFileSync(join(wasmDir, name)), type: 'application/wasm' };
    server = createServer((req, res) => {
      const file = files[req.url ?? ''];
      served.push(req.url ?? '');
      if (file === undefined) return void res.writeHead(404).end();
      res.writeHead(200, { 'content-type': file.type }).end(file.body);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
  }, 300_000);
  afterAll(async () => {
    await new Promise((resolve) => server?.close(resolve));
  });

  it("trains a few Quant-Trim steps: the SIMD binary from wasmPaths, the package's kernels, a falling finite loss", async () => {
    const browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
    });
    try {
      const page = await browser.newPage();
      const errors: string[] = [];
      page.on('pageerror', (e) => errors.push(e.message));
      await page.goto(url);
      const result = (await page.evaluate(() => (window as unknown as { result: Promise<unknown> }).result)) as Record<string, unknown>;
      expect(errors).toEqual([]);
      expect(result['error']).toBeUndefined();
      expect(result).toMatchObject({ backend: 'wasm', simd: true, finite: true, lambda: 1 });
      expect(result['kernels']).toBeGreaterThan(0);
      expect(result['last'] as number).toBeLessThan(result['first'] as number);
      // Not cross-origin isolated, so the SIMD binary, not the threaded one.
      expect(served.filter((u) => u.startsWith('/wasm/'))).toEqual(['/wasm/tfjs-backend-wasm-simd.wasm']);
    } finally {
      await browser.close();
    }
  });
});
