import { existsSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CHROMIUM, appFiles, bundleEntry, launchChromium, pageResult, serve } from './browserKit.js';

const hasChromium = existsSync(CHROMIUM);
if (!hasChromium) console.warn(`skipping browser data-parallel training: ${CHROMIUM} not found; install with apt-get install -y chromium`);

interface Replica {
  readonly rank: number;
  readonly error?: string;
  readonly losses: number[];
  readonly weights: Record<string, number[]>;
}

describe.skipIf(!hasChromium)('data-parallel training in Web Workers (headless Chromium, cross-origin isolated)', () => {
  let server: Awaited<ReturnType<typeof serve>>;
  beforeAll(async () => {
    const worker = { '/worker.js': { body: await bundleEntry('dataParallelWorker.ts'), type: 'text/javascript' } };
    // SharedArrayBuffer needs a cross-origin-isolated page (and workers).
    server = await serve(appFiles(await bundleEntry('dataParallelPage.ts'), worker), {
      'cross-origin-opener-policy': 'same-origin',
      'cross-origin-embedder-policy': 'require-corp',
    });
  }, 300_000);
  afterAll(async () => {
    await server?.close();
  });

  it('two Web Worker replicas end identical to each other and equal to one replica up to float summation order', async () => {
    const browser = await launchChromium();
    try {
      const { result, errors } = await pageResult<{ error?: string; isolated: boolean; one: Replica[]; two: Replica[] }>(browser, server.url);
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
