import type { OnnxNode } from '@quant-trim/onnx-export';
import type { ImportContext, Value } from '../build/ImportContext.js';
import { NHWC_AXIS } from '../build/layout.js';
import { numbers } from '../graph/constants.js';
import { OnnxSlice } from '../layers/OnnxSlice.js';
import { intAttr, intsAttr } from './attributes.js';
import type { OpConverter } from './types.js';

/** One [start, end) range per sliced ONNX axis (resolved against `shape`), or a reason. */
type Ranges = Map<number, [number, number]> | string;

function sliceRanges(node: OnnxNode, ctx: ImportContext, shape: number[]): Ranges {
  const at = (i: number) => (ctx.constant(node.inputs[i]) ? numbers(ctx.constant(node.inputs[i])!) : undefined);
  const starts = ctx.opset >= 10 ? at(1) : intsAttr(node, 'starts');
  const ends = ctx.opset >= 10 ? at(2) : intsAttr(node, 'ends');
  const axes = ctx.opset >= 10 ? at(3) : intsAttr(node, 'axes');
  const steps = ctx.opset >= 10 ? at(4) : undefined;
  if (!starts || !ends) return 'starts / ends that are not constants';
  if (steps?.some((s) => s !== 1)) return `steps [${steps.join(', ')}] (only 1)`;
  const ranges = new Map<number, [number, number]>();
  for (let k = 0; k < starts.length; k++) {
    const a0 = axes?.[k] ?? k;
    const axis = a0 < 0 ? a0 + shape.length : a0;
    const dim = shape[axis]!;
    const clamp = (v: number) => Math.min(Math.max(v < 0 ? v + dim : v, 0), dim);
    const range: [number, number] = [clamp(starts[k]!), clamp(ends[k]!)];
    if (range[0] === 0 && range[1] === dim) continue;
    if (axis === 0) return 'slicing the batch axis';
    if (range[1] <= range[0]) return `an empty slice of axis ${axis}`;
    ranges.set(axis, range);
  }
  return ranges;
}

function splitRanges(node: OnnxNode, ctx: ImportContext, shape: number[]): { axis: number; parts: [number, number][] } | string {
  const a0 = intAttr(node, 'axis', 0);
  const axis = a0 < 0 ? a0 + shape.length : a0;
  if (axis === 0) return 'splitting the batch axis';
  const given = ctx.opset >= 13 ? (ctx.constant(node.inputs[1]) ? numbers(ctx.constant(node.inputs[1])!) : undefined) : intsAttr(node, 'split');
  if (ctx.opset >= 13 && node.inputs[1] && given === undefined) return 'split sizes that are not constants';
  const n = node.outputs.length;
  const dim = shape[axis]!;
  const sizes = given ?? new Array<number>(n).fill(Math.ceil(dim / n)).map((s, i) => (i === n - 1 ? dim - s * (n - 1) : s));
  const parts: [number, number][] = [];
  let start = 0;
  for (const s of sizes) parts.push([start, (start += s)]);
  return { axis, parts };
}

/** Applies one contiguous slice (ONNX axis → range) to `x` in its layout. */
function slice(ctx: ImportContext, x: Value, ranges: Map<number, [number, number]>, name: string): Value {
  const rank = x.shape.length;
  const begin = new Array<number>(rank).fill(0);
  const size = new Array<number>(rank).fill(-1);
  const shape = [...x.shape];
  for (const [axis, [s, e]] of ranges) {
    const tfAxis = x.layout === 'nhwc' ? NHWC_AXIS[axis]! : axis;
    begin[tfAxis] = s;
    size[tfAxis] = e - s;
    shape[axis] = e - s;
  }
  return { ...x, shape, sym: ctx.apply(new OnnxSlice({ begin, size, name: ctx.name(name) }), x.sym) };
}

const inLayout = (ctx: ImportContext, v: Value) => (v.layout === 'nhwc' || v.layout === 'onnx' ? v : ctx.asOnnx(v));

/** ONNX `Slice` of a tensor with constant starts / ends / axes and step 1, along non-batch axes. */
export const Slice: OpConverter = {
  check(node, ctx) {
    const shape = ctx.shapeOf(node.inputs[0]!);
    if (shape === undefined) return 'an input without a static shape';
    const r = sliceRanges(node, ctx, shape);
    return typeof r === 'string' ? r : undefined;
  },
  convert(node, ctx) {
    const x = inLayout(ctx, ctx.value(node.inputs[0]!));
    const ranges = sliceRanges(node, ctx, x.shape) as Map<number, [number, number]>;
    ctx.set(node.outputs[0]!, ranges.size === 0 ? x : slice(ctx, x, ranges, node.name || 'slice'));
  },
};

/** ONNX `Split` along a non-batch axis: one slice layer per output. */
export const Split: OpConverter = {
  check(node, ctx) {
    const shape = ctx.shapeOf(node.inputs[0]!);
    if (shape === undefined) return 'an input without a static shape';
    const r = splitRanges(node, ctx, shape);
    return typeof r === 'string' ? r : undefined;
  },
  convert(node, ctx) {
    const x = inLayout(ctx, ctx.value(node.inputs[0]!));
    const { axis, parts } = splitRanges(node, ctx, x.shape) as { axis: number; parts: [number, number][] };
    node.outputs.forEach((o, i) => {
      if (o !== '') ctx.set(o, slice(ctx, x, new Map([[axis, parts[i]!]]), `${node.name || 'split'}_${i}`));
    });
  },
};
