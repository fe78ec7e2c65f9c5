import type { ProfileResult, TensorRange } from '@quant-trim/backend-eval';
import type { DropSource } from './types.js';

const finite = (v: number) => Number.isFinite(v) && v > -999 && v < 999;

/** Share of `[observedMin, observedMax]` inside `[clipMin, clipMax]` (1 when the observed range is a point inside the clip). */
export function keptShare(t: Pick<TensorRange, 'observedMin' | 'observedMax' | 'clipMin' | 'clipMax'>): number {
  const span = t.observedMax - t.observedMin;
  const overlap = Math.max(0, Math.min(t.observedMax, t.clipMax) - Math.max(t.observedMin, t.clipMin));
  if (span <= 0) return t.observedMin >= t.clipMin && t.observedMin <= t.clipMax ? 1 : 0;
  return Math.min(1, overlap / span);
}

/**
 * Where a profile's drop comes from: the quantized layer with the lowest isolated SQNR (only that
 * layer quantized, per backend-eval's sensitivity) and, of the activation tensors it reads and
 * writes, the one whose chosen clip keeps the least of its observed range (the output on a tie).
 * Undefined when the profile did not run or no sensitivity was measured.
 */
export function dropSourceOf(result: ProfileResult | undefined): DropSource | undefined {
  if (result?.status !== 'ok') return undefined;
  const layers = (result.sensitivity?.layers ?? []).filter((l) => finite(l.isolatedSqnrDb));
  if (layers.length === 0) return undefined;
  const worst = layers.reduce((a, b) => (b.isolatedSqnrDb < a.isolatedSqnrDb ? b : a));
  const ranges = new Map((result.calibration?.tensors ?? []).map((t) => [t.tensor, t]));
  const candidates = (
    [
      ['output', worst.outputTensor],
      ['input', worst.inputTensor],
    ] as const
  )
    .map(([role, name]) => ({ role, range: name === undefined ? undefined : ranges.get(name) }))
    .filter((c): c is { role: 'input' | 'output'; range: TensorRange } => c.range !== undefined);
  const base: DropSource = { layer: worst.node, opType: worst.opType, isolatedSqnrDb: worst.isolatedSqnrDb };
  if (candidates.length === 0) return base;
  const pick = candidates.reduce((a, b) => (keptShare(b.range) < keptShare(a.range) ? b : a));
  const t = pick.range;
  return {
    ...base,
    tensor: t.tensor,
    role: pick.role,
    observedMin: t.observedMin,
    observedMax: t.observedMax,
    clipMin: t.clipMin,
    clipMax: t.clipMax,
    keptShare: keptShare(t),
    source: t.source,
  };
}
