/**
 * evaluate on a model with two data inputs and two outputs (segmentation map + class scores),
 * with no labels: per-output fidelity checked against SQNR / cosine / max error computed here
 * from independent ORT runs of the float and compiled models, task metrics (`miou` on label maps
 * that are the float model's own argmax, so float mIoU is exactly 1) with value and drop, the
 * report valid against the schema, and the errors for data that does not fit the model.
 */
import { isQuantTrimError, type ErrorCode } from '@quant-trim/errors';
import { writeOnnx } from '@quant-trim/onnx-export';
import { ort } from '@quant-trim/test-utils/onnx';
import { beforeAll, describe, expect, it } from 'vitest';
import { compileForBackend } from '../../src/compile/compileForBackend.js';
import { evaluate, type EvaluationData } from '../../src/evaluate/evaluate.js';
import type { EvaluationReport } from '../../src/evaluate/reportTypes.js';
import { defineMetric } from '../../src/metrics/defineMetric.js';
import { builtinProfiles } from '../../src/profiles/builtinProfiles.js';
import { validateReport } from '../../src/report/validateReport.js';
import { values } from '../compile/fixtures.js';
import { multiInputModel } from '../compile/multiInputModel.js';

const N = 12;
const CAL = 16;
const model = multiInputModel();
const bytes = writeOnnx(model);
const inputs = { image: values(N * 36, 41, 1.5), meta: values(N * 4, 42, 1) };
const calibration = { image: values(CAL * 36, 43, 1.5), meta: values(CAL * 4, 44, 1) };
const sampleShape = { image: [1, 6, 6], meta: [4] };
const PROFILES = ['tflite-int8', 'ort-dynamic-u8s8', 'coreml-weight-only', 'hailo8-w4a8'] as const;

async function run(b: Uint8Array, level: 'disabled' | 'all' = 'disabled'): Promise<Record<string, Float32Array>> {
  const session = await ort.InferenceSession.create(b, { graphOptimizationLevel: level, logSeverityLevel: 3 });
  const out = await session.run({ image: new ort.Tensor('float32', inputs.image, [N, 1, 6, 6]), meta: new ort.Tensor('float32', inputs.meta, [N, 4]) });
  await session.release();
  return Object.fromEntries(Object.entries(out).map(([k, v]) => [k, v.data as Float32Array]));
}

/** The per-pixel argmax over the 3 classes of a [N, 3, 6, 6] map, as [N, 6, 6]. */
function argmaxMap(seg: Float32Array): number[] {
  const out: number[] = [];
  for (let n = 0; n < N; n++) {
    for (let p = 0; p < 36; p++) {
      let best = 0;
      for (let c = 1; c < 3; c++) if (seg[n * 108 + c * 36 + p]! > seg[n * 108 + best * 36 + p]!) best = c;
      out.push(best);
    }
  }
  return out;
}

describe('evaluate: two inputs, two outputs, no labels', () => {
  let report: EvaluationReport;
  let float: Record<string, Float32Array>;
  const centre = defineMetric({
    id: 'centre-logit',
    name: 'mean logit 0',
    higherIsBetter: true,
    needsTargets: false,
    compute: ({ outputs }) => {
      const logits = outputs.find((o) => o.name === 'logits')!;
      let sum = 0;
      for (let i = 0; i < logits.data.length; i += 3) sum += logits.data[i]!;
      return sum / (logits.data.length / 3);
    },
  });
  let data: EvaluationData;

  beforeAll(async () => {
    float = await run(bytes);
    data = { inputs, sampleShape, calibration, targets: argmaxMap(float['seg']!) };
    report = await evaluate({
      models: { name: 'two-in-two-out', onnx: bytes },
      data,
      profiles: [...PROFILES],
      metrics: ['miou', centre],
      runtimes: ['onnxruntime-node'],
      runtimeSamples: 4,
      latency: false,
      sensitivity: { samples: 4 },
    });
  }, 120_000);

  it('writes a valid report with the inputs and outputs, every profile ok', () => {
    expect(() => validateReport(report)).not.toThrow();
    const m = report.models[0]!;
    expect(m.inputs).toEqual([
      { name: 'image', sampleShape: [1, 6, 6] },
      { name: 'meta', sampleShape: [4] },
    ]);
    expect(m.outputs).toEqual([
      { name: 'seg', sampleShape: [3, 6, 6] },
      { name: 'logits', sampleShape: [3] },
    ]);
    expect(m.profiles.map((p) => [p.profile, p.status, p.error?.message])).toEqual(PROFILES.map((id) => [id, 'ok', undefined]));
    expect(report.data).toMatchObject({ samples: N, calibrationSamples: CAL, labelled: false });
    expect(m.float.accuracy).toBeUndefined();
  });

  it('fidelity per output equals SQNR, mean cosine and max error computed from independent ORT runs', async () => {
    for (const p of report.models[0]!.profiles) {
      const compiled = await compileForBackend(
        model,
        builtinProfiles[p.profile as (typeof PROFILES)[number]],
        [calibration].map((c) => ({ image: c.image, meta: c.meta })),
      );
      const quant = await run(compiled.bytes('emulate'));
      expect(p.fidelity!.map((f) => f.output)).toEqual(['seg', 'logits']);
      for (const f of p.fidelity!) {
        const a = float[f.output]!;
        const b = quant[f.output]!;
        const per = a.length / N;
        let signal = 0;
        let noise = 0;
        let maxAbs = 0;
        let cos = 0;
        for (let n = 0; n < N; n++) {
          let dot = 0;
          let aa = 0;
          let bb = 0;
          for (let i = n * per; i < (n + 1) * per; i++) {
            signal += a[i]! ** 2;
            noise += (a[i]! - b[i]!) ** 2;
            maxAbs = Math.max(maxAbs, Math.abs(a[i]! - b[i]!));
            dot += a[i]! * b[i]!;
            aa += a[i]! ** 2;
            bb += b[i]! ** 2;
          }
          cos += dot / Math.sqrt(aa * bb) / N;
        }
        expect(f.elements).toBe(per);
        expect(f.sqnrDb).toBeCloseTo(noise === 0 ? 999 : 10 * Math.log10(signal / noise), 6);
        expect(f.cosine).toBeCloseTo(cos, 9);
        expect(f.maxAbsError).toBeCloseTo(maxAbs, 9);
        expect(f.sqnrDb).toBeGreaterThan(10);
      }
    }
    // The dynamic profile quantizes only Gemm / MatMul inputs: the convolutional seg path stays float, bit for bit.
    const dynamic = report.models[0]!.profiles.find((p) => p.profile === 'ort-dynamic-u8s8')!;
    expect(dynamic.fidelity![0]).toEqual({ output: 'seg', elements: 108, sqnrDb: 999, cosine: 1, maxAbsError: 0 });
    expect(dynamic.fidelity![1]!.maxAbsError).toBeGreaterThan(0);
  });

  it('scores each metric for float and every profile: miou is 1 for float (targets are its argmax), drop = 1 − value', () => {
    const m = report.models[0]!;
    expect(m.float.scores).toEqual([
      { metric: 'miou', name: 'mean IoU', higherIsBetter: true, value: 1 },
      { metric: 'centre-logit', name: 'mean logit 0', higherIsBetter: true, value: expect.any(Number) as unknown as number },
    ]);
    for (const p of m.profiles) {
      const [miou, centreScore] = p.scores!;
      expect(miou).toMatchObject({ metric: 'miou', floatValue: 1 });
      expect(miou!.value).toBeGreaterThan(0.3);
      expect(miou!.value).toBeLessThanOrEqual(1);
      expect(miou!.drop).toBeCloseTo(1 - miou!.value, 12);
      expect(centreScore!.drop).toBeCloseTo(centreScore!.floatValue - centreScore!.value, 12);
    }
  });

  it('refuses data that does not fit the model, naming the input; unknown metrics and missing targets', async () => {
    const base = { models: { name: 'two', onnx: bytes }, profiles: ['tflite-int8'], runtimes: [], latency: false as const, sensitivity: false as const };
    const cases: [() => Promise<unknown>, ErrorCode, RegExp][] = [
      [() => evaluate({ ...base, data: { inputs: { image: inputs.image }, sampleShape, calibration } }), 'QT_INVALID_ARGUMENT', /no data for the input 'meta'/],
      [
        () => evaluate({ ...base, data: { inputs, sampleShape, calibration: { image: calibration.image } } }),
        'QT_INVALID_ARGUMENT',
        /data.calibration has no data for the input 'meta'/,
      ],
      [
        () => evaluate({ ...base, data: { inputs: inputs.image, sampleShape: [1, 6, 6], calibration: calibration.image } }),
        'QT_INVALID_ARGUMENT',
        /2 data inputs \('image', 'meta'\): give data.inputs and data.sampleShape per input name/,
      ],
      [
        () => evaluate({ ...base, data: { inputs: { ...inputs, extra: inputs.meta }, sampleShape: { ...sampleShape, extra: [4] }, calibration } }),
        'QT_INVALID_ARGUMENT',
        /'extra'.*no data input of that name/,
      ],
      [
        () => evaluate({ ...base, data: { inputs: { image: inputs.image, meta: inputs.meta.subarray(4) }, sampleShape, calibration } }),
        'QT_INVALID_ARGUMENT',
        /\['meta'\]: 11 samples, 'image' has 12/,
      ],
      [() => evaluate({ ...base, data: { inputs, sampleShape, calibration }, metrics: ['miou'] }), 'QT_INVALID_ARGUMENT', /metric "miou" needs targets/],
      [() => evaluate({ ...base, data: { inputs, sampleShape, calibration, targets: [1] }, metrics: ['map'] }), 'QT_UNKNOWN_METRIC', /map/],
    ];
    for (const [f, code, message] of cases) {
      let error: unknown;
      try {
        await f();
      } catch (e) {
        error = e;
      }
      expect(isQuantTrimError(error, code)).toBe(true);
      expect((error as Error).message).toMatch(message);
    }
  });
});

describe('evaluate: latency of a two-input model', () => {
  it('times every call with both inputs fed, on the real runtimes', async () => {
    const r = await evaluate({
      models: { name: 'two', onnx: bytes },
      data: { inputs, sampleShape, calibration },
      profiles: ['tflite-int8'],
      runtimes: ['onnxruntime-node'],
      runtimeSamples: 4,
      latency: { batchSizes: [1, 4], runs: 2, warmup: 1 },
      sensitivity: false,
    });
    for (const rows of [r.models[0]!.float.runtimes, r.models[0]!.profiles[0]!.runtimes!]) {
      expect(rows[0]!.latency.map((l) => [l.batch, l.runs])).toEqual([
        [1, 2],
        [4, 2],
      ]);
      expect(rows[0]!.latency.every((l) => l.p50Ms > 0 && l.p90Ms >= l.p50Ms)).toBe(true);
    }
  });
});

describe('evaluate: a single-output classifier keeps its fields and gains one fidelity row', () => {
  it('fidelity of the logits: cosine equals metrics.logitCosine', async () => {
    const single = multiInputModel();
    // Keep only the classification path of `image`: drop the meta branch and the seg output.
    single.graph.inputs = single.graph.inputs.filter((v) => v.name === 'image');
    single.graph.outputs = single.graph.outputs.filter((o) => o.name === 'logits');
    single.graph.nodes = single.graph.nodes.filter((n) => !['meta_fc', 'seg_head'].includes(n.name));
    single.graph.nodes.find((n) => n.name === 'add')!.opType = 'Identity';
    single.graph.nodes.find((n) => n.name === 'add')!.inputs = ['f'];
    for (const k of ['wm', 'bm', 'w2', 'b2']) single.graph.initializers.delete(k);
    const labels = Array.from({ length: N }, (_, i) => i % 3);
    const r = await evaluate({
      models: { name: 'single', onnx: single },
      data: { inputs: inputs.image, sampleShape: [1, 6, 6], labels, calibration: calibration.image },
      profiles: ['tflite-int8'],
      metrics: ['top5'],
      runtimes: [],
      latency: false,
      sensitivity: false,
    });
    const p = r.models[0]!.profiles[0]!;
    expect(p.metrics).toMatchObject({ samples: N, accuracy: expect.any(Number), drop: expect.any(Number), top1Agreement: expect.any(Number) });
    expect(p.fidelity).toHaveLength(1);
    expect(p.fidelity![0]!.output).toBe('logits');
    expect(p.fidelity![0]!.cosine).toBeCloseTo(p.metrics!.logitCosine, 6);
    // 3 classes: the label is always among the top 5.
    expect(p.scores).toEqual([{ metric: 'top5', name: 'top-5 accuracy', higherIsBetter: true, value: 1, floatValue: 1, drop: 0 }]);
  });
});
