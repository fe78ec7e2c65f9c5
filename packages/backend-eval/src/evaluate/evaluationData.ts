import { QuantTrimError } from '@quant-trim/errors';
import type { OnnxModel } from '@quant-trim/onnx-export';
import type { CalibrationData, FeedCalibrationData } from '../compile/calibrate.js';
import type { CompileOptions } from '../compile/compileForBackend.js';
import type { ModelFeeds } from '../runtime/runBatches.js';

/**
 * The evaluation data. A single-input model takes one Float32Array and one sample shape; a model
 * with several data inputs takes one Float32Array and one sample shape per input name (every
 * input's data holding the same number of samples), e.g. `{ inputs: { audio, state }, sampleShape:
 * { audio: [512], state: [128] } }`.
 */
export interface EvaluationData {
  /** Test inputs, row-major, batch first: one Float32Array, or one per data input name. */
  readonly inputs: Float32Array | Readonly<Record<string, Float32Array>>;
  /** Shape of one sample (without the batch axis), e.g. `[1, 28, 28]`; one per input name with several inputs. */
  readonly sampleShape: readonly number[] | Readonly<Record<string, readonly number[]>>;
  /** Class index per sample; without labels, accuracy, drop and ECE are left out. */
  readonly labels?: ArrayLike<number>;
  /**
   * What task metrics (`evaluate({ metrics })`) score against, in the layout each metric documents
   * (e.g. `miou`: one class index per pixel, `[N, H, W]` row-major). Default: `labels`.
   */
  readonly targets?: ArrayLike<number>;
  /**
   * Calibration samples (keep them apart from the test inputs): a Float32Array of whole samples (one
   * per input name with several inputs), or a function returning a fresh (async) iterable of
   * batches each time (every profile calibrates): Float32Array batches, or `{ [inputName]:
   * Float32Array }` feeds.
   */
  readonly calibration: Float32Array | Readonly<Record<string, Float32Array>> | (() => CalibrationData | FeedCalibrationData);
}

const CALIBRATION_BATCH = 64;

export function invalid(message: string, details: Record<string, unknown> = {}): QuantTrimError {
  return new QuantTrimError({ code: 'QT_INVALID_ARGUMENT', message: `\`evaluate\`: ${message}`, details });
}

const sizeOf = (shape: readonly number[]) => shape.reduce((a, b) => a * b, 1);
const isArrayShape = (s: EvaluationData['sampleShape']): s is readonly number[] => Array.isArray(s);

/** Data inputs as named arrays; a single Float32Array is named '' until a model gives its input name. */
interface NamedData {
  readonly single: boolean;
  readonly entries: readonly { readonly name: string; readonly data: Float32Array; readonly sampleShape: readonly number[] }[];
  readonly samples: number;
}

/** Samples per input of `values` (a Float32Array, or one per input name), checked against the sample shapes; `field` names it in errors. */
function named(values: Float32Array | Readonly<Record<string, Float32Array>>, sampleShape: EvaluationData['sampleShape'], field: string): NamedData {
  if (values instanceof Float32Array) {
    if (!isArrayShape(sampleShape))
      throw invalid(`${field}: a Float32Array needs data.sampleShape as one shape; with a shape per input name give ${field} per input name too`);
    const size = sizeOf(sampleShape);
    if (values.length === 0 || values.length % size !== 0)
      throw invalid(`${field}: expected a non-empty Float32Array of whole samples of shape [${sampleShape.join(', ')}]`);
    return { single: true, entries: [{ name: '', data: values, sampleShape }], samples: values.length / size };
  }
  if (typeof values !== 'object' || values === null || ArrayBuffer.isView(values))
    throw invalid(`${field}: expected a Float32Array, or one Float32Array per input name`);
  if (isArrayShape(sampleShape)) throw invalid(`${field}: data given per input name needs data.sampleShape per input name too`);
  const names = Object.keys(values);
  if (names.length === 0) throw invalid(`${field}: no input given`);
  let samples: number | undefined;
  const entries = names.map((name) => {
    const shape = sampleShape[name];
    if (shape === undefined) throw invalid(`data.sampleShape has no shape for the input '${name}' of ${field}`, { input: name });
    const x = values[name];
    const size = sizeOf(shape);
    if (!(x instanceof Float32Array) || x.length === 0 || x.length % size !== 0)
      throw invalid(`${field}['${name}']: expected a non-empty Float32Array of whole samples of shape [${shape.join(', ')}]`, { input: name });
    const n = x.length / size;
    if (samples !== undefined && n !== samples)
      throw invalid(`${field}['${name}']: ${n} samples, '${names[0]}' has ${samples}; every input needs the same number`, { input: name });
    samples = n;
    return { name, data: x, sampleShape: shape };
  });
  return { single: false, entries, samples: samples! };
}

/** Checks the test inputs and labels; returns the sample count. */
export function checkTestData(data: EvaluationData): { samples: number; single: boolean } {
  const test = named(data.inputs, data.sampleShape, 'data.inputs');
  if (data.labels !== undefined && data.labels.length !== test.samples) throw invalid(`data.labels: ${data.labels.length} labels for ${test.samples} samples`);
  return { samples: test.samples, single: test.single };
}

/** The data inputs of `model` (graph inputs without an initializer). */
function dataInputNames(model: OnnxModel): string[] {
  return model.graph.inputs.filter((v) => !model.graph.initializers.has(v.name)).map((v) => v.name);
}

/**
 * The test inputs as `model` is fed: a single Float32Array goes to a single-input model's input;
 * data by name must name every data input of the model and nothing else (`QT_INVALID_ARGUMENT`
 * naming the input).
 */
export function feedsFor(model: OnnxModel, modelName: string, data: EvaluationData): ModelFeeds {
  const test = named(data.inputs, data.sampleShape, 'data.inputs');
  const names = dataInputNames(model);
  if (test.single) {
    if (names.length !== 1) {
      throw invalid(
        `model '${modelName}' has ${names.length} data inputs (${names.map((n) => `'${n}'`).join(', ')}): give data.inputs and data.sampleShape per input name`,
        { model: modelName, inputs: names },
      );
    }
    const e = test.entries[0]!;
    return { inputs: [{ name: names[0]!, sampleShape: e.sampleShape }], data: { [names[0]!]: e.data }, samples: test.samples };
  }
  for (const name of names) {
    if (!test.entries.some((e) => e.name === name)) {
      throw invalid(`data.inputs has no data for the input '${name}' of model '${modelName}' (given: ${test.entries.map((e) => `'${e.name}'`).join(', ')})`, {
        model: modelName,
        input: name,
      });
    }
  }
  for (const e of test.entries) {
    if (!names.includes(e.name))
      throw invalid(`data.inputs['${e.name}']: model '${modelName}' has no data input of that name (its inputs: ${names.map((n) => `'${n}'`).join(', ')})`, {
        model: modelName,
        input: e.name,
      });
  }
  const byName = new Map(test.entries.map((e) => [e.name, e]));
  return {
    inputs: names.map((name) => ({ name, sampleShape: byName.get(name)!.sampleShape })),
    data: Object.fromEntries(names.map((n) => [n, byName.get(n)!.data])),
    samples: test.samples,
  };
}

/** Calibration arrays given per input name must name exactly the data inputs of `model` (checked before any profile runs). */
export function checkCalibrationNames(model: OnnxModel, modelName: string, data: EvaluationData): void {
  const c = data.calibration;
  if (typeof c === 'function' || c instanceof Float32Array) return;
  const names = dataInputNames(model);
  const given = Object.keys(c);
  const missing = names.find((n) => !given.includes(n));
  if (missing !== undefined)
    throw invalid(`data.calibration has no data for the input '${missing}' of model '${modelName}' (given: ${given.map((n) => `'${n}'`).join(', ')})`, {
      model: modelName,
      input: missing,
    });
  const extra = given.find((n) => !names.includes(n));
  if (extra !== undefined)
    throw invalid(`data.calibration['${extra}']: model '${modelName}' has no data input of that name (its inputs: ${names.map((n) => `'${n}'`).join(', ')})`, {
      model: modelName,
      input: extra,
    });
}

/** The compile options that give the sample shapes of `feeds`. */
export function shapeOptions(feeds: ModelFeeds): Pick<CompileOptions, 'inputShape' | 'inputShapes'> {
  return feeds.inputs.length === 1
    ? { inputShape: feeds.inputs[0]!.sampleShape }
    : { inputShapes: Object.fromEntries(feeds.inputs.map((v) => [v.name, v.sampleShape])) };
}

/** A fresh calibration source per compile: arrays are cut into batches of 64 samples (every input in step). */
export function calibrationSource(data: EvaluationData): { source: () => CalibrationData | FeedCalibrationData; samples?: number } {
  const c = data.calibration;
  if (typeof c === 'function') return { source: c };
  const cal = named(c as Float32Array | Readonly<Record<string, Float32Array>>, data.sampleShape, 'data.calibration');
  if (cal.single) {
    const x = cal.entries[0]!.data;
    const size = sizeOf(cal.entries[0]!.sampleShape);
    return {
      samples: cal.samples,
      source: function* () {
        for (let i = 0; i < x.length; i += CALIBRATION_BATCH * size) yield x.subarray(i, Math.min(x.length, i + CALIBRATION_BATCH * size));
      },
    };
  }
  return {
    samples: cal.samples,
    source: function* () {
      for (let r = 0; r < cal.samples; r += CALIBRATION_BATCH) {
        const end = Math.min(cal.samples, r + CALIBRATION_BATCH);
        yield Object.fromEntries(cal.entries.map((e) => [e.name, e.data.subarray(r * sizeOf(e.sampleShape), end * sizeOf(e.sampleShape))]));
      }
    },
  };
}
