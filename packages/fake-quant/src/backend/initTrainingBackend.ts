import { engine, env, ready, setBackend } from '../tf.js';
import type { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import { QuantTrimError } from '@quant-trim/errors';
import { registerTrainingKernels } from './registerTrainingKernels.js';
import type { TrainingKernelBackend } from './registerTrainingKernels.js';

export interface InitTrainingBackendOptions {
  /** 'wasm' (default): XNNPACK with SIMD, ~100x the pure-JS 'cpu' backend for conv training. */
  readonly backend?: TrainingKernelBackend;
  /** Register this package's training kernels (default true). */
  readonly kernels?: boolean;
  /**
   * Where a browser bundle serves the wasm binaries (the argument of the wasm package's
   * `setWasmPaths`: a folder prefix, or a map from binary name to URL). Not needed in Node,
   * where the backend loads the binaries from its own package. Applied only before the wasm
   * backend's first initialisation.
   */
  readonly wasmPaths?: Parameters<typeof setWasmPaths>[0];
}

export interface TrainingBackendInfo {
  /** The active tfjs backend. */
  readonly backend: string;
  /** Kernels served by this package on that backend (empty with `kernels: false`). */
  readonly kernels: readonly string[];
  /** Whether the wasm binary in use is the SIMD one (wasm only). */
  readonly simd?: boolean;
}

/**
 * Selects a tfjs backend that can train conv nets fast without tfjs-node, and registers this
 * package's training kernels for it (see `registerTrainingKernels`). The backend package (wasm, or
 * cpu) is imported here, lazily — importing this module has no side effects. Calling it again is cheap
 * and registers nothing twice.
 *
 * @example
 * const { backend, kernels, simd } = await initTrainingBackend(); // 'wasm', [...5 kernels], true
 * await model.fit(xs, ys); // conv, depthwise and max-pool gradients on XNNPACK
 */
export async function initTrainingBackend(options: InitTrainingBackendOptions = {}): Promise<TrainingBackendInfo> {
  const backend = options.backend ?? 'wasm';
  if (backend !== 'wasm' && backend !== 'cpu') {
    throw new QuantTrimError({
      code: 'QT_INVALID_ARGUMENT',
      message: `argument \`options.backend\` of \`initTrainingBackend\`: expected 'wasm' or 'cpu', got '${String(backend)}'`,
      details: { argument: 'options.backend', value: backend },
    });
  }
  if (backend === 'wasm') {
    // Importing the package registers the 'wasm' backend and its kernels with tfjs.
    const wasm = await import('@tensorflow/tfjs-backend-wasm');
    if (options.wasmPaths !== undefined && engine().registry['wasm'] === undefined) wasm.setWasmPaths(options.wasmPaths);
  } else {
    // This package imports tfjs-core and tfjs-layers, not the umbrella that registers 'cpu'.
    await import('@tensorflow/tfjs-backend-cpu');
  }
  let selected: boolean;
  try {
    selected = await setBackend(backend);
    await ready();
  } catch (cause) {
    throw backendUnavailable(backend, cause);
  }
  if (!selected) throw backendUnavailable(backend, undefined);
  const kernels = options.kernels === false ? [] : registerTrainingKernels(backend);
  if (backend !== 'wasm') return { backend, kernels };
  return { backend, kernels, simd: (await env().getAsync('WASM_HAS_SIMD_SUPPORT')) === true };
}

function backendUnavailable(backend: string, cause: unknown): QuantTrimError {
  return new QuantTrimError({
    code: 'QT_BACKEND_UNAVAILABLE',
    message: `initTrainingBackend: the tfjs '${backend}' backend failed to initialise${backend === 'wasm' ? ' (in a browser bundle, pass `wasmPaths` where the .wasm files are served)' : ''}`,
    cause,
    details: { backend },
  });
}
