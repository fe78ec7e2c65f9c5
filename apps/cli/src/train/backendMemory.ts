import { QuantTrimError } from '@quant-trim/errors';

/**
 * A training step that the WebAssembly backend aborted (`WebAssembly.RuntimeError`: "memory access
 * out of bounds", "Aborted()") as a coded usage error. The wasm backend addresses its heap with
 * 32-bit signed offsets, so about 2 GiB of tensors is all a step may hold: the activations a large
 * model keeps for its backward pass outgrow it at a batch size a float GPU run would take for
 * granted (torchvision mobilenet_v2 at 224×224 trains at batch 4, not 8). Any other error is returned as it is.
 */
export function backendMemoryError(error: unknown, where: { step: number; batchSize: number; method: string }): unknown {
  if (!(error instanceof WebAssembly.RuntimeError)) return error;
  return new QuantTrimError({
    code: 'QT_BACKEND_MEMORY',
    message: `the WebAssembly training backend failed at step ${where.step} of ${where.method} with --batch-size ${where.batchSize} (${error.message}): a step's tensors outgrew the 2 GiB the backend can address`,
    cause: error,
    details: {
      hint: `rerun with a smaller --batch-size (e.g. ${Math.max(1, Math.floor(where.batchSize / 4))}) and --resume; if it fails at a small batch too, it is a bug: rerun with --verbose and report it`,
    },
  });
}
