// Whether this machine runs two threads side by side at full speed, per kind of work: a plain
// JavaScript loop, a stream of small tfjs ops (JS overhead), a wasm matMul and a wasm conv2d.
// Each kind runs in 1 worker thread, then in 2 at once; ms per iteration (per worker).
//   node apps/cli/bench/trainSpeed/sideBySide.mjs   (from the repository root)
import { Worker, isMainThread, parentPort, workerData } from 'node:worker_threads';

if (isMainThread) {
  const run = (n, kind) =>
    Promise.all(Array.from({ length: n }, () => new Promise((resolve) => new Worker(new URL(import.meta.url), { workerData: kind }).on('message', resolve))));
  for (const kind of ['js-loop', 'small-ops', 'matmul', 'conv2d']) {
    const one = await run(1, kind);
    const two = await run(2, kind);
    console.log(`${kind}: 1 thread ${one[0].toFixed(2)} ms; 2 side by side ${two.map((v) => v.toFixed(2)).join(' / ')} ms`);
  }
} else {
  const tf = await import('@tensorflow/tfjs');
  await import('@tensorflow/tfjs-backend-wasm');
  await tf.setBackend('wasm');
  const a = tf.randomUniform([256, 256]);
  const x = tf.randomUniform([32, 28, 28, 8]);
  const k = tf.randomUniform([3, 3, 8, 16]);
  const small = tf.randomUniform([64]);
  let sink = 0;
  const steps = {
    'js-loop': () => {
      for (let i = 0; i < 1e6; i++) sink += i % 7;
    },
    'small-ops': () =>
      tf.tidy(() => {
        let t = small;
        for (let i = 0; i < 200; i++) t = t.add(1).mul(0.5);
        t.dataSync();
      }),
    matmul: () => tf.tidy(() => tf.matMul(a, a).dataSync()),
    conv2d: () => tf.tidy(() => tf.conv2d(x, k, 1, 'same').dataSync()),
  };
  const step = steps[workerData];
  for (let i = 0; i < 10; i++) step();
  const t0 = performance.now();
  for (let i = 0; i < 100; i++) step();
  parentPort.postMessage((performance.now() - t0) / 100 + sink * 0);
}
