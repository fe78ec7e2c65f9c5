import * as tf from '../tf.js';
import type { RoundingMode } from '@quant-trim/quant-grid';

/**
 * @internal R(v) with the tie rule `mode`, exact for every float32 `v` in float32 tensor
 * arithmetic, so it agrees with quant-grid's `roundWith` (up to the sign of zero):
 * - `half-even`: `tf.round`, which rounds half to even on the cpu and wasm backends;
 * - `half-up`: r = round(v); d = v − r is exact (Sterbenz), and a tie that went down (d = +0.5)
 *   goes up, as quant-grid's SIMD kernel does;
 * - `half-away`: half-up of |v|, with the sign of v put back;
 * - `floor`: `tf.floor`.
 *
 * `floor(v + 0.5)` is never used: in float32, 0.49999997 + 0.5 rounds to 1. NaN stays NaN and
 * ±Infinity stays ±Infinity; a zero may come out as −0 (callers add the zero point, which makes it +0).
 */
export function roundTensor(v: tf.Tensor, mode: RoundingMode): tf.Tensor {
  switch (mode) {
    case 'half-even':
      return tf.round(v);
    case 'floor':
      return tf.floor(v);
    case 'half-up': {
      const r = tf.round(v);
      return tf.add(r, tf.cast(tf.equal(tf.sub(v, r), 0.5), 'float32'));
    }
    case 'half-away': {
      const a = tf.abs(v);
      const r = tf.round(a);
      const up = tf.add(r, tf.cast(tf.equal(tf.sub(a, r), 0.5), 'float32'));
      return tf.mul(tf.sign(v), up);
    }
  }
}

/**
 * @internal clamp(q, qmin, qmax) with NaN → qmin (quant-grid and ONNX Runtime map NaN to qmin).
 * `tf.clipByValue` alone does not do that the same way everywhere: cpu keeps NaN, wasm gives qmin.
 */
export function clampCode(q: tf.Tensor, qmin: number, qmax: number): tf.Tensor {
  const clipped = tf.clipByValue(q, qmin, qmax);
  if (clipMapsNaNToMin()) return clipped;
  // A full-size `fill` rather than the scalar: tf.where broadcasts a scalar with Tile, which is slow.
  return tf.where(tf.isNaN(q), tf.fill(q.shape, qmin), clipped);
}

const nanClipByBackend = new Map<string, boolean>();

/**
 * Whether the active backend's ClipByValue already sends NaN to the lower bound (wasm does, cpu
 * keeps NaN). Probed once per backend, so the NaN fix costs three full-size kernels only where
 * it is needed.
 */
function clipMapsNaNToMin(): boolean {
  const backend = tf.getBackend();
  let known = nanClipByBackend.get(backend);
  if (known === undefined) {
    known = tf.tidy(() => tf.clipByValue(tf.tensor1d([Number.NaN]), -3, 5).dataSync()[0] === -3);
    nanClipByBackend.set(backend, known);
  }
  return known;
}
