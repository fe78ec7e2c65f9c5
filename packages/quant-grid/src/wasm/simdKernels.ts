import type { RoundingMode } from '../scheme.js';
import { KERNELS_WASM_BASE64 } from './kernels.generated.js';

/** Values per chunk copied through the module's memory: 64 KiB stays in cache. */
const CHUNK = 16384;
const MODES: Record<RoundingMode, number> = { 'half-even': 0, 'half-away': 1, 'half-up': 2, floor: 3 };

export interface SimdKernels {
  /**
   * Fake-quantizes x[offset .. offset + length) into out (same indices) with one (s, z): the
   * SIMD equivalent of the scalar loop, bit for bit. `length` may be anything; the tail that
   * does not fill a 4-lane vector is left to the caller and its count returned.
   */
  fakeQuantize(x: Float32Array, out: Float32Array, offset: number, length: number, s: number, lo: number, hi: number, mode: RoundingMode): number;
}

let enabled = true;
let cached: SimdKernels | null | undefined;

function decode(base64: string): Uint8Array<ArrayBuffer> {
  const text = atob(base64);
  const bytes = new Uint8Array(text.length);
  for (let i = 0; i < text.length; i++) bytes[i] = text.charCodeAt(i);
  return bytes;
}

function instantiate(): SimdKernels | null {
  if (typeof WebAssembly !== 'object' || typeof atob !== 'function') return null;
  try {
    const bytes = decode(KERNELS_WASM_BASE64);
    if (!WebAssembly.validate(bytes)) return null; // no SIMD support in this engine
    const instance = new WebAssembly.Instance(new WebAssembly.Module(bytes), {});
    const exports = instance.exports as {
      memory: WebAssembly.Memory;
      fake_quantize: (p: number, n: number, s: number, lo: number, hi: number, mode: number) => void;
    };
    const heap = new Float32Array(exports.memory.buffer, 0, CHUNK);
    return {
      fakeQuantize(x, out, offset, length, s, lo, hi, mode) {
        const vectorLength = length - (length % 4);
        const m = MODES[mode];
        for (let a = 0; a < vectorLength; a += CHUNK) {
          const n = Math.min(CHUNK, vectorLength - a);
          heap.set(x.subarray(offset + a, offset + a + n));
          exports.fake_quantize(0, n, s, lo, hi, m);
          out.set(n === CHUNK ? heap : heap.subarray(0, n), offset + a);
        }
        return length - vectorLength;
      },
    };
  } catch {
    return null;
  }
}

/** The SIMD kernels, or null where WebAssembly SIMD is unavailable or turned off. */
export function simdKernels(): SimdKernels | null {
  if (!enabled) return null;
  if (cached === undefined) cached = instantiate();
  return cached;
}

/**
 * Chooses the implementation of the typed-array kernels. Both give identical bits; `simd: false`
 * forces the portable scalar JavaScript path (for comparisons, or engines where SIMD misbehaves).
 * Returns whether SIMD kernels are in use afterwards.
 */
export function configureKernels(options: { simd?: boolean }): { simd: boolean } {
  if (options.simd !== undefined) enabled = options.simd;
  return { simd: simdKernels() !== null };
}
