import { isQuantTrimError } from '@quant-trim/errors';
import { describe, expect, it } from 'vitest';
import { measureLatency, nearestRank } from '../../src/runtime/latency.js';
import { createRuntimeSession, type RuntimeSession } from '../../src/runtime/sessions.js';
import { floatModel, qdqModel, SAMPLE, SAMPLE_SIZE, values } from './models.js';

describe('measureLatency', () => {
  it('reports sane nearest-rank percentiles per batch size', async () => {
    const s = await createRuntimeSession('onnxruntime-node', qdqModel('real'), { mode: 'native' });
    let calls = 0;
    const counting: RuntimeSession = { ...s, run: (x, dims) => (calls++, s.run(x, dims)) };
    const stats = await measureLatency(counting, [...SAMPLE], { runs: 15, warmup: 2 });
    await s.release();
    expect(stats.map((r) => [r.batch, r.runs])).toEqual([
      [1, 15],
      [32, 15],
    ]);
    for (const r of stats) {
      expect(r.p50Ms).toBeGreaterThan(0);
      expect(r.p90Ms).toBeGreaterThanOrEqual(r.p50Ms);
    }
    expect(calls).toBe(2 * (15 + 2));
  });

  it('feeds the given samples, cycled, and times only the fixed batch of a fixed-batch model', async () => {
    const s = await createRuntimeSession('onnxruntime-web', floatModel(4), { mode: 'native' });
    const input = values(3 * SAMPLE_SIZE, 5);
    const fed: Float32Array[] = [];
    const recording: RuntimeSession = { ...s, run: (x, dims) => (fed.push(x), s.run(x, dims)) };
    const stats = await measureLatency(recording, [...SAMPLE], { runs: 3, warmup: 0, input });
    await s.release();
    expect(stats.map((r) => r.batch)).toEqual([4]);
    expect(fed[0]!.subarray(3 * SAMPLE_SIZE)).toEqual(input.subarray(0, SAMPLE_SIZE));
  });

  it('rejects input that is not whole samples', async () => {
    const s = await createRuntimeSession('onnxruntime-node', floatModel(), { mode: 'native' });
    await expect(measureLatency(s, [...SAMPLE], { input: new Float32Array(5) })).rejects.toSatisfy((e) => isQuantTrimError(e, 'QT_SHAPE_MISMATCH'));
    await s.release();
  });
});

describe('nearestRank', () => {
  it('takes the ceil(p·n)-th smallest value', () => {
    const sorted = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10];
    expect(nearestRank(sorted, 50)).toBe(5);
    expect(nearestRank(sorted, 90)).toBe(9);
    expect(nearestRank(sorted, 91)).toBe(10);
    expect(nearestRank([7], 50)).toBe(7);
  });
});
