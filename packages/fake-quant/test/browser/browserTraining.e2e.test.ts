import { existsSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CHROMIUM, appFiles, bundleEntry, launchChromium, pageResult, serve } from './browserKit.js';

const hasChromium = existsSync(CHROMIUM);
if (!hasChromium) console.warn(`skipping browser training: ${CHROMIUM} not found; install with apt-get install -y chromium`);

describe.skipIf(!hasChromium)('training in a browser (headless Chromium, wasm backend, from a bundle)', () => {
  let server: Awaited<ReturnType<typeof serve>>;
  beforeAll(async () => {
    // The bundle a browser app would ship (the package through its public entry, tfjs and the wasm
    // backend), and exactly the files the README tells a browser app to serve.
    server = await serve(appFiles(await bundleEntry('entry.ts')));
  }, 300_000);
  afterAll(async () => {
    await server?.close();
  });

  it("trains a few Quant-Trim steps: the SIMD binary from wasmPaths, the package's kernels, a falling finite loss", async () => {
    const browser = await launchChromium();
    try {
      const { result, errors } = await pageResult<Record<string, unknown>>(browser, server.url);
      expect(errors).toEqual([]);
      expect(result['error']).toBeUndefined();
      expect(result).toMatchObject({ backend: 'wasm', simd: true, finite: true, lambda: 1 });
      expect(result['kernels']).toBeGreaterThan(0);
      expect(result['last'] as number).toBeLessThan(result['first'] as number);
      // Not cross-origin isolated, so the SIMD binary, not the threaded one.
      expect(server.served.filter((u) => u.startsWith('/wasm/'))).toEqual(['/wasm/tfjs-backend-wasm-simd.wasm']);
    } finally {
      await browser.close();
    }
  });
});
