import { isQuantTrimError } from '@quant-trim/errors';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runLogits } from '../../src/runtime/runBatches.js';
import { createRuntimeSession, type RuntimeSession } from '../../src/runtime/sessions.js';
import { CLASSES, floatModel, qdqModel, SAMPLE, SAMPLE_SIZE, values } from './models.js';

const N = 10;
const X = values(N * SAMPLE_SIZE, 21, 2);

describe('runLogits', () => {
  let free: RuntimeSession;
  let fixed: RuntimeSession;
  let whole: Float32Array;
  beforeAll(async () => {
    free = await createRuntimeSession('onnxruntime-node', floatModel(), { mode: 'emulate' });
    fixed = await createRuntimeSession('onnxruntime-node', floatModel(4), { mode: 'emulate' });
    whole = await free.run(X, [N, ...SAMPLE]);
  });
  afterAll(async () => {
    await free.release();
    await fixed.release();
  });

  it('runs every sample with a smaller last batch', async () => {
    const calls: number[] = [];
    const counting: RuntimeSession = { ...free, run: (x, dims) => (calls.push(dims[0]!), free.run(x, dims)) };
    const out = await runLogits(counting, X, [...SAMPLE], { batchSize: 4 });
    expect(calls).toEqual([4, 4, 2]);
    expect(out.classes).toBe(CLASSES);
    expect(out.data).toEqual(whole);
  });

  it('pads the last batch of a fixed-batch model and drops the padded rows', async () => {
    expect(fixed.inputShape).toEqual([4, ...SAMPLE]);
    const calls: number[] = [];
    const counting: RuntimeSession = { ...fixed, run: (x, dims) => (calls.push(dims[0]!), fixed.run(x, dims)) };
    const inferred = await runLogits(counting, X, [...SAMPLE], { batchSize: 256 });
    expect(calls).toEqual([4, 4, 4]);
    expect(inferred).toEqual({ data: whole, classes: CLASSES });
    expect(await runLogits(fixed, X, [...SAMPLE], { fixedBatch: 4 })).toEqual({ data: whole, classes: CLASSES });
  });

  it('runs a QDQ model in one batch by default', async () => {
    const s = await createRuntimeSession('onnxruntime-web', qdqModel('pow2'), { mode: 'native' });
    const out = await runLogits(s, X, [...SAMPLE]);
    expect(out.data).toEqual(await s.run(X, [N, ...SAMPLE]));
    await s.release();
  });

  it('rejects data that is not whole samples, and bad batch sizes', async () => {
    await expect(runLogits(free, X.subarray(1), [...SAMPLE])).rejects.toSatisfy((e) => isQuantTrimError(e, 'QT_SHAPE_MISMATCH'));
    await expect(runLogits(free, X, [...SAMPLE], { batchSize: 0 })).rejects.toSatisfy((e) => isQuantTrimError(e, 'QT_INVALID_ARGUMENT'));
  });
});
