import * as tf from '@tensorflow/tfjs';
import type { ImportContext, Value } from '../build/ImportContext.js';
import { NHWC, NHWC_AXIS, transposeData } from '../build/layout.js';
import { type ConstTensor, floats } from '../graph/constants.js';
import { type ElementwiseOp, OnnxElementwise } from '../layers/OnnxElementwise.js';
import { intAttr, out } from './attributes.js';
import type { OpConverter } from './types.js';

/** Both operands in one tfjs layout: NHWC when either is a rank-4 image tensor, else ONNX order. */
function align(ctx: ImportContext, values: Value[]): Value[] {
  const image = values.some((v) => v.shape.length === 4);
  return values.map((v) => (image ? ctx.asNhwc(v) : ctx.asOnnx(v)));
}

/** A constant operand in the tfjs layout of `x`: broadcast to x's rank, then NHWC-permuted for image tensors. */
function constantFor(x: Value, c: ConstTensor): { data: Float32Array; shape: number[] } {
  const rank = Math.max(x.shape.length, c.dims.length);
  const dims = [...new Array<number>(rank - c.dims.length).fill(1), ...c.dims];
  if (x.layout !== 'nhwc') return { data: Float32Array.from(floats(c)), shape: dims };
  return { data: transposeData(floats(c), dims, NHWC), shape: NHWC.map((a) => dims[a]!) };
}

const binary = (op: ElementwiseOp): OpConverter => ({
  dynamicInputs: 'all',
  check(node, ctx) {
    const shapes = node.inputs.map((name) => ctx.shapeOf(name));
    const constant = node.inputs.map((name) => ctx.constant(name));
    if (constant.every((c) => c === undefined)) {
      const [a, b] = shapes;
      if (a && b && a.length !== b.length) return `tensors of ranks ${a.length} and ${b.length}`;
      if (a && b && a[0] !== b[0]) return 'broadcasting over the batch axis';
      return undefined;
    }
    const c = constant.find((t) => t !== undefined)!;
    const x = shapes[constant.indexOf(undefined)];
    if (x && c.dims.length > x.length) return `a constant of rank ${c.dims.length} against a rank-${x.length} tensor`;
    if (x && c.dims.length === x.length && c.dims[0] !== 1) return 'a constant that varies over the batch axis';
    return undefined;
  },
  convert(node, ctx) {
    const name = ctx.name(node.name || op);
    const constants = node.inputs.map((i) => ctx.constant(i));
    const at = constants.findIndex((c) => c !== undefined);
    if (at >= 0) {
      const dynamic = ctx.value(node.inputs[1 - at]!);
      const x = dynamic.shape.length === 4 ? ctx.asNhwc(dynamic) : ctx.asOnnx(dynamic);
      const c = constantFor(x, constants[at]!);
      const sym = ctx.apply(new OnnxElementwise({ op, constantShape: c.shape, constantFirst: at === 0, name }), x.sym, [c]);
      ctx.set(out(node), { sym, shape: broadcastShape(x.shape, constants[at]!.dims), layout: x.layout });
      return;
    }
    const [a, b] = align(
      ctx,
      node.inputs.map((i) => ctx.value(i)),
    );
    const same = a!.shape.every((d, i) => d === b!.shape[i]);
    const layer = same && op === 'add' ? tf.layers.add({ name }) : same && op === 'mul' ? tf.layers.multiply({ name }) : new OnnxElementwise({ op, name });
    const sym = ctx.apply(layer, [a!.sym, b!.sym]);
    ctx.set(out(node), {
      sym,
      shape: broadcastShape(a!.shape, b!.shape),
      layout: a!.layout,
      nonNegative: op !== 'sub' && a!.nonNegative === true && b!.nonNegative === true,
    });
  },
});

function broadcastShape(a: number[], b: number[]): number[] {
  const rank = Math.max(a.length, b.length);
  const pa = [...new Array<number>(rank - a.length).fill(1), ...a];
  const pb = [...new Array<number>(rank - b.length).fill(1), ...b];
  return pa.map((d, i) => Math.max(d, pb[i]!));
}

export const Add = binary('add');
export const Sub = binary('sub');
export const Mul = binary('mul');
export const Div = binary('div');

/** ONNX `Concat` of tensors along a non-batch axis → tfjs Concatenate (the channel axis is NHWC's last). */
export const Concat: OpConverter = {
  dynamicInputs: 'all',
  check(node, ctx) {
    if (node.inputs.some((name) => ctx.constant(name) !== undefined)) return 'constant operands';
    const shape = ctx.shapeOf(node.inputs[0]!);
    const axis = intAttr(node, 'axis', 1);
    if (shape && (axis < 0 ? axis + shape.length : axis) === 0) return 'concatenation along the batch axis';
    return undefined;
  },
  convert(node, ctx) {
    const values = align(
      ctx,
      node.inputs.map((i) => ctx.value(i)),
    );
    const first = values[0]!;
    const rank = first.shape.length;
    const onnxAxis = intAttr(node, 'axis', 1) < 0 ? intAttr(node, 'axis', 1) + rank : intAttr(node, 'axis', 1);
    const axis = first.layout === 'nhwc' ? NHWC_AXIS[onnxAxis]! : onnxAxis;
    const sym =
      values.length === 1
        ? first.sym
        : ctx.apply(
            tf.layers.concatenate({ axis, name: ctx.name(node.name || 'concat') }),
            values.map((v) => v.sym),
          );
    const shape = [...first.shape];
    shape[onnxAxis] = values.reduce((s, v) => s + v.shape[onnxAxis]!, 0);
    ctx.set(out(node), { sym, shape, layout: first.layout, nonNegative: values.every((v) => v.nonNegative === true) });
  },
};
