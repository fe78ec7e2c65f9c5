import { QuantTrimError } from '@quant-trim/errors';
import type { Logits } from '../metrics/classificationMetrics.js';

/** How far two runtimes' logits on the same samples are apart. */
export interface OutputComparison {
  /** Share of samples whose arg-max class is the same (first maximum on ties). */
  readonly top1Agreement: number;
  /** Largest |a − b| over all logits. */
  readonly maxAbsDiff: number;
  /** Mean |a − b| over all logits. */
  readonly meanAbsDiff: number;
  readonly samples: number;
}

function rowsOf(name: 'a' | 'b', l: Logits): number {
  if (!(l.data instanceof Float32Array) || !Number.isInteger(l.classes) || l.classes < 1 || l.data.length % l.classes !== 0) {
    throw new QuantTrimError({
      code: 'QT_INVALID_ARGUMENT',
      message: `argument \`${name}\` of \`compareRuntimeOutputs\`: expected { data: Float32Array, classes } with data.length a multiple of classes`,
    });
  }
  return l.data.length / l.classes;
}

function argmax(d: Float32Array, offset: number, k: number): number {
  let best = 0;
  for (let j = 1; j < k; j++) if (d[offset + j]! > d[offset + best]!) best = j;
  return best;
}

/**
 * Compares two runtimes' logits on the same samples (rows) and classes (columns).
 *
 * @throws QuantTrimError `QT_SHAPE_MISMATCH` when the sample or class counts differ.
 *
 * @example
 * const d = compareRuntimeOutputs(nodeLogits, webLogits); // { top1Agreement: 1, maxAbsDiff: 4.8e-7, ... }
 */
export function compareRuntimeOutputs(a: Logits, b: Logits): OutputComparison {
  const samples = rowsOf('a', a);
  const rowsB = rowsOf('b', b);
  if (rowsB !== samples)
    throw new QuantTrimError({
      code: 'QT_SHAPE_MISMATCH',
      message: `argument \`b\` of \`compareRuntimeOutputs\`: ${rowsB} samples, \`a\` has ${samples}`,
      details: { a: samples, b: rowsB },
    });
  if (b.classes !== a.classes)
    throw new QuantTrimError({
      code: 'QT_SHAPE_MISMATCH',
      message: `argument \`b\` of \`compareRuntimeOutputs\`: ${b.classes} classes, \`a\` has ${a.classes}`,
      details: { a: a.classes, b: b.classes },
    });
  if (samples === 0) throw new QuantTrimError({ code: 'QT_INVALID_ARGUMENT', message: 'arguments of `compareRuntimeOutputs`: no samples to compare' });
  const k = a.classes;
  let agree = 0;
  let max = 0;
  let sum = 0;
  for (let i = 0; i < samples; i++) if (argmax(a.data, i * k, k) === argmax(b.data, i * k, k)) agree++;
  for (let i = 0; i < a.data.length; i++) {
    const d = Math.abs(a.data[i]! - b.data[i]!);
    max = Math.max(max, d);
    sum += d;
  }
  return { top1Agreement: agree / samples, maxAbsDiff: max, meanAbsDiff: sum / a.data.length, samples };
}
