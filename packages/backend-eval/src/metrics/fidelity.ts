import { QuantTrimError } from '@quant-trim/errors';

/** The values of one model output over every evaluation sample: row-major, batch first. */
export interface OutputValues {
  readonly name: string;
  /** Shape of one sample's output (without the batch axis). */
  readonly sampleShape: readonly number[];
  readonly data: Float32Array;
}

/**
 * Task-agnostic fidelity of one output of the quantized model against the float model, over the
 * evaluation samples (no labels needed).
 */
export interface OutputFidelity {
  readonly output: string;
  /** Values per sample of this output. */
  readonly elements: number;
  /** `10·log10(Σ f² / Σ (f − q)²)` over all samples and elements, in dB (999 = identical, −999 = no signal). */
  readonly sqnrDb: number;
  /** Mean over samples of the cosine similarity of the float and quantized output vectors (1 when both are zero, 0 when one is). */
  readonly cosine: number;
  /** Largest `|f − q|` over all samples and elements. */
  readonly maxAbsError: number;
}

/** SQNR in dB of `q` against reference `f`: 10·log10(Σf² / Σ(f − q)²); Infinity when identical. */
export function sqnrDb(f: Float32Array, q: Float32Array): number {
  const sums = { signal: 0, noise: 0 };
  addSqnrSums(sums, f, q);
  return sqnrOfSums(sums);
}

/** Adds `Σf²` and `Σ(f − q)²` of `f` against `q` to running totals (SQNR over data seen in parts). */
export function addSqnrSums(sums: { signal: number; noise: number }, f: Float32Array, q: Float32Array): void {
  let signal = 0;
  let noise = 0;
  for (let i = 0; i < f.length; i++) {
    signal += f[i]! * f[i]!;
    const d = f[i]! - q[i]!;
    noise += d * d;
  }
  sums.signal += signal;
  sums.noise += noise;
}

/** The SQNR in dB of running totals; Infinity when the noise is 0. */
export function sqnrOfSums({ signal, noise }: { signal: number; noise: number }): number {
  return noise === 0 ? Infinity : 10 * Math.log10(signal / noise);
}

/** JSON has no Infinity / NaN: identical outputs report 999 dB, unmeasurable ones −999 dB. */
export function finiteDb(v: number): number {
  if (Number.isNaN(v)) return -999;
  return Number.isFinite(v) ? v : v > 0 ? 999 : -999;
}

/**
 * SQNR, mean per-sample cosine and max abs error of `quantized` against `float`, which must have
 * the same sample count and shape.
 *
 * @example
 * outputFidelity({ name: 'y', sampleShape: [2], data: Float32Array.of(3, 4) }, { name: 'y', sampleShape: [2], data: Float32Array.of(3, 3) });
 * // { output: 'y', elements: 2, sqnrDb: 10·log10(25 / 1) ≈ 13.98, cosine: 21 / (5·√18) ≈ 0.99, maxAbsError: 1 }
 */
export function outputFidelity(float: OutputValues, quantized: OutputValues): OutputFidelity {
  const elements = float.sampleShape.reduce((a, b) => a * b, 1);
  if (
    quantized.data.length !== float.data.length ||
    quantized.sampleShape.join() !== float.sampleShape.join() ||
    elements === 0 ||
    float.data.length % elements !== 0
  ) {
    throw new QuantTrimError({
      code: 'QT_SHAPE_MISMATCH',
      message: `output '${float.name}': the quantized model gives ${quantized.data.length} values of sample shape [${quantized.sampleShape.join(', ')}], the float model ${float.data.length} of [${float.sampleShape.join(', ')}]`,
      details: { output: float.name },
    });
  }
  const f = float.data;
  const q = quantized.data;
  const rows = f.length / elements;
  let signal = 0;
  let noise = 0;
  let maxAbs = 0;
  let cosineSum = 0;
  for (let r = 0; r < rows; r++) {
    let dot = 0;
    let ff = 0;
    let qq = 0;
    for (let i = r * elements; i < (r + 1) * elements; i++) {
      const a = f[i]!;
      const b = q[i]!;
      const d = a - b;
      signal += a * a;
      noise += d * d;
      const ad = Math.abs(d);
      if (ad > maxAbs) maxAbs = ad;
      else if (Number.isNaN(ad)) maxAbs = Infinity;
      dot += a * b;
      ff += a * a;
      qq += b * b;
    }
    cosineSum += ff === 0 && qq === 0 ? 1 : ff === 0 || qq === 0 ? 0 : dot / Math.sqrt(ff * qq);
  }
  const sqnr = noise === 0 ? Infinity : signal === 0 ? -Infinity : 10 * Math.log10(signal / noise);
  const cosine = rows > 0 ? cosineSum / rows : 1;
  // Non-finite outputs (NaN, overflow) are reported as the worst values JSON can hold.
  return {
    output: float.name,
    elements,
    sqnrDb: finiteDb(sqnr),
    cosine: Number.isFinite(cosine) ? cosine : 0,
    maxAbsError: Number.isFinite(maxAbs) ? maxAbs : Number.MAX_VALUE,
  };
}
