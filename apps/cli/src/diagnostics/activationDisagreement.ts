import { QuantTrimError } from '@quant-trim/errors';
import { addOutputs, inferElemTypes, topologicalOrder, writeOnnx, type OnnxModel } from '@quant-trim/onnx-export';
import { calibratorDisagreement, type CalibratorChoice, type QuantScheme } from '@quant-trim/quant-grid';

/**
 * Ops whose float inputs and outputs a static-quantizing backend gives an activation quantizer:
 * the MAC ops, elementwise arithmetic, activations, pooling, concatenation and normalisation.
 */
export const QUANTIZABLE_OPS: ReadonlySet<string> = new Set([
  'Conv',
  'ConvTranspose',
  'Gemm',
  'MatMul',
  'Add',
  'Sub',
  'Mul',
  'Div',
  'Relu',
  'LeakyRelu',
  'PRelu',
  'Clip',
  'Sigmoid',
  'HardSigmoid',
  'HardSwish',
  'Tanh',
  'Softmax',
  'MaxPool',
  'AveragePool',
  'GlobalAveragePool',
  'GlobalMaxPool',
  'Concat',
  'BatchNormalization',
  'Resize',
]);

/** Ops that only move values: their output holds exactly their first input's values (rearranged). */
const VALUE_PRESERVING = new Set(['Flatten', 'Reshape', 'Transpose', 'Squeeze', 'Unsqueeze', 'Identity', 'Dropout']);
/** Ops whose output is a constant the backend folds (never calibrated). */
const CONSTANT_OPS = new Set(['Constant', 'ConstantOfShape']);
/** Ops whose weight (input 1) is a constant: only input 0 is an activation. */
const WEIGHT_OPS = new Set(['Conv', 'ConvTranspose', 'Gemm', 'MatMul']);

/** Where an activation tensor sits in the graph. */
export type ActivationKind = 'input' | 'activation' | 'output';

export interface ActivationTensor {
  readonly name: string;
  /** `input`: the graph input; `output`: a graph output (e.g. the logits); else an intermediate tensor. */
  readonly kind: ActivationKind;
  /** Op type of the producing node (`input` for the graph input). */
  readonly op: string;
}

/**
 * The activation tensors a static-quantizing backend calibrates: the graph input and every float
 * tensor read (as data, not as a weight) or written by a `QUANTIZABLE_OPS` node. Left out:
 * initializers, outputs of Constant nodes, tensors of a non-float element type, and the outputs of
 * value-preserving ops (Flatten, Reshape, Transpose…) whose source tensor is already listed (same
 * values, same statistics). Graph outputs (the logits) are kept: full-integer backends quantize
 * them too. Graph order.
 */
export function activationTensors(model: OnnxModel): ActivationTensor[] {
  const { graph } = model;
  const types = inferElemTypes(model);
  const producer = new Map<string, string>();
  const source = new Map<string, string>();
  for (const n of graph.nodes) {
    n.outputs.forEach((o) => o && producer.set(o, n.opType));
    if (VALUE_PRESERVING.has(n.opType) && n.inputs[0] && n.outputs[0]) source.set(n.outputs[0], n.inputs[0]);
  }
  const outputs = new Set(graph.outputs.map((o) => o.name));
  const inputs = new Set(graph.inputs.filter((i) => !graph.initializers.has(i.name)).map((i) => i.name));
  const listed: ActivationTensor[] = [];
  const seen = new Set<string>();
  const add = (t: string | undefined) => {
    if (!t || seen.has(t) || graph.initializers.has(t)) return;
    if (CONSTANT_OPS.has(producer.get(t) ?? '')) return;
    if ((types.get(t) ?? 1) !== 1) return;
    seen.add(t);
    listed.push({ name: t, kind: inputs.has(t) ? 'input' : outputs.has(t) ? 'output' : 'activation', op: inputs.has(t) ? 'input' : (producer.get(t) ?? '?') });
  };
  for (const i of inputs) add(i);
  for (const n of topologicalOrder(graph)) {
    if (n.domain !== '' && n.domain !== 'ai.onnx') continue;
    if (!QUANTIZABLE_OPS.has(n.opType)) continue;
    const data = WEIGHT_OPS.has(n.opType) && graph.initializers.has(n.inputs[1] ?? '') ? n.inputs.slice(0, 1) : n.inputs;
    for (const t of data) add(t);
    add(n.outputs[0]);
  }
  // A value-preserving op's output carries its source's values: keep only the first listed of a chain.
  const root = (t: string): string => {
    let r = t;
    for (let hops = 0; source.has(r) && hops < graph.nodes.length; hops++) r = source.get(r)!;
    return r;
  };
  return listed.filter((t) => {
    const r = root(t.name);
    return r === t.name || !seen.has(r) || t.kind === 'output';
  });
}

/** One method's choice for one tensor, as the CLI reports it. */
export interface MethodChoice {
  readonly method: string;
  /** The range the calibrator chose. */
  readonly range: readonly [number, number];
  /** The range its quantization grid represents (the chosen one widened to include 0). */
  readonly grid: readonly [number, number];
  readonly scale: number;
  readonly zeroPoint: number;
  /** Share of the tensor's values outside `grid`. */
  readonly clipped: number;
}

export interface TensorDisagreement extends ActivationTensor {
  /** Shape of one sample's tensor (the batch axis dropped). */
  readonly sampleShape: readonly number[];
  /** Widest / narrowest grid width over the methods (∞ when one collapses to 0). */
  readonly ratio: number;
  readonly widest: string;
  readonly narrowest: string;
  /** Finite values the statistics saw. */
  readonly count: number;
  readonly methods: readonly MethodChoice[];
  /** Methods left out for this tensor, and why. */
  readonly skippedMethods: readonly { readonly method: string; readonly reason: string }[];
}

export interface ActivationDisagreementOptions {
  /** Rows per ORT call when the model's batch axis is free. Default 64. */
  readonly batchSize?: number;
  /** Most bytes of captured tensors held at once; more tensors are captured in further passes. Default 256 MiB. */
  readonly budgetBytes?: number;
  readonly signal?: AbortSignal;
  /** Called after each ORT batch. */
  readonly onProgress?: (e: { done: number; total: number }) => void;
}

export interface ActivationDisagreementResult {
  /** Every listed tensor that was measured, sorted by ratio (largest first). */
  readonly tensors: readonly TensorDisagreement[];
  /** Listed tensors that could not be measured, and why. */
  readonly skipped: readonly { readonly tensor: string; readonly reason: string }[];
  /** Samples run (a model with a fixed batch size uses whole batches only). */
  readonly samples: number;
  readonly input: string;
}

interface Capture {
  readonly tensor: ActivationTensor;
  /** Values per sample. */
  readonly perSample: number;
  readonly sampleShape: readonly number[];
}

const runtimeError = (what: string, e: unknown) =>
  new QuantTrimError({
    code: 'QT_RUNTIME_ERROR',
    message: `onnxruntime-node could not ${what}: ${(e as Error).message ?? String(e)}`,
    cause: e,
    details: { runtime: 'onnxruntime-node' },
  });

type Ort = typeof import('onnxruntime-node');
type Session = Awaited<ReturnType<Ort['InferenceSession']['create']>>;

async function openSession(ort: Ort, model: OnnxModel, names: readonly string[]): Promise<Session> {
  const have = new Set(model.graph.outputs.map((o) => o.name));
  const probe = addOutputs(
    model,
    names.filter((n) => !have.has(n)),
  );
  try {
    return await ort.InferenceSession.create(writeOnnx(probe), { graphOptimizationLevel: 'disabled', intraOpNumThreads: 1, interOpNumThreads: 1 });
  } catch (e) {
    throw runtimeError('load the model with the activation tensors as extra outputs', e);
  }
}

async function runSession(ort: Ort, session: Session, inputName: string, x: Float32Array, dims: readonly number[]) {
  try {
    return await session.run({ [inputName]: new ort.Tensor('float32', x, [...dims]) });
  } catch (e) {
    throw runtimeError('run the model', e);
  }
}

/**
 * Runs the float model over calibration samples in onnxruntime-node (graph as written, one
 * thread), with every activation tensor a backend would quantize (`activationTensors`) added as a
 * graph output, and measures for each one how far the calibration methods of
 * `calibratorDisagreement` (min/max, per-sample mean min/max, percentile, entropy, MSE, SQNR,
 * power-of-two) disagree about its range on `scheme`'s grid. Tensors are captured whole (exact
 * clipped shares; per-sample extremes for mean-minmax); when they would not fit in `budgetBytes`
 * together, they are captured over several passes.
 *
 * @param x samples in the model's layout, `count × sampleShape`, batch first
 */
export async function activationDisagreement(
  model: OnnxModel,
  data: { readonly x: Float32Array; readonly count: number; readonly sampleShape: readonly number[] },
  scheme: QuantScheme,
  options: ActivationDisagreementOptions = {},
): Promise<ActivationDisagreementResult> {
  const { graph } = model;
  const dataInputs = graph.inputs.filter((i) => !graph.initializers.has(i.name));
  if (dataInputs.length !== 1) {
    throw new QuantTrimError({
      code: 'QT_INVALID_ARGUMENT',
      message: `the calibrator-disagreement diagnostic feeds one input; the model has ${dataInputs.length} (${dataInputs.map((i) => i.name).join(', ')})`,
    });
  }
  const inputName = dataInputs[0]!.name;
  const sampleSize = data.sampleShape.reduce((a, b) => a * b, 1);
  const declaredBatch = dataInputs[0]!.shape?.[0];
  const fixedBatch = typeof declaredBatch === 'number' && declaredBatch > 0 ? declaredBatch : undefined;
  const rowsPerCall = fixedBatch ?? options.batchSize ?? 64;
  const samples = fixedBatch === undefined ? data.count : data.count - (data.count % fixedBatch);
  if (samples === 0) {
    throw new QuantTrimError({
      code: 'QT_INVALID_ARGUMENT',
      message: `--calibration-samples: the model's input has a fixed batch size of ${fixedBatch}; got ${data.count} calibration samples`,
    });
  }
  const x = data.x.subarray(0, samples * sampleSize);
  const listed = activationTensors(model);
  const skipped: { tensor: string; reason: string }[] = [];
  const interrupted = () => {
    if (options.signal?.aborted) throw new QuantTrimError({ code: 'QT_INTERRUPTED', message: 'interrupted while capturing activation tensors' });
  };

  const ort = (await import('onnxruntime-node')) as Ort;
  const intermediate = listed.filter((t) => t.name !== inputName);
  // Size each tensor from one call: values per sample, element type.
  let session: Session | undefined = await openSession(
    ort,
    model,
    intermediate.map((t) => t.name),
  );
  const captures: Capture[] = [{ tensor: listed.find((t) => t.name === inputName)!, perSample: sampleSize, sampleShape: data.sampleShape }];
  try {
    const rows = Math.min(rowsPerCall, samples);
    const first = await runSession(ort, session, inputName, x.subarray(0, rows * sampleSize), [rows, ...data.sampleShape]);
    for (const t of intermediate) {
      const out = first[t.name];
      if (out === undefined) skipped.push({ tensor: t.name, reason: 'the runtime did not return it' });
      else if (!(out.data instanceof Float32Array)) skipped.push({ tensor: t.name, reason: `element type ${out.type}, not float32` });
      else if (out.dims[0] !== rows || out.data.length % rows !== 0)
        skipped.push({ tensor: t.name, reason: `its shape [${out.dims.join(', ')}] has no batch axis of ${rows}` });
      else captures.push({ tensor: t, perSample: out.data.length / rows, sampleShape: out.dims.slice(1).map(Number) });
    }

    // Passes of tensors that fit the budget together (a tensor larger than it gets a pass of its own).
    const budget = options.budgetBytes ?? 256 * 2 ** 20;
    const passes: Capture[][] = [];
    let current: Capture[] = [];
    let bytes = 0;
    for (const c of captures.slice(1)) {
      const size = c.perSample * samples * 4;
      if (current.length > 0 && bytes + size > budget) {
        passes.push(current);
        current = [];
        bytes = 0;
      }
      current.push(c);
      bytes += size;
    }
    if (current.length > 0) passes.push(current);

    const results: TensorDisagreement[] = [];
    const measure = (c: Capture, values: Float32Array) => {
      try {
        const d = calibratorDisagreement(values, scheme, { shape: [samples, ...c.sampleShape] });
        results.push({
          ...c.tensor,
          sampleShape: c.sampleShape,
          ratio: d.ratio,
          widest: d.widest,
          narrowest: d.narrowest,
          count: d.count,
          methods: d.choices.map((m: CalibratorChoice) => ({
            method: m.method,
            range: m.range,
            grid: m.grid,
            scale: m.scale,
            zeroPoint: m.zeroPoint,
            clipped: m.clipped,
          })),
          skippedMethods: d.skipped,
        });
      } catch (e) {
        if (!(e instanceof QuantTrimError)) throw e;
        skipped.push({ tensor: c.tensor.name, reason: e.message });
      }
    };
    measure(captures[0]!, x);

    const total = passes.length * Math.ceil(samples / rowsPerCall);
    let done = 0;
    for (const [p, pass] of passes.entries()) {
      if (p > 0 || passes.length > 1) {
        await session?.release();
        session = undefined;
        session = await openSession(
          ort,
          model,
          pass.map((c) => c.tensor.name),
        );
      }
      const buffers = pass.map((c) => new Float32Array(c.perSample * samples));
      for (let start = 0; start < samples; start += rowsPerCall) {
        interrupted();
        const n = Math.min(rowsPerCall, samples - start);
        const out = await runSession(ort, session!, inputName, x.subarray(start * sampleSize, (start + n) * sampleSize), [n, ...data.sampleShape]);
        pass.forEach((c, i) => {
          const values = out[c.tensor.name]?.data as Float32Array | undefined;
          if (values === undefined || values.length !== c.perSample * n) {
            throw new QuantTrimError({
              code: 'QT_RUNTIME_ERROR',
              message: `activation tensor ${c.tensor.name}: ${values?.length ?? 0} values for ${n} samples, expected ${c.perSample} per sample (its shape depends on the data?)`,
            });
          }
          buffers[i]!.set(values, start * c.perSample);
        });
        options.onProgress?.({ done: ++done, total });
      }
      pass.forEach((c, i) => measure(c, buffers[i]!));
    }
    results.sort((a, b) => b.ratio - a.ratio || a.name.localeCompare(b.name));
    return { tensors: results, skipped, samples, input: inputName };
  } finally {
    await session?.release();
  }
}
