import * as tf from '@tensorflow/tfjs';
import type { OnnxNode } from '@quant-trim/onnx-export';
import type { ImportContext } from '../build/ImportContext.js';
import { OnnxConstantPad } from '../layers/OnnxConstantPad.js';
import { intAttr, intsAttr, out } from './attributes.js';
import { nchwShape, zeroPad } from './conv.js';
import { type Window, isSame, noPads, padding2d, windowOf } from './spatial.js';
import type { OpConverter } from './types.js';

function poolWindow(node: OnnxNode, ctx: ImportContext): Window | string {
  const kernel = intsAttr(node, 'kernel_shape');
  if (kernel === undefined) return 'no kernel_shape';
  const shape = ctx.shapeOf(node.inputs[0]!);
  return windowOf(node, kernel, shape && shape.length === 4 ? [shape[2]!, shape[3]!] : undefined);
}

function checkPool(node: OnnxNode, ctx: ImportContext): string | undefined {
  const window = poolWindow(node, ctx);
  if (typeof window === 'string') return window;
  if (window.dilations.some((d) => d !== 1)) return 'dilations > 1';
  if (node.outputs.length > 1 && node.outputs[1] !== '') return 'the Indices output';
  if (intAttr(node, 'storage_order', 0) !== 0) return 'storage_order = 1';
  if (node.opType === 'AveragePool' && !noPads(window)) {
    const shape = ctx.shapeOf(node.inputs[0]!);
    const includePad = intAttr(node, 'count_include_pad', 0) === 1;
    // Excluded padding is TensorFlow's 'same' average; included padding is zero padding then 'valid'. ceil_mode's extra cells are never counted.
    if (!includePad && !(shape && isSame(window, [shape[2]!, shape[3]!])))
      return `pads [${window.pads.join(', ')}] with count_include_pad = 0 that are not TensorFlow's 'same'`;
    if (includePad && intAttr(node, 'ceil_mode', 0) === 1) return 'ceil_mode with count_include_pad = 1';
  }
  return undefined;
}

/**
 * ONNX `MaxPool` / `AveragePool` → tfjs pooling. Pads TensorFlow's 'same' expresses use it;
 * others pad first: zeros for average pools counting padding, and for max pools of non-negative
 * inputs (after Relu), −∞ (a constant pad layer) for max pools of anything else.
 */
function pool(kind: 'max' | 'avg'): OpConverter {
  return {
    check: checkPool,
    convert(node, ctx) {
      const x0 = ctx.asNhwc(ctx.value(node.inputs[0]!));
      const window = poolWindow(node, ctx) as Window;
      const hw: [number, number] = [x0.shape[2]!, x0.shape[3]!];
      const same = !noPads(window) && isSame(window, hw) && (kind === 'max' || intAttr(node, 'count_include_pad', 0) === 0);
      let x = x0;
      if (!noPads(window) && !same) {
        if (kind === 'avg' || x0.nonNegative) x = zeroPad(ctx, x0, window.pads, node.name || 'pool');
        else {
          const sym = ctx.apply(
            new OnnxConstantPad({ padding: padding2d(window.pads), value: -Infinity, name: ctx.name(`${node.name || 'pool'}_pad`) }),
            x0.sym,
          );
          x = { ...x0, sym, shape: [x0.shape[0]!, x0.shape[1]!, hw[0] + window.pads[0] + window.pads[2], hw[1] + window.pads[1] + window.pads[3]] };
        }
      }
      const args = { poolSize: window.kernel, strides: window.strides, padding: same ? 'same' : 'valid', name: ctx.name(node.name || `${kind}_pool`) } as const;
      const layer = kind === 'max' ? tf.layers.maxPooling2d(args) : tf.layers.averagePooling2d(args);
      const sym = ctx.apply(layer, x.sym);
      ctx.set(out(node), { sym, shape: nchwShape(sym, x), layout: 'nhwc', nonNegative: x0.nonNegative === true });
    },
  };
}

export const MaxPool = pool('max');
export const AveragePool = pool('avg');

/** ONNX `GlobalAveragePool` → GlobalAveragePooling2D; the [N, C, 1, 1] result is held as [N, C]. */
export const GlobalAveragePool: OpConverter = {
  convert(node, ctx) {
    const x = ctx.asNhwc(ctx.value(node.inputs[0]!));
    const sym = ctx.apply(tf.layers.globalAveragePooling2d({ name: ctx.name(node.name || 'global_average_pool') }), x.sym);
    ctx.set(out(node), { sym, shape: [x.shape[0]!, x.shape[1]!, 1, 1], layout: 'squeezed', nonNegative: x.nonNegative === true });
  },
};

/** Axes of a ReduceMean (attribute before opset 18, input from 18 on). */
function reduceAxes(node: OnnxNode, ctx: ImportContext): number[] | undefined {
  const fromInput = ctx.constant(node.inputs[1]);
  return fromInput ? Array.from(fromInput.data) : intsAttr(node, 'axes');
}

/** ONNX `ReduceMean` over the spatial axes of an image tensor (`x.mean((2, 3))`) → GlobalAveragePooling2D. */
export const ReduceMean: OpConverter = {
  check(node, ctx) {
    const shape = ctx.shapeOf(node.inputs[0]!);
    const axes = reduceAxes(node, ctx)
      ?.map((a) => (a < 0 ? a + 4 : a))
      .sort();
    if (shape?.length !== 4 || axes?.join(',') !== '2,3')
      return `axes [${reduceAxes(node, ctx)?.join(', ') ?? 'all'}] of a rank-${shape?.length ?? '?'} input (only the spatial axes of an image tensor)`;
    return undefined;
  },
  convert(node, ctx) {
    const x = ctx.asNhwc(ctx.value(node.inputs[0]!));
    const sym = ctx.apply(tf.layers.globalAveragePooling2d({ name: ctx.name(node.name || 'reduce_mean') }), x.sym);
    const keep = intAttr(node, 'keepdims', 1) === 1;
    ctx.set(out(node), {
      sym,
      shape: keep ? [x.shape[0]!, x.shape[1]!, 1, 1] : [x.shape[0]!, x.shape[1]!],
      layout: keep ? 'squeezed' : 'onnx',
      nonNegative: x.nonNegative === true,
    });
  },
};
