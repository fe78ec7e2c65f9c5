import { QuantTrimError } from '@quant-trim/errors';
import type { ExecutionMode, RuntimeName } from './types.js';

/** ORT graph optimization levels (`onnxruntime-common` `SessionOptions.graphOptimizationLevel`). */
export type OrtOptimizationLevel = 'disabled' | 'basic' | 'extended' | 'layout' | 'all';

/** The session options this layer passes to ORT. */
export interface OrtSessionOptions {
  executionProviders?: string[];
  graphOptimizationLevel?: OrtOptimizationLevel;
  intraOpNumThreads?: number;
  interOpNumThreads?: number;
  optimizedModelFilePath?: string;
  logSeverityLevel?: 0 | 1 | 2 | 3 | 4;
}

/** The part of an ORT tensor this layer uses. */
export interface OrtTensor {
  readonly type: string;
  readonly dims: readonly number[];
  readonly data: unknown;
}

/** The part of an ORT inference session this layer uses. */
export interface OrtInferenceSession {
  readonly inputNames: readonly string[];
  readonly outputNames: readonly string[];
  readonly inputMetadata?: readonly { readonly isTensor: boolean; readonly shape?: readonly (number | string)[] }[];
  run(feeds: Record<string, OrtTensor>): Promise<Record<string, OrtTensor>>;
  release(): Promise<void>;
}

/**
 * The part of the `onnxruntime-node` / `onnxruntime-web` module API this layer uses. Declared
 * structurally so that neither package's types leak into this package's public types.
 */
export interface OrtModule {
  readonly env: {
    readonly versions: { readonly common: string; readonly node?: string; readonly web?: string };
    readonly wasm: { numThreads?: number };
  };
  readonly InferenceSession: { create(buffer: Uint8Array, options?: OrtSessionOptions): Promise<OrtInferenceSession> };
  readonly Tensor: new (type: 'float32', data: Float32Array, dims: readonly number[]) => OrtTensor;
}

/** Loads a runtime package; replaceable for tests. Rejects when the package is not installed. */
export type RuntimeImporter = (runtime: RuntimeName) => Promise<OrtModule>;

export interface RuntimeSessionOptions {
  readonly mode: ExecutionMode;
  /** Intra- and inter-op threads (onnxruntime-web: `env.wasm.numThreads`). Default 1, for determinism. */
  readonly threads?: number;
  /** How the runtime package is loaded; defaults to a dynamic `import()` of it. */
  readonly importRuntime?: RuntimeImporter;
}

/** A batch of one tensor: float32 values and their dims (batch first). */
export interface FeedTensor {
  readonly data: Float32Array;
  readonly dims: readonly number[];
}

/** One model loaded in one runtime: `run` feeds the first input and reads the first output back; `runFeeds` feeds every input and reads every output. */
export interface RuntimeSession {
  readonly runtime: RuntimeName;
  /** The runtime package's version (`ort.env.versions`). */
  readonly version: string;
  readonly mode: ExecutionMode;
  /**
   * Threads in effect. onnxruntime-web fixes `env.wasm.numThreads` when its wasm first loads, so a
   * later web session reports the count of the first one when a different count was asked for.
   */
  readonly threads: number;
  readonly inputName: string;
  readonly outputName: string;
  /** The declared shape of the input (numbers, or symbolic names), when ORT exposes it. */
  readonly inputShape: readonly (number | string)[] | undefined;
  /** Every input and output name of the model, in graph order. */
  readonly inputNames: readonly string[];
  readonly outputNames: readonly string[];
  /** Runs one batch `x` of shape `dims` and returns the first output's values. */
  run(x: Float32Array, dims: readonly number[]): Promise<Float32Array>;
  /**
   * Runs one batch of every input (float32, by input name) and returns every output by name; integer
   * and bool outputs come back as float32 values (an argmax output, a mask).
   */
  runFeeds(feeds: Readonly<Record<string, FeedTensor>>): Promise<Record<string, { data: Float32Array; dims: number[] }>>;
  /** Frees the native session; later `run` calls throw. Calling it twice is harmless. */
  release(): Promise<void>;
}

/**
 * The ORT optimization level of each execution mode.
 *
 * `emulate` → `disabled`. Verified with onnxruntime-node 1.30.0 by saving the optimized graph
 * (`optimizedModelFilePath`) of a QDQ Conv → Relu → Q/DQ → Gemm model and decoding it:
 * - `disabled` runs the graph exactly as written;
 * - `basic` fuses no QDQ group into an integer kernel, but it is not numerically neutral: its
 *   WeightBiasQuantization pass rewrites a float Conv bias next to DQ'd weights into an int32
 *   initializer + DequantizeLinear (logits moved by 3.4e-3 against `disabled`), and its
 *   DoubleQDQPairsRemover re-derives Q/DQ parameters. Compiled models can carry float32 biases
 *   (e.g. wide biases baked as q·s), so `basic` would not always run their numerics as written;
 * - `extended` fuses DQ → Conv → Relu → Q (output zero point 0) into QLinearConv; `layout` / `all`
 *   additionally move it to NHWC as `com.microsoft:QLinearConv` between Transposes.
 *
 * `native` → `all`: ORT's integer kernels, as deployed.
 */
export const OPTIMIZATION_LEVEL: Readonly<Record<ExecutionMode, OrtOptimizationLevel>> = { emulate: 'disabled', native: 'all' };

const EXECUTION_PROVIDER: Readonly<Record<RuntimeName, string>> = { 'onnxruntime-node': 'cpu', 'onnxruntime-web': 'wasm' };

/** Dynamic `import()` of the runtime package, with literal specifiers so bundlers keep them external. */
export const importRuntimePackage: RuntimeImporter = async (runtime) =>
  runtime === 'onnxruntime-node' ? import('onnxruntime-node') : import('onnxruntime-web');

/** Imports `runtime`, turning a failure into QT_BACKEND_UNAVAILABLE. */
export async function loadRuntime(runtime: RuntimeName, importRuntime: RuntimeImporter = importRuntimePackage): Promise<OrtModule> {
  try {
    return await importRuntime(runtime);
  } catch (cause) {
    throw new QuantTrimError({
      code: 'QT_BACKEND_UNAVAILABLE',
      message: `runtime \`${runtime}\` could not be loaded; install it with \`npm install ${runtime}\` (${cause instanceof Error ? cause.message : String(cause)})`,
      details: { runtime },
      cause,
    });
  }
}

function checkRuntime(runtime: RuntimeName): void {
  if (!(runtime in EXECUTION_PROVIDER)) {
    throw new QuantTrimError({
      code: 'QT_INVALID_ARGUMENT',
      message: `argument \`runtime\` of \`createRuntimeSession\`: expected 'onnxruntime-node' or 'onnxruntime-web', got ${JSON.stringify(runtime)}`,
    });
  }
}

function checkOptions(options: RuntimeSessionOptions): number {
  if (!(options.mode in OPTIMIZATION_LEVEL)) {
    throw new QuantTrimError({
      code: 'QT_INVALID_ARGUMENT',
      message: `option \`mode\` of \`createRuntimeSession\`: expected 'emulate' or 'native', got ${JSON.stringify(options.mode)}`,
    });
  }
  const threads = options.threads ?? 1;
  if (!Number.isInteger(threads) || threads < 1) {
    throw new QuantTrimError({
      code: 'QT_INVALID_ARGUMENT',
      message: `option \`threads\` of \`createRuntimeSession\`: expected a positive integer, got ${String(options.threads)}`,
    });
  }
  return threads;
}

/** Web thread count in effect per loaded module (the wasm reads it once, at its first session). */
const webThreads = new WeakMap<OrtModule, number>();

function applyWebThreads(ort: OrtModule, threads: number): number {
  const fixed = webThreads.get(ort);
  if (fixed !== undefined) return fixed;
  ort.env.wasm.numThreads = threads;
  webThreads.set(ort, threads);
  return threads;
}

/** ORT session options for a runtime, mode and thread count. */
export function sessionOptions(runtime: RuntimeName, mode: ExecutionMode, threads: number): OrtSessionOptions {
  return {
    executionProviders: [EXECUTION_PROVIDER[runtime]],
    graphOptimizationLevel: OPTIMIZATION_LEVEL[mode],
    intraOpNumThreads: threads,
    interOpNumThreads: threads,
  };
}

function runtimeVersion(ort: OrtModule, runtime: RuntimeName): string {
  const v = ort.env.versions;
  return (runtime === 'onnxruntime-node' ? v.node : v.web) ?? v.common;
}

function firstName(names: readonly string[], what: 'input' | 'output'): string {
  const name = names[0];
  if (name === undefined)
    throw new QuantTrimError({ code: 'QT_INVALID_ARGUMENT', message: `argument \`modelBytes\` of \`createRuntimeSession\`: the model has no ${what}` });
  return name;
}

/** An output tensor's values as float32 (numeric and bool outputs; strings are refused). */
function asFloat32(t: OrtTensor | undefined, name: string): Float32Array {
  const data = t?.data;
  if (data instanceof Float32Array) return data;
  if (data instanceof BigInt64Array || data instanceof BigUint64Array) return Float32Array.from(data, Number);
  if (ArrayBuffer.isView(data) && !(data instanceof DataView)) return Float32Array.from(data as unknown as ArrayLike<number>);
  throw new QuantTrimError({
    code: 'QT_INVALID_ARGUMENT',
    message: `\`RuntimeSession.runFeeds\`: output \`${name}\` is ${t?.type ?? 'missing'}, not a numeric tensor`,
    details: { output: name },
  });
}

function checkFeed(x: Float32Array, dims: readonly number[]): void {
  if (!(x instanceof Float32Array))
    throw new QuantTrimError({ code: 'QT_INVALID_ARGUMENT', message: 'argument `x` of `RuntimeSession.run`: expected a Float32Array' });
  const size = dims.reduce((a, d) => a * d, 1);
  if (!dims.every((d) => Number.isInteger(d) && d >= 0) || size !== x.length) {
    throw new QuantTrimError({
      code: 'QT_SHAPE_MISMATCH',
      message: `argument \`x\` of \`RuntimeSession.run\`: ${x.length} values for dims [${dims.join(', ')}]`,
    });
  }
}

/** Runs an ORT call; its failures (invalid model, unsupported type, shape errors) become `QT_RUNTIME_ERROR`. */
export async function ortCall<T>(runtime: RuntimeName, what: string, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (e) {
    throw new QuantTrimError({
      code: 'QT_RUNTIME_ERROR',
      message: `${runtime} could not ${what}: ${(e as Error).message ?? String(e)}`,
      cause: e,
      details: { runtime },
    });
  }
}

function wrapSession(ort: OrtModule, session: OrtInferenceSession, info: Pick<RuntimeSession, 'runtime' | 'version' | 'mode' | 'threads'>): RuntimeSession {
  const inputName = firstName(session.inputNames, 'input');
  const outputName = firstName(session.outputNames, 'output');
  const meta = session.inputMetadata?.[0];
  let released = false;
  return {
    ...info,
    inputName,
    outputName,
    inputShape: meta?.isTensor ? meta.shape : undefined,
    inputNames: [...session.inputNames],
    outputNames: [...session.outputNames],
    async run(x, dims) {
      if (released) throw new QuantTrimError({ code: 'QT_INVALID_ARGUMENT', message: `\`RuntimeSession.run\`: the ${info.runtime} session was released` });
      checkFeed(x, dims);
      const out = (await ortCall(info.runtime, 'run the model', () => session.run({ [inputName]: new ort.Tensor('float32', unshared(x), dims) })))[outputName];
      if (out === undefined || !(out.data instanceof Float32Array)) {
        throw new QuantTrimError({
          code: 'QT_INVALID_ARGUMENT',
          message: `\`RuntimeSession.run\`: output \`${outputName}\` is ${out?.type ?? 'missing'}, expected float32`,
        });
      }
      return out.data;
    },
    async runFeeds(feeds) {
      if (released) throw new QuantTrimError({ code: 'QT_INVALID_ARGUMENT', message: `\`RuntimeSession.runFeeds\`: the ${info.runtime} session was released` });
      const missing = session.inputNames.filter((n) => feeds[n] === undefined);
      if (missing.length > 0) {
        throw new QuantTrimError({
          code: 'QT_INVALID_ARGUMENT',
          message: `\`RuntimeSession.runFeeds\`: no data for the input${missing.length > 1 ? 's' : ''} ${missing.map((n) => `'${n}'`).join(', ')} (the model's inputs: ${session.inputNames.map((n) => `'${n}'`).join(', ')})`,
          details: { inputs: missing },
        });
      }
      const tensors: Record<string, OrtTensor> = {};
      for (const name of session.inputNames) {
        const { data, dims } = feeds[name]!;
        checkFeed(data, dims);
        tensors[name] = new ort.Tensor('float32', unshared(data), dims);
      }
      const out = await ortCall(info.runtime, 'run the model', () => session.run(tensors));
      return Object.fromEntries(
        session.outputNames.map((name) => [name, { data: asFloat32(out[name], name), dims: [...(out[name]?.dims ?? [])].map(Number) }]),
      );
    },
    async release() {
      if (released) return;
      released = true;
      await session.release();
    },
  };
}

/**
 * Loads `modelBytes` into onnxruntime-node (CPU provider) or onnxruntime-web (wasm provider).
 *
 * `emulate` runs the graph as written (optimization `disabled`), so a QDQ model computes its exact
 * float Q/DQ numerics; `native` uses level `all`, where ORT fuses QDQ groups into integer kernels.
 *
 * @throws QuantTrimError `QT_BACKEND_UNAVAILABLE` when the runtime package cannot be imported.
 *
 * @example
 * const s = await createRuntimeSession('onnxruntime-node', bytes, { mode: 'native' });
 * const logits = await s.run(x, [1, 3, 32, 32]);
 * await s.release();
 */
export async function createRuntimeSession(runtime: RuntimeName, modelBytes: Uint8Array, options: RuntimeSessionOptions): Promise<RuntimeSession> {
  checkRuntime(runtime);
  const requested = checkOptions(options);
  if (!(modelBytes instanceof Uint8Array))
    throw new QuantTrimError({ code: 'QT_INVALID_ARGUMENT', message: 'argument `modelBytes` of `createRuntimeSession`: expected a Uint8Array' });
  const ort = await loadRuntime(runtime, options.importRuntime);
  const threads = runtime === 'onnxruntime-web' ? applyWebThreads(ort, requested) : requested;
  const session = await ortCall(runtime, 'load the model', () => ort.InferenceSession.create(modelBytes, sessionOptions(runtime, options.mode, threads)));
  return wrapSession(ort, session, { runtime, version: runtimeVersion(ort, runtime), mode: options.mode, threads });
}

/**
 * `data` itself, or a copy of it when it lives in shared memory: ONNX Runtime rejects tensors over
 * a SharedArrayBuffer ("Invalid argument"), and `evaluate({ workers })` shares the test data
 * between threads. Only the batch being fed is copied.
 */
export function unshared(data: Float32Array): Float32Array {
  return data.buffer instanceof ArrayBuffer ? data : data.slice();
}
