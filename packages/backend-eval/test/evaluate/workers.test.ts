import { readOnnx, writeOnnx } from '@quant-trim/onnx-export';
import { buildModel, DataType } from '@quant-trim/test-utils/onnx';
import { isQuantTrimError } from '@quant-trim/errors';
import { describe, expect, it } from 'vitest';
import { evaluate, type EvaluateProgress } from '../../src/evaluate/evaluate.js';
import type { EvaluationReport } from '../../src/evaluate/reportTypes.js';
import { defineMetric } from '../../src/metrics/defineMetric.js';
import { workersFor, worthPooling } from '../../src/evaluate/profilePool.js';

const vals = (n: number, seed: number, amp = 1) => Array.from({ length: n }, (_, i) => Math.sin(i * 12.9898 + seed * 78.233) * amp);

/** x[N,1,6,6] → Conv → Relu → Flatten → Gemm → y[N,3]. */
function model(): Uint8Array {
  const m = readOnnx(
    buildModel({
      opset: 13,
      inputs: [{ name: 'x', dataType: DataType.FLOAT, dims: [1, 1, 6, 6] }],
      outputs: [{ name: 'y', dataType: DataType.FLOAT, dims: [1, 3] }],
      initializers: [
        { name: 'w1', dataType: DataType.FLOAT, dims: [4, 1, 3, 3], values: vals(36, 1, 0.5) },
        { name: 'w2', dataType: DataType.FLOAT, dims: [3, 64], values: vals(192, 3, 0.3) },
      ],
      nodes: [
        { opType: 'Conv', inputs: ['x', 'w1'], outputs: ['c'] },
        { opType: 'Relu', inputs: ['c'], outputs: ['r'] },
        { opType: 'Flatten', inputs: ['r'], outputs: ['f'] },
        { opType: 'Gemm', inputs: ['f', 'w2'], outputs: ['y'], attributes: { transB: 1 } },
      ],
    }),
  );
  m.graph.inputs[0]!.shape![0] = 'N';
  m.graph.outputs[0]!.shape![0] = 'N';
  return writeOnnx(m);
}

const inputs = Float32Array.from(vals(60 * 36, 7, 2));
const calibration = Float32Array.from(vals(32 * 36, 8, 2));
const labels = Array.from({ length: 60 }, (_, i) => i % 3);
const PROFILES = ['tflite-int8', 'trt-int8-entropy', 'edgetpu-strict', 'ort-dynamic-u8s8', 'hailo8-w4a8'];

/** The report without what differs run to run (wall times, creation time). */
function stable(report: EvaluationReport): unknown {
  return JSON.parse(JSON.stringify(report, (key, value: unknown) => (['timing', 'createdAt', 'seconds', 'p50Ms', 'p90Ms'].includes(key) ? undefined : value)));
}

describe('evaluate with worker threads', () => {
  it('gives the same report with 2 workers as with 1 (profiles in a tinypool pool, data in shared memory)', async () => {
    const run = (workers: number, events?: EvaluateProgress[]) =>
      evaluate({
        models: [
          { name: 'a', onnx: model() },
          { name: 'b', onnx: model(), compile: { weightBits: {} } },
        ],
        profiles: PROFILES,
        data: { inputs, labels, sampleShape: [1, 6, 6], calibration },
        runtimes: ['onnxruntime-node', 'onnxruntime-web'],
        runtimeSamples: 16,
        latency: { batchSizes: [1, 4], runs: 3, warmup: 1 },
        sensitivity: { samples: 32 },
        predictions: true,
        metrics: ['top5'],
        workers,
        ...(events ? { onProgress: (e: EvaluateProgress) => events.push(e) } : {}),
      });
    const events: EvaluateProgress[] = [];
    const [one, two] = [await run(1), await run(2, events)];
    expect(stable(two)).toEqual(stable(one));
    expect(two.environment.runtimes['onnxruntime-node']).toBe(one.environment.runtimes['onnxruntime-node']);
    // latency is measured after the pool, on the calling thread: every runtime row of every profile has both batch sizes
    for (const p of two.models[0]!.profiles) for (const r of p.runtimes!) expect(r.latency.map((l) => l.batch)).toEqual([1, 4]);
    // every profile of every model reported its stages from the workers
    for (const m of ['a', 'b']) for (const p of PROFILES) expect(events.some((e) => e.model === m && e.profile === p && e.stage === 'compile')).toBe(true);
    expect(events.filter((e) => e.stage === 'done').map((e) => e.model)).toEqual(['a', 'b']);
  }, 240_000);

  it("stays on the calling thread for a calibration function or a caller's own metric, and rejects a bad count", async () => {
    const mean = defineMetric({
      id: 'mean-logit',
      name: 'mean logit',
      higherIsBetter: true,
      compute: ({ outputs }) => outputs[0]!.data.reduce((a, b) => a + b, 0) / outputs[0]!.data.length,
    });
    const base = { models: { name: 'a', onnx: model() }, profiles: PROFILES.slice(0, 2), runtimes: [], latency: false as const, sensitivity: false as const };
    const custom = await evaluate({ ...base, data: { inputs, labels, sampleShape: [1, 6, 6], calibration }, metrics: [mean], workers: 2 });
    expect(custom.models[0]!.profiles.every((p) => p.scores?.[0]?.metric === 'mean-logit')).toBe(true);
    const fn = await evaluate({ ...base, data: { inputs, labels, sampleShape: [1, 6, 6], calibration: () => [calibration] }, workers: 2 });
    expect(fn.models[0]!.profiles.every((p) => p.status === 'ok')).toBe(true);
    const bad = await evaluate({ ...base, data: { inputs, labels, sampleShape: [1, 6, 6], calibration }, workers: 0 }).catch((e: unknown) => e);
    expect(isQuantTrimError(bad, 'QT_INVALID_ARGUMENT')).toBe(true);
    expect((bad as Error).message).toMatch(/workers: expected an integer ≥ 1 or 'auto', got 0/);
  }, 120_000);

  it("'auto' pools only evaluations large enough to repay the workers' start-up", () => {
    // 200 test images of a tiny model on 12 profiles: the calling thread
    expect(worthPooling(200, 5e4, 12)).toBe(false);
    expect(workersFor('auto', 200, 5e4, 12)).toBe(1);
    // 10,000 images of the reference CNN on 12 profiles, or 1,000 ResNet-18 images (1.8 GMACs): the pool
    expect(worthPooling(10_000, 2e5, 12)).toBe(true);
    expect(worthPooling(1_000, 1.8e9, 12)).toBe(true);
    // one profile never pools; an explicit count is taken as given
    expect(worthPooling(1e6, 1e9, 1)).toBe(false);
    expect(workersFor(3, 10, 10, 2)).toBe(3);
  });
});
