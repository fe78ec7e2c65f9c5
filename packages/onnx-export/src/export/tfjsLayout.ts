import type { GraphBuilder } from './GraphBuilder.js';
import { ints } from './GraphBuilder.js';

/**
 * A tensor of the exported graph. tfjs is channels-last; ONNX convs are channels-first, so rank-4
 * tensors live in NCHW inside the graph (`layout: 'nchw'`) and are transposed back to NHWC only
 * where tfjs semantics need it (Flatten, Reshape, outputs). `shape` is always the tfjs (NHWC) shape.
 */
export interface ExportTensor {
  name: string;
  shape: (number | null)[];
  /**
   * 'nchw-flat': a rank-2 tensor flattened straight from NCHW (features in C, H, W order, `chw`
   * holds the sizes); a Dense consumer permutes its kernel rows instead of transposing the data.
   */
  layout: 'nchw' | 'plain' | 'nchw-flat';
  chw?: [number, number, number];
  /** Scale of the per-tensor grid the values lie on (after a DequantizeLinear), for int32 biases. */
  inputScale?: number;
  /** The per-tensor grid the values lie on, to re-emit Q/DQ right before a quantized op. */
  grid?: { scale: string; zeroPoint: string; dequantized: string };
}

export function toNchw(b: GraphBuilder, t: ExportTensor): ExportTensor {
  if (t.layout === 'nchw' || t.shape.length !== 4) return t;
  return { ...t, name: b.node('Transpose', [t.name], `${t.name}_nchw`, { perm: ints([0, 3, 1, 2]) }), layout: 'nchw' as const };
}

export function toPlain(b: GraphBuilder, t: ExportTensor): ExportTensor {
  if (t.layout === 'plain') return t;
  if (t.layout === 'nchw-flat') {
    const [c, h, w] = t.chw!;
    const nchw = b.node('Reshape', [t.name, b.int64(`${t.name}_shape`, [0, c, h, w])], `${t.name}_unflat`);
    const nhwc = b.node('Transpose', [nchw], `${t.name}_nhwc`, { perm: ints([0, 2, 3, 1]) });
    const { chw: _chw, ...rest } = t;
    return { ...rest, name: b.node('Reshape', [nhwc, b.int64(`${t.name}_flat`, [0, -1])], `${t.name}_flat`), layout: 'plain' };
  }
  return { ...t, name: b.node('Transpose', [t.name], `${t.name}_nhwc`, { perm: ints([0, 2, 3, 1]) }), layout: 'plain' };
}

/** A tfjs (NHWC) axis in the graph's layout of `t`. */
export function graphAxis(t: ExportTensor, axis: number): number {
  const rank = t.shape.length;
  const a = axis < 0 ? axis + rank : axis;
  if (t.layout !== 'nchw') return a;
  return [0, 2, 3, 1][a]!;
}

/** ONNX pads [top, left, bottom, right] for a tfjs 'same' / 'valid' conv or pool (TensorFlow's SAME puts the extra row at the end). */
export function spatialPads(
  inputHW: [number, number],
  kernel: [number, number],
  strides: [number, number],
  dilation: [number, number],
  padding: string,
): number[] {
  if (padding !== 'same') return [0, 0, 0, 0];
  const pad = (size: number, k: number, s: number, d: number) => {
    const out = Math.ceil(size / s);
    const total = Math.max((out - 1) * s + (k - 1) * d + 1 - size, 0);
    return [Math.floor(total / 2), total - Math.floor(total / 2)] as const;
  };
  const [top, bottom] = pad(inputHW[0], kernel[0], strides[0], dilation[0]);
  const [left, right] = pad(inputHW[1], kernel[1], strides[1], dilation[1]);
  return [top, left, bottom, right];
}
