/**
 * How a tfjs tensor holds an ONNX tensor. ONNX vision graphs are NCHW; tfjs layers are NHWC, so
 * rank-4 activations live channels-last inside the imported model and convert only where an op
 * needs the ONNX order.
 *
 * - `nhwc`: ONNX [N, C, H, W] held as tfjs [N, H, W, C].
 * - `onnx`: the same axis order in both (rank 2 features, rank 3 / 5 tensors, inputs already NHWC).
 * - `nhwc-flat`: ONNX [N, C·H·W] flattened from NCHW, held as tfjs [N, H·W·C] flattened from NHWC
 *   (`chw` gives the sizes). A following Gemm / MatMul reorders its weight rows instead of the data.
 * - `squeezed`: ONNX [N, C, 1, 1] (a global pool) held as tfjs [N, C].
 */
export type Layout = 'nhwc' | 'onnx' | 'nhwc-flat' | 'squeezed';

/** tfjs axis order of a rank-4 `nhwc` tensor, as ONNX axes. */
export const NHWC = [0, 2, 3, 1] as const;
/** ONNX axis → tfjs axis for `nhwc` tensors. */
export const NHWC_AXIS = [0, 3, 1, 2] as const;

/** `x.transpose(a).transpose(b)` as one permutation. */
export const compose = (a: readonly number[], b: readonly number[]): number[] => b.map((i) => a[i]!);
export const inverse = (p: readonly number[]): number[] => {
  const out = new Array<number>(p.length);
  p.forEach((v, i) => (out[v] = i));
  return out;
};
export const isIdentity = (p: readonly number[]): boolean => p.every((v, i) => v === i);

/** Row-major transpose of `data` with shape `dims` by `perm` (numpy's `transpose`). */
export function transposeData(data: Float32Array, dims: readonly number[], perm: readonly number[]): Float32Array {
  const rank = dims.length;
  const outDims = perm.map((p) => dims[p]!);
  const inStrides = new Array<number>(rank).fill(1);
  for (let i = rank - 2; i >= 0; i--) inStrides[i] = inStrides[i + 1]! * dims[i + 1]!;
  const out = new Float32Array(data.length);
  const idx = new Array<number>(rank).fill(0);
  for (let o = 0; o < out.length; o++) {
    let src = 0;
    for (let d = 0; d < rank; d++) src += idx[d]! * inStrides[perm[d]!]!;
    out[o] = data[src]!;
    for (let d = rank - 1; d >= 0; d--) {
      if (++idx[d]! < outDims[d]!) break;
      idx[d] = 0;
    }
  }
  return out;
}

/** ONNX pads [top, left, bottom, right] TensorFlow's 'same' uses (the extra row at the end). */
export function samePads(inputHW: readonly number[], kernel: readonly number[], strides: readonly number[], dilations: readonly number[]): number[] {
  const pad = (size: number, k: number, s: number, d: number) => {
    const total = Math.max((Math.ceil(size / s) - 1) * s + (k - 1) * d + 1 - size, 0);
    return [Math.floor(total / 2), total - Math.floor(total / 2)] as const;
  };
  const [top, bottom] = pad(inputHW[0]!, kernel[0]!, strides[0]!, dilations[0]!);
  const [left, right] = pad(inputHW[1]!, kernel[1]!, strides[1]!, dilations[1]!);
  return [top, left, bottom, right];
}
