import * as tf from '@tensorflow/tfjs';
import type { OnnxNode } from '@quant-trim/onnx-export';
import type { ImportContext, Value } from '../build/ImportContext.js';
import { NHWC, compose, inverse, isIdentity } from '../build/layout.js';
import { numbers, sizeOf } from '../graph/constants.js';
import { intAttr, intsAttr, out } from './attributes.js';
import type { OpConverter } from './types.js';

/** Flattens `x` to ONNX [N, rest] (features in ONNX order, or `nhwc-flat`). */
function flatten(ctx: ImportContext, node: OnnxNode, x: Value, tensor: string): void {
  const features = sizeOf(x.shape.slice(1));
  const shape = [x.shape[0]!, features];
  const name = () => ctx.name(node.name || 'flatten');
  if (x.layout === 'squeezed' || x.layout === 'nhwc-flat' || (x.layout === 'onnx' && x.shape.length === 2)) {
    ctx.set(tensor, { ...x, shape, layout: x.layout === 'nhwc-flat' ? 'nhwc-flat' : 'onnx' });
    return;
  }
  const sym = ctx.apply(tf.layers.flatten({ name: name() }), x.sym);
  if (x.layout === 'nhwc' && !(x.shape[2] === 1 && x.shape[3] === 1))
    ctx.set(tensor, { ...x, sym, shape, layout: 'nhwc-flat', chw: [x.shape[1]!, x.shape[2]!, x.shape[3]!] });
  else ctx.set(tensor, { ...x, sym, shape, layout: 'onnx' });
}

export const Flatten: OpConverter = {
  check(node, ctx) {
    const shape = ctx.shapeOf(node.inputs[0]!);
    const axis = intAttr(node, 'axis', 1);
    if (shape && (axis < 0 ? axis + shape.length : axis) !== 1) return `axis ${axis} (only 1: keep the batch axis)`;
    return undefined;
  },
  convert(node, ctx) {
    flatten(ctx, node, ctx.value(node.inputs[0]!), out(node));
  },
};

/** The reshape target with 0 (copy) and −1 (infer) resolved against `input`, or a reason. */
function target(node: OnnxNode, ctx: ImportContext, input: number[]): number[] | string {
  const raw = numbers(ctx.constant(node.inputs[1])!);
  const allowZero = intAttr(node, 'allowzero', 0) === 1;
  const dims = raw.map((d, i) => (d === 0 && !allowZero ? input[i]! : d));
  const known = dims.filter((d) => d !== -1).reduce((p, d) => p * d, 1);
  const resolved = dims.map((d) => (d === -1 ? sizeOf(input) / known : d));
  if (resolved[0] !== input[0]) return `a target [${raw.join(', ')}] that changes the batch axis`;
  return resolved;
}

/** ONNX `Reshape` to a constant target (folded shape chains included), keeping the batch axis. */
export const Reshape: OpConverter = {
  check(node, ctx) {
    if (ctx.constant(node.inputs[1]) === undefined) return 'the target shape is not a constant (not folded)';
    const shape = ctx.shapeOf(node.inputs[0]!);
    if (shape === undefined) return undefined;
    const t = target(node, ctx, shape);
    return typeof t === 'string' ? t : undefined;
  },
  convert(node, ctx) {
    const x = ctx.value(node.inputs[0]!);
    const shape = target(node, ctx, x.shape) as number[];
    if (shape.length === x.shape.length && shape.every((d, i) => d === x.shape[i])) return ctx.set(out(node), x);
    if (shape.length === 2) return flatten(ctx, node, x, out(node));
    const v = ctx.asOnnx(x);
    const sym = ctx.apply(tf.layers.reshape({ targetShape: shape.slice(1), name: ctx.name(node.name || 'reshape') }), v.sym);
    ctx.set(out(node), { ...v, sym, shape, layout: 'onnx' });
  },
};

/** The tfjs-axis permutation (layout → layout) of an ONNX `Transpose`. */
export const Transpose: OpConverter = {
  check(node, ctx) {
    const perm = intsAttr(node, 'perm');
    const shape = ctx.shapeOf(node.inputs[0]!);
    const p = perm ?? (shape ? shape.map((_, i) => shape.length - 1 - i) : undefined);
    if (p && p[0] !== 0) return `perm [${p.join(', ')}] moves the batch axis`;
    return undefined;
  },
  convert(node, ctx) {
    const x = ctx.value(node.inputs[0]!);
    const v = x.layout === 'nhwc' || x.layout === 'onnx' ? x : ctx.asOnnx(x);
    const rank = v.shape.length;
    const perm = intsAttr(node, 'perm') ?? v.shape.map((_, i) => rank - 1 - i);
    const shape = perm.map((a) => v.shape[a]!);
    // The tfjs tensor is the ONNX one permuted by L (identity, or NHWC); the result in ONNX order is the tfjs tensor permuted by q.
    const q = compose(v.layout === 'nhwc' ? inverse(NHWC) : v.shape.map((_, i) => i), perm);
    if (isIdentity(q)) return ctx.set(out(node), { ...v, shape, layout: 'onnx' });
    if (rank === 4 && isIdentity(compose(q, NHWC))) return ctx.set(out(node), { ...v, shape, layout: 'nhwc' });
    const sym = ctx.apply(tf.layers.permute({ dims: q.slice(1), name: ctx.name(node.name || 'transpose') }), v.sym);
    ctx.set(out(node), { ...v, sym, shape, layout: 'onnx' });
  },
};
