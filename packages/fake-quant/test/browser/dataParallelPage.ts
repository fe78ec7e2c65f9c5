// Bundled by dataParallel.e2e.test.ts: the page runs the same data-parallel training with 1 and
// with 2 Web Workers over one SharedArrayBuffer each, and reports what each replica ended with.
import { createCollectiveBuffer } from '@quant-trim/fake-quant';

function run(size: number): Promise<unknown[]> {
  const buffer = createCollectiveBuffer(size);
  return Promise.all(
    Array.from(
      { length: size },
      (_, rank) =>
        new Promise((resolve) => {
          const worker = new Worker('/worker.js', { type: 'module' });
          worker.onmessage = (e) => {
            resolve(e.data);
            worker.terminate();
          };
          worker.onerror = (e) => resolve({ rank, error: e.message });
          worker.postMessage({ buffer, rank, size, steps: 5 });
        }),
    ),
  );
}

(window as unknown as { result: Promise<unknown> }).result = (async () => ({
  isolated: self.crossOriginIsolated,
  one: await run(1),
  two: await run(2),
}))().catch((e: Error) => ({ error: `${e.name}: ${e.message}` }));
