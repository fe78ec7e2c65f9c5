import * as tf from '../../src/tf.js';
import { groupLayout } from '@quant-trim/quant-grid';
import type { Granularity } from '@quant-trim/quant-grid';

/** Switches the tfjs backend (loading wasm on demand) for backend-parametrised op tests. */
export async function useBackend(name: string): Promise<void> {
  if (name === 'wasm') await import('@tensorflow/tfjs-backend-wasm');
  await tf.setBackend(name);
  await tf.ready();
}

/** Parameter index of every element (quant-grid's layout, written out independently of the op). */
export function paramIndex(shape: number[], granularity: Granularity): Int32Array {
  const l = groupLayout(shape, granularity);
  const n = shape.reduce((a, b) => a * b, 1);
  const idx = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    if (l.kind === 'per-tensor') continue;
    const o = Math.floor(i / (l.dim * l.inner));
    const k = Math.floor(i / l.inner) % l.dim;
    idx[i] = l.kind === 'per-channel' ? k : (o * l.groupsAlongAxis + Math.floor(k / l.groupSize)) * l.inner + (i % l.inner);
  }
  return idx;
}
