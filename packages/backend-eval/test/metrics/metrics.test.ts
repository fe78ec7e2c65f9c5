/**
 * Per-output fidelity and the task-metric plugin API: values checked against numbers computed by
 * hand in the comments, defineMetric's validation errors, the registry rules, and the built-in
 * `top5`, `miou` and `mse`.
 */
import { isQuantTrimError } from '@quant-trim/errors';
import { describe, expect, it } from 'vitest';
import { builtinMetrics, defaultMetricRegistry, miouMetric, topKMetric } from '../../src/metrics/builtinMetrics.js';
import {
  computeMetric,
  createMetricRegistry,
  defineMetric,
  isValidatedMetric,
  type MetricDefinition,
  type MetricInput,
} from '../../src/metrics/defineMetric.js';
import { outputFidelity, type OutputValues } from '../../src/metrics/fidelity.js';

const out = (name: string, sampleShape: number[], data: number[]): OutputValues => ({ name, sampleShape, data: Float32Array.from(data) });

function codeOf(f: () => unknown): { code: string; message: string } {
  try {
    f();
  } catch (e) {
    if (isQuantTrimError(e)) return { code: e.code, message: e.message };
    throw e;
  }
  throw new Error('expected a QuantTrimError');
}

describe('outputFidelity', () => {
  it('SQNR, mean per-sample cosine and max abs error, by hand', () => {
    // Sample 0: f = (3, 4), q = (3, 3); sample 1: f = (1, 0), q = (0, 1).
    // Σf² = 9 + 16 + 1 = 26, Σ(f − q)² = 1 + 1 + 1 = 3 → SQNR = 10·log10(26 / 3) = 9.3785 dB.
    // cos0 = (9 + 12) / (5 · √18) = 0.989949, cos1 = 0 → mean 0.494975. max |f − q| = 1.
    const f = outputFidelity(out('y', [2], [3, 4, 1, 0]), out('y', [2], [3, 3, 0, 1]));
    expect(f.output).toBe('y');
    expect(f.elements).toBe(2);
    expect(f.sqnrDb).toBeCloseTo(10 * Math.log10(26 / 3), 10);
    expect(f.sqnrDb).toBeCloseTo(9.3785, 4);
    expect(f.cosine).toBeCloseTo((21 / (5 * Math.sqrt(18)) + 0) / 2, 10);
    expect(f.maxAbsError).toBe(1);
  });

  it('identical outputs report 999 dB and cosine 1; zero signal −999 dB; both-zero rows count as cosine 1', () => {
    expect(outputFidelity(out('y', [3], [1, -2, 0.5]), out('y', [3], [1, -2, 0.5]))).toEqual({
      output: 'y',
      elements: 3,
      sqnrDb: 999,
      cosine: 1,
      maxAbsError: 0,
    });
    const noSignal = outputFidelity(out('z', [2], [0, 0]), out('z', [2], [0, 0.5]));
    expect(noSignal).toMatchObject({ sqnrDb: -999, cosine: 0, maxAbsError: 0.5 });
  });

  it('refuses outputs of different sizes (QT_SHAPE_MISMATCH naming the output)', () => {
    expect(codeOf(() => outputFidelity(out('seg', [2], [1, 2]), out('seg', [3], [1, 2, 3])))).toMatchObject({
      code: 'QT_SHAPE_MISMATCH',
      message: expect.stringMatching(/output 'seg'/) as unknown as string,
    });
  });
});

describe('defineMetric', () => {
  const good: MetricDefinition = {
    id: 'mean-out',
    name: 'mean output',
    higherIsBetter: true,
    needsTargets: false,
    compute: ({ outputs }) => outputs[0]!.data.reduce((a, v) => a + v, 0) / outputs[0]!.data.length,
  };

  it('returns a validated, frozen metric; needsTargets defaults to true', () => {
    const m = defineMetric(good);
    expect(Object.isFrozen(m)).toBe(true);
    expect(isValidatedMetric(m)).toBe(true);
    expect(isValidatedMetric({ ...m })).toBe(false);
    expect(m.needsTargets).toBe(false);
    expect(defineMetric({ id: 'x', name: 'x', higherIsBetter: false, compute: () => 0 }).needsTargets).toBe(true);
    expect(computeMetric(m, { outputs: [out('y', [2], [1, 3, 5, 7])], samples: 2 })).toBe(4);
  });

  it.each([
    [null, 'metric', /expected an object/],
    [{ ...good, id: 'Bad Id' }, 'metrics.Bad Id.id', /kebab-case/],
    [{ ...good, id: 7 }, 'metric.id', /kebab-case id.*got 7/],
    [{ ...good, name: '' }, 'metrics.mean-out.name', /non-empty string/],
    [{ ...good, higherIsBetter: 'yes' }, 'metrics.mean-out.higherIsBetter', /expected a boolean, got "yes"/],
    [{ ...good, needsTargets: 1 }, 'metrics.mean-out.needsTargets', /expected a boolean/],
    [{ ...good, description: 3 }, 'metrics.mean-out.description', /expected a string/],
    [{ ...good, compute: 'x' }, 'metrics.mean-out.compute', /expected a function/],
    [{ ...good, extra: 1 }, 'metrics.mean-out.extra', /unknown field/],
  ])('refuses %j with QT_INVALID_PLUGIN naming %s', (definition, field, message) => {
    const e = codeOf(() => defineMetric(definition as unknown as MetricDefinition));
    expect(e.code).toBe('QT_INVALID_PLUGIN');
    expect(e.message.startsWith(`${field}: `)).toBe(true);
    expect(e.message).toMatch(message);
  });

  it('a compute that returns a non-finite value is QT_INVALID_PLUGIN naming the metric', () => {
    const nan = defineMetric({ id: 'nan', name: 'nan', higherIsBetter: true, needsTargets: false, compute: () => Number.NaN });
    expect(codeOf(() => computeMetric(nan, { outputs: [], samples: 0 }))).toMatchObject({
      code: 'QT_INVALID_PLUGIN',
      message: expect.stringMatching(/metric "nan" returned/) as unknown as string,
    });
  });
});

describe('metric registries', () => {
  it('hold the built-ins by default; duplicates and unvalidated metrics follow the shared registry rules', () => {
    expect(defaultMetricRegistry.ids()).toEqual(['miou', 'mse', 'top5']);
    const r = createMetricRegistry();
    expect(r.ids()).toEqual([]);
    const m = defineMetric({ id: 'miou', name: 'other', higherIsBetter: true, compute: () => 0 });
    r.register(builtinMetrics.miou);
    r.register(builtinMetrics.miou);
    expect(codeOf(() => r.register(m)).code).toBe('QT_DUPLICATE_NAME');
    r.register(m, { override: true });
    expect(r.get('miou')).toBe(m);
    expect(codeOf(() => r.get('map')).code).toBe('QT_UNKNOWN_METRIC');
    expect(codeOf(() => r.register({ ...m })).code).toBe('QT_INVALID_PLUGIN');
  });
});

describe('built-in metrics, by hand', () => {
  it('top5 / topKMetric: label among the k largest (ties with the k-th count in)', () => {
    // 2 samples × 6 classes. Sample 0: label 0 has the smallest value (5 larger) → miss.
    // Sample 1: label 2 has value 0.5; larger values: 0.9, 0.8 → rank 3 → hit for top5 and top3, miss for top2.
    const input: MetricInput = { outputs: [out('logits', [6], [0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.9, 0.8, 0.5, 0.1, 0.2, 0.3])], samples: 2, targets: [0, 2] };
    expect(computeMetric(builtinMetrics.top5, input)).toBe(0.5);
    expect(computeMetric(topKMetric(3), input)).toBe(0.5);
    expect(computeMetric(topKMetric(2), input)).toBe(0);
    expect(codeOf(() => computeMetric(builtinMetrics.top5, { ...input, targets: [0, 9] })).code).toBe('QT_INVALID_ARGUMENT');
    expect(codeOf(() => computeMetric(builtinMetrics.top5, { ...input, targets: [0] })).code).toBe('QT_SHAPE_MISMATCH');
  });

  it('miou: per-pixel argmax over the class axis vs label maps, one confusion matrix over all samples', () => {
    // 2 samples, 3 classes, 1×2 pixels: output [N, C=3, H=1, W=2].
    // Sample 0 scores (class-major): c0 = (5, 0), c1 = (1, 2), c2 = (0, 9) → pred (0, 2); labels (0, 1).
    // Sample 1 scores: c0 = (0, 0), c1 = (3, 1), c2 = (1, 4) → pred (1, 2); labels (1, 255 = ignored).
    // Class 0: I = 1, pred 1, label 1 → IoU 1. Class 1: I = 1, pred 1, label 2 → U = 2 → 0.5.
    // Class 2: I = 0, pred 1, label 0 → U = 1 → 0. mIoU = (1 + 0.5 + 0) / 3 = 0.5.
    const seg = out('seg', [3, 1, 2], [5, 0, 1, 2, 0, 9, 0, 0, 3, 1, 1, 4]);
    expect(computeMetric(builtinMetrics.miou, { outputs: [seg], samples: 2, targets: [0, 1, 1, 255] })).toBeCloseTo(0.5, 12);
    // Without the ignore index the last pixel (pred 2, label 0) counts: class 0 U = 2 → 0.5; class 2 I = 0, U = 2 → 0.
    expect(computeMetric(miouMetric({ ignoreIndex: -1 }), { outputs: [seg], samples: 2, targets: [0, 1, 1, 0] })).toBeCloseTo((0.5 + 0.5 + 0) / 3, 12);
    // Channels-last output [N, H, W, C] with classAxis 3 gives the same as the transposed data.
    const nhwc = out('seg', [1, 2, 3], [5, 1, 0, 0, 2, 9, 0, 3, 1, 0, 1, 4]);
    expect(computeMetric(miouMetric({ classAxis: 3 }), { outputs: [nhwc], samples: 2, targets: [0, 1, 1, 255] })).toBeCloseTo(0.5, 12);
    expect(codeOf(() => computeMetric(builtinMetrics.miou, { outputs: [seg], samples: 2, targets: [0, 1, 1] })).code).toBe('QT_SHAPE_MISMATCH');
    expect(codeOf(() => computeMetric(builtinMetrics.miou, { outputs: [seg], samples: 2, targets: [0, 1, 1, 7] })).message).toMatch(
      /not a class index in 0\.\.2/,
    );
    expect(codeOf(() => computeMetric(miouMetric({ output: 'mask' }), { outputs: [seg], samples: 2, targets: [0, 1, 1, 0] })).message).toMatch(
      /no output 'mask'.*'seg'/,
    );
  });

  it('mse: mean squared error against regression targets (lower is better)', () => {
    // (1 − 0)² + (2 − 4)² + (3 − 3)² + (−1 − 1)² = 1 + 4 + 0 + 4 = 9 → 9 / 4.
    expect(computeMetric(builtinMetrics.mse, { outputs: [out('y', [2], [1, 2, 3, -1])], samples: 2, targets: [0, 4, 3, 1] })).toBe(2.25);
    expect(builtinMetrics.mse.higherIsBetter).toBe(false);
  });
});
