import { QuantTrimError } from '@quant-trim/errors';

/** Logits of `samples` rows × `classes` columns, row-major. */
export interface Logits {
  readonly data: Float32Array;
  readonly classes: number;
}

/** What the evaluation protocol (docs/method.md#metrics) reports per model × profile, against the float model. */
export interface ComparisonMetrics {
  samples: number;
  /** Share of correct top-1 predictions of the quantized model (when labels are given). */
  accuracy?: number;
  /** Share of correct top-1 predictions of the float model (when labels are given). */
  floatAccuracy?: number;
  /** floatAccuracy − accuracy. */
  drop?: number;
  /** Share of samples whose top-1 class equals the float model's. */
  top1Agreement: number;
  /** Mean KL(softmax(float) ‖ softmax(quantized)) in nats. */
  kl: number;
  /** Mean cosine similarity of the logit vectors. */
  logitCosine: number;
  /** Expected calibration error of the quantized model (15 equal-width confidence bins), when labels are given. */
  ece?: number;
}

function check(name: string, l: Logits, rows?: number): number {
  if (!(l.data instanceof Float32Array) || !Number.isInteger(l.classes) || l.classes < 1 || l.data.length % l.classes !== 0) {
    throw new QuantTrimError({
      code: 'QT_INVALID_ARGUMENT',
      message: `argument \`${name}\`: expected { data: Float32Array, classes } with data.length a multiple of classes`,
    });
  }
  const n = l.data.length / l.classes;
  if (rows !== undefined && n !== rows) {
    throw new QuantTrimError({ code: 'QT_SHAPE_MISMATCH', message: `argument \`${name}\`: ${n} samples, expected ${rows}` });
  }
  return n;
}

function argmax(d: Float32Array, offset: number, k: number): number {
  let best = 0;
  for (let j = 1; j < k; j++) if (d[offset + j]! > d[offset + best]!) best = j;
  return best;
}

/** Log-softmax of one row into `out` (numerically stable). */
function logSoftmax(d: Float32Array, offset: number, k: number, out: Float64Array): void {
  let max = -Infinity;
  for (let j = 0; j < k; j++) max = Math.max(max, d[offset + j]!);
  let sum = 0;
  for (let j = 0; j < k; j++) sum += Math.exp(d[offset + j]! - max);
  const log = Math.log(sum) + max;
  for (let j = 0; j < k; j++) out[j] = d[offset + j]! - log;
}

/** Expected calibration error over `bins` equal-width confidence bins (Guo et al. 2017). */
export function expectedCalibrationError(confidence: Float64Array, correct: Uint8Array, bins = 15): number {
  const count = new Float64Array(bins);
  const conf = new Float64Array(bins);
  const acc = new Float64Array(bins);
  for (let i = 0; i < confidence.length; i++) {
    const b = Math.min(bins - 1, Math.floor(confidence[i]! * bins));
    count[b]!++;
    conf[b]! += confidence[i]!;
    acc[b]! += correct[i]!;
  }
  let ece = 0;
  for (let b = 0; b < bins; b++) if (count[b]! > 0) ece += Math.abs(acc[b]! - conf[b]!) / confidence.length;
  return ece;
}

/**
 * Compares a quantized model's logits with the float model's on the same samples: top-1
 * agreement, mean KL(softmax_FP ‖ softmax_Q), mean logit cosine, and — with labels — accuracy of
 * both, the drop, and the quantized model's ECE (15 bins).
 *
 * @example
 * const m = compareLogits({ data: fp, classes: 10 }, { data: q, classes: 10 }, labels);
 * console.log(m.drop, m.top1Agreement, m.kl);
 */
export function compareLogits(float: Logits, quantized: Logits, labels?: ArrayLike<number>): ComparisonMetrics {
  const n = check('float', float);
  check('quantized', quantized, n);
  const k = float.classes;
  if (quantized.classes !== k)
    throw new QuantTrimError({ code: 'QT_SHAPE_MISMATCH', message: `argument \`quantized\`: ${quantized.classes} classes, expected ${k}` });
  if (labels !== undefined && labels.length !== n)
    throw new QuantTrimError({ code: 'QT_SHAPE_MISMATCH', message: `argument \`labels\`: ${labels.length} labels for ${n} samples` });
  const lp = new Float64Array(k);
  const lq = new Float64Array(k);
  let agree = 0;
  let kl = 0;
  let cosine = 0;
  let correctQ = 0;
  let correctF = 0;
  const confidence = new Float64Array(n);
  const correct = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    const o = i * k;
    const tf = argmax(float.data, o, k);
    const tq = argmax(quantized.data, o, k);
    if (tf === tq) agree++;
    logSoftmax(float.data, o, k, lp);
    logSoftmax(quantized.data, o, k, lq);
    let row = 0;
    let dot = 0;
    let nf = 0;
    let nq = 0;
    for (let j = 0; j < k; j++) {
      row += Math.exp(lp[j]!) * (lp[j]! - lq[j]!);
      dot += float.data[o + j]! * quantized.data[o + j]!;
      nf += float.data[o + j]! ** 2;
      nq += quantized.data[o + j]! ** 2;
    }
    kl += row;
    cosine += nf === 0 || nq === 0 ? (nf === nq ? 1 : 0) : dot / Math.sqrt(nf * nq);
    if (labels !== undefined) {
      const label = labels[i]!;
      correctQ += tq === label ? 1 : 0;
      correctF += tf === label ? 1 : 0;
      confidence[i] = Math.exp(lq[tq]!);
      correct[i] = tq === label ? 1 : 0;
    }
  }
  const base: ComparisonMetrics = { samples: n, top1Agreement: agree / n, kl: kl / n, logitCosine: cosine / n };
  if (labels === undefined) return base;
  const accuracy = correctQ / n;
  const floatAccuracy = correctF / n;
  return { ...base, accuracy, floatAccuracy, drop: floatAccuracy - accuracy, ece: expectedCalibrationError(confidence, correct) };
}

/** Across profiles (docs/method.md#metrics): mean drop, worst-case drop and spread (max − min accuracy). */
export function acrossProfiles(accuracies: readonly number[], floatAccuracy: number): { meanDrop: number; worstDrop: number; spread: number } {
  if (accuracies.length === 0)
    throw new QuantTrimError({ code: 'QT_INVALID_ARGUMENT', message: 'argument `accuracies` of `acrossProfiles`: expected at least one accuracy' });
  const drops = accuracies.map((a) => floatAccuracy - a);
  return {
    meanDrop: drops.reduce((a, b) => a + b, 0) / drops.length,
    worstDrop: Math.max(...drops),
    spread: Math.max(...accuracies) - Math.min(...accuracies),
  };
}
