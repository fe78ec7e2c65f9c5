import * as tf from '@tensorflow/tfjs';
import type { OnnxNode } from '@quant-trim/onnx-export';
import { Clamp } from '@quant-trim/fake-quant';
import type { ImportContext, Value } from '../build/ImportContext.js';
import { floats } from '../graph/constants.js';
import { OnnxHardSigmoid } from '../layers/OnnxHardSigmoid.js';
import { OnnxHardSwish } from '../layers/OnnxHardSwish.js';
import { floatAttr, intAttr, out } from './attributes.js';
import type { OpConverter } from './types.js';

/** Applies an element-wise layer in the input's own layout. */
function unary(ctx: ImportContext, node: OnnxNode, layer: tf.layers.Layer, nonNegative: boolean, tensor = out(node)): void {
  const x = ctx.value(node.inputs[0]!);
  ctx.set(tensor, { ...x, sym: ctx.apply(layer, x.sym), nonNegative });
}

const activation = (name: string, nonNegative: boolean): OpConverter => ({
  convert(node, ctx) {
    unary(ctx, node, tf.layers.activation({ activation: name as 'relu', name: ctx.name(node.name || name) }), nonNegative);
  },
});

export const Relu: OpConverter = {
  convert(node, ctx) {
    unary(ctx, node, tf.layers.reLU({ name: ctx.name(node.name || 'relu') }), true);
  },
};

export const Sigmoid = activation('sigmoid', true);
export const Tanh = activation('tanh', false);

/** Clip bounds: inputs 1 and 2 from opset 11 on, attributes before; ±∞ when absent. */
function clipBounds(node: OnnxNode, ctx: ImportContext): { min: number; max: number } {
  if (ctx.opset < 11) return { min: floatAttr(node, 'min', -Infinity), max: floatAttr(node, 'max', Infinity) };
  const bound = (i: number, fallback: number) => {
    const c = ctx.constant(node.inputs[i]);
    return c === undefined ? fallback : floats(c)[0]!;
  };
  return { min: bound(1, -Infinity), max: bound(2, Infinity) };
}

/**
 * ONNX `Clip` → tfjs ReLU (lower bound 0: ReLU6 is `maxValue: 6`, a layer `quantizeModel` fuses and
 * exporters write as Clip), otherwise @quant-trim/fake-quant's Clamp layer.
 */
export const Clip: OpConverter = {
  check(node, ctx) {
    if (ctx.opset >= 11 && node.inputs.slice(1).some((name) => name !== '' && ctx.constant(name) === undefined)) return 'bounds that are not constants';
    return undefined;
  },
  convert(node, ctx) {
    const { min, max } = clipBounds(node, ctx);
    const name = ctx.name(node.name || 'clip');
    const layer =
      min === 0
        ? tf.layers.reLU({ ...(Number.isFinite(max) ? { maxValue: max } : {}), name })
        : new Clamp({ min: Number.isFinite(min) ? min : null, max: Number.isFinite(max) ? max : null, name });
    unary(ctx, node, layer, min >= 0);
  },
};

export const LeakyRelu: OpConverter = {
  convert(node, ctx) {
    unary(ctx, node, tf.layers.leakyReLU({ alpha: floatAttr(node, 'alpha', 0.01), name: ctx.name(node.name || 'leaky_relu') }), false);
  },
};

/** x · HardSigmoid(x; 1/6, 1/2): how PyTorch writes HardSwish before opset 14. */
function hardSwishMul(node: OnnxNode, ctx: ImportContext): OnnxNode | undefined {
  if (Math.abs(floatAttr(node, 'alpha', 0.2) - 1 / 6) > 1e-6 || floatAttr(node, 'beta', 0.5) !== 0.5) return undefined;
  const mul = ctx.soleConsumer(out(node), 'Mul');
  const x = node.inputs[0];
  return mul?.inputs.includes(x!) && mul.inputs.includes(out(node)) ? mul : undefined;
}

/** ONNX `HardSigmoid` → tfjs 'hardSigmoid' (α = 0.2, β = 0.5) or the importer's layer for other α, β; followed by `Mul` with its input, one HardSwish layer. */
export const HardSigmoid: OpConverter = {
  convert(node, ctx) {
    const mul = hardSwishMul(node, ctx);
    if (mul) {
      ctx.absorbed.add(mul);
      unary(ctx, node, new OnnxHardSwish({ name: ctx.name(node.name.replace(/HardSigmoid/g, 'HardSwish') || 'hard_swish') }), false, mul.outputs[0]!);
      return;
    }
    const alpha = floatAttr(node, 'alpha', 0.2);
    const beta = floatAttr(node, 'beta', 0.5);
    const name = ctx.name(node.name || 'hard_sigmoid');
    const layer =
      Math.fround(alpha) === Math.fround(0.2) && beta === 0.5
        ? tf.layers.activation({ activation: 'hardSigmoid', name })
        : new OnnxHardSigmoid({ alpha, beta, name });
    unary(ctx, node, layer, true);
  },
};

export const HardSwish: OpConverter = {
  convert(node, ctx) {
    unary(ctx, node, new OnnxHardSwish({ name: ctx.name(node.name || 'hard_swish') }), false);
  },
};

/** The softmax axis as a tfjs axis of `x`, or undefined when it is not the tfjs channel / last axis. */
function softmaxAxis(node: OnnxNode, ctx: ImportContext, x: Pick<Value, 'shape' | 'layout'>): boolean {
  const rank = x.shape.length;
  const fallback = ctx.opset >= 13 ? -1 : 1;
  const axis = intAttr(node, 'axis', fallback);
  const a = axis < 0 ? axis + rank : axis;
  // Before opset 13 Softmax flattens from `axis`: the same as the last axis only when that is the second of two.
  if (ctx.opset < 13 && !(a === rank - 1)) return false;
  if (rank === 4) return a === 1;
  return a === rank - 1;
}

/** ONNX `Softmax` over the channel axis (rank 4, NHWC's last) or the last axis → tfjs softmax activation. */
export const Softmax: OpConverter = {
  check(node, ctx) {
    const shape = ctx.shapeOf(node.inputs[0]!);
    if (shape === undefined) return undefined;
    return softmaxAxis(node, ctx, { shape, layout: shape.length === 4 ? 'nhwc' : 'onnx' })
      ? undefined
      : `axis ${intAttr(node, 'axis', ctx.opset >= 13 ? -1 : 1)} of a rank-${shape.length} input (only the channel or last axis)`;
  },
  convert(node, ctx) {
    const v = ctx.value(node.inputs[0]!);
    const x = v.shape.length === 4 ? ctx.asNhwc(v) : ctx.asOnnx(v);
    ctx.set(out(node), {
      ...x,
      sym: ctx.apply(tf.layers.activation({ activation: 'softmax', name: ctx.name(node.name || 'softmax') }), x.sym),
      nonNegative: true,
    });
  },
};
