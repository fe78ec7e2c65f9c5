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
if (!hasChromium) console.warn(`skipping browser data-parallel training: ${CHROMIUM} not found; install with apt-get install -y chromium`);

const here = dirname(fileURLToPath(import.meta.url));
const wasmDir = join(dirname(fileURLToPath(import.meta.resolve('@tensorflow/tfjs-backend-wasm/package.json'))), 'dist');

interface Replica {
  readonly rank: number;
  readonly error?: string;
  readonly losses: number[];
  readonly weights: Record<string, number[]>;
}

describe.skipIf(!hasChromium)('data-parallel training in Web Workers (headless Chromium, cross-origin isolated)', () => {
  let server: Server;
  let url: string;
  beforeAll(async () => {
    const bundle = async (entry: string) =>
      (
        await build({
          entryPoints: [join(here, entry)],
          bundle: true,
          format: 'esm',
          platform: 'browser',
          write: false,
          conditions: ['@quant-trim/source'],
          logLevel: 'silent',
        })
      ).outputFiles[0]!.contents;
    const files: Record<string, { body: Uint8Array | string; type: string }> = {
      '/': { body: '<!doctype html><meta charset="utf-8"><script type="module" src="/app.js"></script>', type: 'text/html' },
      '/app.js': { body: await bundle('dataParallelPage.ts'), type: 'text/javascript' },
      '/worker.js': { body: await bundle('dataParallelWorker.ts'), type: 'text/javascript' },
    };
    for (const name of ['tfjs-backend-wasm.wasm', 'tfjs-backend-wasm-simd.wasm', 'tfjs-backend-wasm-threaded-simd.wasm'])
      files[`/wasm/${name}`] = { body: readFileSync(join(wasmDir, name)), type: 'application/wasm' };
    server = createServer((req, res) => {
      const file = files[req.url ?? ''];
      if (file === undefined) return void res.writeHead(404).end();
      // SharedArrayBuffer needs a cross-origin-isolated page (and workers).
      res
        .writeHead(200, { 'content-type': file.type, 'cross-origin-opener-policy': 'same-origin', 'cross-origin-embedder-policy': 'require-corp' })
        .end(file.body);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
  }, 300_000);
  afterAll(async () => {
    await new Promise((resolve) => server?.close(resolve));
  });

  it('two Web Worker replicas end identical to each other and equal to one replica up to float summation order', async () => {
    const browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking'],
    });
    try {
      const page = await browser.newPage();
      const errors: string[] = [];
      page.on('pageerror', (e) => errors.push(e.message));
      await page.goto(url);
      const result = (await page.evaluate(() => (window as unknown as { result: Promise<unknown> }).result)) as {
        error?: string;
        isolated: boolean;
        one: Replica[];
        two: Replica[];
      };
      expect(errors).toEqual([]);
      expect(result.error).toBeUndefined();
      expect(result.isolated).toBe(true);
      for (const r of [...result.one, ...result.two]) expect(r.error, `replica ${r.rank}`).toBeUndefined();
      const [a, b] = result.two;
      expect(b!.weights).toEqual(a!.weights);
      expect(b!.losses).toEqual(a!.losses);
      const single = result.one[0]!;
      expect(Object.keys(a!.weights).some((n) => n.endsWith('moving_mean'))).toBe(true);
      for (const [name, values] of Object.entries(single.weights))
        values.forEach((v, i) => expect(Math.abs(a!.weights[name]![i]! - v), `${name}[${i}]`).toBeLessThan(5e-5 * Math.max(1, Math.abs(v))));
    } finally {
      await browser.close();
    }
  }, 300_000);
});
