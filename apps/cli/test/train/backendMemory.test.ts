import { isQuantTrimError } from '@quant-trim/errors';
import { describe, expect, it } from 'vitest';
import { toExit } from '../../src/errors.js';
import { backendMemoryError } from '../../src/train/backendMemory.js';

describe('a training step the WebAssembly backend aborts', () => {
  it('becomes QT_BACKEND_MEMORY (exit 2) naming the step, method and batch size, with a smaller batch in the hint', () => {
    // What tfjs-backend-wasm throws when a step's tensors outgrow its heap (seen with mobilenet_v2 224×224 at batch 8).
    const cause = new WebAssembly.RuntimeError('memory access out of bounds');
    const error = backendMemoryError(cause, { step: 3, batchSize: 64, method: 'quant-trim' });
    expect(isQuantTrimError(error, 'QT_BACKEND_MEMORY')).toBe(true);
    const exit = toExit(error);
    expect(exit.exitCode).toBe(2);
    expect(exit.message).toBe(
      "the WebAssembly training backend failed at step 3 of quant-trim with --batch-size 64 (memory access out of bounds): a step's tensors outgrew the 2 GiB the backend can address",
    );
    expect(exit.hint).toMatch(/smaller --batch-size \(e\.g\. 16\) and --resume/);
    expect((error as Error).cause).toBe(cause);
  });

  it('leaves every other error as it is (a bug stays a bug)', () => {
    const other = new TypeError('x is undefined');
    expect(backendMemoryError(other, { step: 1, batchSize: 1, method: 'fp' })).toBe(other);
    expect(toExit(backendMemoryError(other, { step: 1, batchSize: 1, method: 'fp' })).code).toBe('QT_INTERNAL');
  });
});
