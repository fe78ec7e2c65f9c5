import * as tf from '@tensorflow/tfjs';
import type { OnnxNode } from '@quant-trim/onnx-export';
import type { ImportContext, Value } from '../build/ImportContext.js';
import { transposeData } from '../build/layout.js';
import { floats, sizeOf } from '../graph/constants.js';
import { floatAttr, intAttr, out } from './attributes.js';
import { foldInto, takeFoldableBatchNorm } from './batchNormParams.js';
import type { OpConverter } from './types.js';

/**
 * Kernel rows in the order the tfjs input holds its features: an input flattened from NHWC
 * (`nhwc-flat`) has them in H, W, C order where ONNX has C, H, W — the kernel is permuted instead
 * of the data, which keeps Flatten → Dense exact and cheap (and exports back the same way).
 */
function rowsFor(x: Value, kernel: Float32Array, units: number): Float32Array {
  if (x.layout !== 'nhwc-flat') return kernel;
  const [c, h, w] = x.chw!;
  return transposeData(kernel, [c, h, w, units], [1, 2, 0, 3]);
}

/** A Dense layer with `kernel` [inputs, units] in ONNX row order and `bias`, plus any BatchNorm folded after it. */
function dense(ctx: ImportContext, node: OnnxNode, x0: Value, kernel: Float32Array, bias: Float32Array | undefined, tensor: string): void {
  const x = x0.layout === 'nhwc-flat' || x0.layout === 'onnx' ? x0 : ctx.asOnnx(x0);
  const units = bias?.length ?? kernel.length / x.shape[x.shape.length - 1]!;
  const k = rowsFor(x, Float32Array.from(kernel), units);
  const b = bias ? Float32Array.from(bias) : new Float32Array(units);
  const fold = x.shape.length === 2 ? takeFoldableBatchNorm(ctx, tensor) : undefined;
  if (fold) foldInto(k, b, fold);
  const useBias = bias !== undefined || fold !== undefined;
  const layer = tf.layers.dense({ units, useBias, name: ctx.name(node.name || 'dense') });
  const sym = ctx.apply(layer, x.sym, [{ data: k, shape: [k.length / units, units] }, ...(useBias ? [{ data: b, shape: [units] }] : [])]);
  ctx.set(fold?.output ?? tensor, { sym, shape: [...x.shape.slice(0, -1), units], layout: 'onnx' });
}

/** ONNX `Gemm` (A · B or A · Bᵀ, times α, plus β·C) with a constant B → Dense. */
export const Gemm: OpConverter = {
  check(node, ctx) {
    const b = ctx.constant(node.inputs[1]);
    if (b === undefined || b.dims.length !== 2) return 'B is not a constant matrix';
    if (intAttr(node, 'transA', 0) !== 0) return 'transA = 1';
    const c = ctx.constant(node.inputs[2]);
    if (node.inputs[2] && c === undefined) return 'C is not a constant';
    const units = b.dims[intAttr(node, 'transB', 0) ? 0 : 1]!;
    if (c !== undefined && sizeOf(c.dims) !== 1 && sizeOf(c.dims) !== units) return `C of shape [${c.dims.join(', ')}] (only a bias per output)`;
    return undefined;
  },
  convert(node, ctx) {
    const b = ctx.constant(node.inputs[1])!;
    const transB = intAttr(node, 'transB', 0) === 1;
    const [rows, cols] = b.dims as [number, number];
    const alpha = floatAttr(node, 'alpha', 1);
    const beta = floatAttr(node, 'beta', 1);
    const kernel = (transB ? transposeData(floats(b), [rows, cols], [1, 0]) : Float32Array.from(floats(b))).map((v) => v * alpha);
    const units = transB ? rows : cols;
    const c = ctx.constant(node.inputs[2]);
    const bias = c === undefined ? undefined : sizeOf(c.dims) === 1 ? new Float32Array(units).fill(floats(c)[0]! * beta) : floats(c).map((v) => v * beta);
    dense(ctx, node, ctx.value(node.inputs[0]!), kernel, bias, out(node));
  },
};

/** ONNX `MatMul` by a constant matrix → Dense; an `Add` of a constant bias that alone reads it becomes the Dense's bias. */
export const MatMul: OpConverter = {
  check(node, ctx) {
    const b = ctx.constant(node.inputs[1]);
    if (b === undefined || b.dims.length !== 2) return 'the right operand is not a constant matrix';
    return undefined;
  },
  convert(node, ctx) {
    const b = ctx.constant(node.inputs[1])!;
    const units = b.dims[1]!;
    const add = ctx.soleConsumer(out(node), 'Add');
    const other = add?.inputs.find((i) => i !== out(node));
    const c = ctx.constant(other);
    let bias: Float32Array | undefined;
    let tensor = out(node);
    if (
      add &&
      c &&
      (c.dims.length === 0 ||
        (c.dims.length === 1 && (c.dims[0] === units || c.dims[0] === 1)) ||
        (c.dims.length === 2 && c.dims[0] === 1 && c.dims[1] === units))
    ) {
      bias = sizeOf(c.dims) === 1 ? new Float32Array(units).fill(floats(c)[0]!) : Float32Array.from(floats(c));
      ctx.absorbed.add(add);
      tensor = add.outputs[0]!;
    }
    dense(ctx, node, ctx.value(node.inputs[0]!), floats(b), bias, tensor);
  },
};
