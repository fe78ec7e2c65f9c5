import { QuantTrimError } from '@quant-trim/errors';
import { createMetricRegistry, defineMetric, type Metric, type MetricInput, type MetricRegistry } from './defineMetric.js';
import type { OutputValues } from './fidelity.js';

/** The output a metric reads: `name`, else the model's first output. */
function pickOutput(metric: string, input: MetricInput, name: string | undefined): OutputValues {
  const out = name === undefined ? input.outputs[0] : input.outputs.find((o) => o.name === name);
  if (out === undefined) {
    throw new QuantTrimError({
      code: 'QT_INVALID_ARGUMENT',
      message: `metric "${metric}": the model has no output '${name ?? '(none)'}' (its outputs: ${input.outputs.map((o) => `'${o.name}'`).join(', ')})`,
      details: { metric, output: name },
    });
  }
  return out;
}

function targetsOf(metric: string, input: MetricInput, expected: number, what: string): ArrayLike<number> {
  const t = input.targets;
  if (t === undefined)
    throw new QuantTrimError({
      code: 'QT_INVALID_ARGUMENT',
      message: `metric "${metric}" needs targets (${what}); pass data.targets or data.labels`,
      details: { metric },
    });
  if (t.length !== expected) {
    throw new QuantTrimError({
      code: 'QT_SHAPE_MISMATCH',
      message: `metric "${metric}": ${t.length} target values, expected ${expected} (${what})`,
      details: { metric, targets: t.length, expected },
    });
  }
  return t;
}

/**
 * Top-k accuracy of a classifier: the share of samples whose target class is among the k largest
 * values of the output row (ties with the k-th value count as in). Targets: one class index per sample.
 */
export function topKMetric(k: number, options: { id?: string; output?: string } = {}): Metric {
  if (!Number.isInteger(k) || k < 1) throw new QuantTrimError({ code: 'QT_INVALID_ARGUMENT', message: `topKMetric: k must be a positive integer, got ${k}` });
  const id = options.id ?? `top${k}`;
  return defineMetric({
    id,
    name: `top-${k} accuracy`,
    higherIsBetter: true,
    description: `share of samples whose label is among the ${k} largest values of ${options.output === undefined ? 'the first output' : `'${options.output}'`}`,
    compute(input) {
      const out = pickOutput(id, input, options.output);
      const classes = out.data.length / input.samples;
      const labels = targetsOf(id, input, input.samples, 'one class index per sample');
      let correct = 0;
      for (let r = 0; r < input.samples; r++) {
        const label = labels[r]!;
        if (!Number.isInteger(label) || label < 0 || label >= classes) {
          throw new QuantTrimError({
            code: 'QT_INVALID_ARGUMENT',
            message: `metric "${id}": target ${r} is ${label}, not a class index in 0..${classes - 1}`,
            details: { metric: id, sample: r },
          });
        }
        const v = out.data[r * classes + label]!;
        let above = 0;
        for (let c = 0; c < classes; c++) if (out.data[r * classes + c]! > v) above++;
        if (above < k) correct++;
      }
      return correct / input.samples;
    },
  });
}

export interface MiouOptions {
  readonly id?: string;
  /** Output holding the class scores. Default: the first. */
  readonly output?: string;
  /** Axis of the class scores in the full output tensor, batch axis included. Default 1 (`[N, C, H, W]`). */
  readonly classAxis?: number;
  /** Target value of pixels left out of the score. Default 255 (the Pascal VOC border label). */
  readonly ignoreIndex?: number;
}

/**
 * Mean intersection over union of a segmentation model: the prediction of every pixel is the
 * argmax over the class axis (the first maximum wins), the targets are one class index per pixel
 * (`[N, H, W]` for an `[N, C, H, W]` output, row-major). Intersections and unions are summed per
 * class over all samples (one confusion matrix over the whole evaluation set); the mean is over
 * the classes whose union is not empty. Pixels whose target is `ignoreIndex` are left out.
 */
export function miouMetric(options: MiouOptions = {}): Metric {
  const id = options.id ?? 'miou';
  const ignore = options.ignoreIndex ?? 255;
  return defineMetric({
    id,
    name: 'mean IoU',
    higherIsBetter: true,
    description: 'mean over classes of |pred ∩ target| / |pred ∪ target| of the per-pixel argmax over the class axis',
    compute(input) {
      const out = pickOutput(id, input, options.output);
      const axis = (options.classAxis ?? 1) - 1;
      const shape = out.sampleShape;
      if (!Number.isInteger(axis) || axis < 0 || axis >= shape.length) {
        throw new QuantTrimError({
          code: 'QT_INVALID_ARGUMENT',
          message: `metric "${id}": class axis ${axis + 1} is not an axis of the output '${out.name}' [N, ${shape.join(', ')}]`,
          details: { metric: id },
        });
      }
      const classes = shape[axis]!;
      const inner = shape.slice(axis + 1).reduce((a, b) => a * b, 1);
      const outer = shape.slice(0, axis).reduce((a, b) => a * b, 1);
      const pixels = outer * inner;
      const targets = targetsOf(
        id,
        input,
        input.samples * pixels,
        `one class index per pixel: [N${shape
          .filter((_, i) => i !== axis)
          .map((d) => `, ${d}`)
          .join('')}]`,
      );
      const intersection = new Float64Array(classes);
      const predicted = new Float64Array(classes);
      const actual = new Float64Array(classes);
      for (let p = 0; p < input.samples * outer; p++) {
        for (let i = 0; i < inner; i++) {
          const t = targets[p * inner + i]!;
          if (t === ignore) continue;
          if (!Number.isInteger(t) || t < 0 || t >= classes) {
            throw new QuantTrimError({
              code: 'QT_INVALID_ARGUMENT',
              message: `metric "${id}": target pixel ${p * inner + i} is ${t}, not a class index in 0..${classes - 1} nor the ignore index ${ignore}`,
              details: { metric: id },
            });
          }
          const base = p * classes * inner + i;
          let best = 0;
          for (let c = 1; c < classes; c++) if (out.data[base + c * inner]! > out.data[base + best * inner]!) best = c;
          predicted[best]!++;
          actual[t]!++;
          if (best === t) intersection[t]!++;
        }
      }
      let sum = 0;
      let present = 0;
      for (let c = 0; c < classes; c++) {
        const union = predicted[c]! + actual[c]! - intersection[c]!;
        if (union === 0) continue;
        sum += intersection[c]! / union;
        present++;
      }
      return present === 0 ? 1 : sum / present;
    },
  });
}

/** Mean squared error of an output against regression targets of the same size (lower is better). */
export function mseMetric(options: { id?: string; output?: string } = {}): Metric {
  const id = options.id ?? 'mse';
  return defineMetric({
    id,
    name: 'mean squared error',
    higherIsBetter: false,
    description: `mean of (output − target)² over every value of ${options.output === undefined ? 'the first output' : `'${options.output}'`}`,
    compute(input) {
      const out = pickOutput(id, input, options.output);
      const targets = targetsOf(id, input, out.data.length, `one value per output value: [N, ${out.sampleShape.join(', ')}]`);
      let sum = 0;
      for (let i = 0; i < out.data.length; i++) {
        const d = out.data[i]! - targets[i]!;
        sum += d * d;
      }
      return sum / out.data.length;
    },
  });
}

/** The built-in task metrics: `top5` (top-5 accuracy), `miou` (segmentation mean IoU), `mse` (regression error). */
export const builtinMetrics = Object.freeze({
  top5: topKMetric(5),
  miou: miouMetric(),
  mse: mseMetric(),
});

/** The registry `evaluate({ metrics: ['miou'] })` and the CLI's `--metric` look ids up in, unless another is passed. */
export const defaultMetricRegistry: MetricRegistry = createMetricRegistry(builtinMetrics);
