import * as tf from '@tensorflow/tfjs';
import type { ImportContext, Value } from '../build/ImportContext.js';
import { transposeData } from '../build/layout.js';
import { floats } from '../graph/constants.js';
import { OnnxGroupedConv2D } from '../layers/OnnxGroupedConv2D.js';
import { intAttr, intsAttr, out } from './attributes.js';
import { foldInto, takeFoldableBatchNorm } from './batchNormParams.js';
import { type Window, isSame, noPads, padding2d, windowOf } from './spatial.js';
import type { OpConverter } from './types.js';

const hwOf = (shape: number[] | undefined): [number, number] | undefined => (shape && shape.length === 4 ? [shape[2]!, shape[3]!] : undefined);

/** NHWC `x` padded by ONNX pads with zeros (a ZeroPadding2D layer, which exports back as Pad). */
export function zeroPad(ctx: ImportContext, x: Value, pads: readonly number[], base: string): Value {
  const sym = ctx.apply(tf.layers.zeroPadding2d({ padding: padding2d(pads), name: ctx.name(`${base}_pad`) }), x.sym);
  const [n, c, h, w] = x.shape as [number, number, number, number];
  return { ...x, sym, shape: [n, c, h + pads[0]! + pads[2]!, w + pads[1]! + pads[3]!] };
}

/** ONNX shape of an NHWC tfjs output, with the batch size of `like`. */
export const nchwShape = (sym: tf.SymbolicTensor, like: Value): number[] => [like.shape[0]!, sym.shape[3]!, sym.shape[1]!, sym.shape[2]!];

/** ONNX `Conv` → Conv2D, DepthwiseConv2D (group = channels) or a grouped conv layer; pads TensorFlow's 'same' cannot express become a ZeroPadding2D. */
export const Conv: OpConverter = {
  check(node, ctx) {
    const w = ctx.constant(node.inputs[1]);
    if (w === undefined) return 'the weight is not a constant';
    if (w.dims.length !== 4) return `only 2-D convolutions (weight of rank ${w.dims.length})`;
    const window = windowOf(node, intsAttr(node, 'kernel_shape') ?? w.dims.slice(2), hwOf(ctx.shapeOf(node.inputs[0]!)));
    if (typeof window === 'string') return window;
    if (window.strides.some((s) => s > 1) && window.dilations.some((d) => d > 1))
      return 'strides > 1 together with dilations > 1 (tfjs convolutions support one or the other)';
    return undefined;
  },
  convert(node, ctx) {
    const x0 = ctx.asNhwc(ctx.value(node.inputs[0]!));
    const w = ctx.constant(node.inputs[1])!;
    const [cout, cinGroup, kh, kw] = w.dims as [number, number, number, number];
    const group = intAttr(node, 'group', 1);
    const cin = cinGroup * group;
    const window = windowOf(node, [kh, kw], [x0.shape[2]!, x0.shape[3]!]) as Window;
    const depthwise = group > 1 && group === cin;
    const bias = node.inputs[2] ? Float32Array.from(floats(ctx.constant(node.inputs[2])!)) : new Float32Array(cout);
    // tfjs kernels: Conv2D [kh, kw, cin, cout]; DepthwiseConv2D [kh, kw, C, m] (output c·m + j, as ONNX orders groups).
    const kernel = depthwise
      ? transposeData(floats(w), [group, cout / group, kh, kw], [2, 3, 0, 1])
      : transposeData(floats(w), [cout, cinGroup, kh, kw], [2, 3, 1, 0]);
    const fold = takeFoldableBatchNorm(ctx, out(node));
    if (fold) foldInto(kernel, bias, fold);
    const useBias = node.inputs[2] !== undefined && node.inputs[2] !== '' ? true : fold !== undefined;
    const same = !noPads(window) && (group === 1 || depthwise) && isSame(window, [x0.shape[2]!, x0.shape[3]!]);
    const x = noPads(window) || same ? x0 : zeroPad(ctx, x0, window.pads, node.name || node.opType);
    const padding = same ? 'same' : 'valid';
    const name = ctx.name(node.name || 'conv');
    const common = {
      kernelSize: [kh, kw] as [number, number],
      strides: window.strides,
      dilationRate: window.dilations,
      padding: padding as 'same' | 'valid',
      useBias,
      name,
    };
    const weights = [
      { data: kernel, shape: depthwise ? [kh, kw, group, cout / group] : [kh, kw, cinGroup, cout] },
      ...(useBias ? [{ data: bias, shape: [cout] }] : []),
    ];
    const layer = depthwise
      ? tf.layers.depthwiseConv2d({ ...common, depthMultiplier: cout / group })
      : group === 1
        ? tf.layers.conv2d({ ...common, filters: cout })
        : new OnnxGroupedConv2D({ filters: cout, kernelSize: [kh, kw], strides: window.strides, dilationRate: window.dilations, groups: group, useBias, name });
    const sym = ctx.apply(layer, x.sym, weights);
    ctx.set(fold?.output ?? out(node), { sym, shape: nchwShape(sym, x), layout: 'nhwc' });
  },
};

/** ONNX `ConvTranspose` (group 1, no dilation) → Conv2DTranspose ('valid') plus a Cropping2D for pads. */
export const ConvTranspose: OpConverter = {
  check(node, ctx) {
    const w = ctx.constant(node.inputs[1]);
    if (w === undefined) return 'the weight is not a constant';
    if (w.dims.length !== 4) return `only 2-D transposed convolutions (weight of rank ${w.dims.length})`;
    if (intAttr(node, 'group', 1) !== 1) return 'group > 1';
    if ((intsAttr(node, 'dilations') ?? [1, 1]).some((d) => d !== 1)) return 'dilations > 1';
    if (intsAttr(node, 'output_shape') !== undefined) return 'output_shape (give pads and output_padding)';
    const autoPad = node.attributes['auto_pad'];
    if (autoPad?.type === 'string' && autoPad.value !== 'NOTSET' && autoPad.value !== 'VALID') return `auto_pad ${autoPad.value}`;
    const pads = intsAttr(node, 'pads') ?? [0, 0, 0, 0];
    if (pads.some((p) => p < 0)) return 'negative pads';
    const strides = intsAttr(node, 'strides') ?? [1, 1];
    const outputPadding = intsAttr(node, 'output_padding') ?? [0, 0];
    // A 'valid' tfjs transposed conv yields max(s − k, 0) rows beyond ONNX's unpadded output: output_padding must fit in those and the end pads.
    for (let d = 0; d < 2; d++)
      if (outputPadding[d]! > pads[d + 2]! + Math.max(strides[d]! - w.dims[2 + d]!, 0)) return `output_padding ${outputPadding[d]} exceeds the end pad`;
    return undefined;
  },
  convert(node, ctx) {
    const x = ctx.asNhwc(ctx.value(node.inputs[0]!));
    const w = ctx.constant(node.inputs[1])!;
    const [cin, cout, kh, kw] = w.dims as [number, number, number, number];
    const strides = (intsAttr(node, 'strides') ?? [1, 1]) as [number, number];
    const autoPad = node.attributes['auto_pad'];
    const pads = autoPad?.type === 'string' && autoPad.value === 'VALID' ? [0, 0, 0, 0] : (intsAttr(node, 'pads') ?? [0, 0, 0, 0]);
    const outputPadding = intsAttr(node, 'output_padding') ?? [0, 0];
    const useBias = node.inputs[2] !== undefined && node.inputs[2] !== '';
    const name = ctx.name(node.name || 'conv_transpose');
    // tfjs kernel [kh, kw, out, in] holds ONNX W[in, out, kh, kw] unflipped (both are the input gradient of a conv).
    const kernel = transposeData(floats(w), [cin, cout, kh, kw], [2, 3, 1, 0]);
    const layer = tf.layers.conv2dTranspose({ filters: cout, kernelSize: [kh, kw], strides, padding: 'valid', useBias, name });
    let sym = ctx.apply(layer, x.sym, [
      { data: kernel, shape: [kh, kw, cout, cin] },
      ...(useBias ? [{ data: floats(ctx.constant(node.inputs[2])!), shape: [cout] }] : []),
    ]);
    const crop: number[] = [];
    for (let d = 0; d < 2; d++) {
      const size = x.shape[2 + d]!;
      const k = d === 0 ? kh : kw;
      const wanted = strides[d]! * (size - 1) + outputPadding[d]! + k - pads[d]! - pads[d + 2]!;
      crop.push(pads[d]!, sym.shape[1 + d]! - pads[d]! - wanted);
    }
    if (crop.some((c) => c > 0))
      sym = ctx.apply(
        tf.layers.cropping2D({
          cropping: [
            [crop[0]!, crop[1]!],
            [crop[2]!, crop[3]!],
          ],
          name: ctx.name(`${name}_crop`),
        }),
        sym,
      );
    ctx.set(out(node), { sym, shape: nchwShape(sym, x), layout: 'nhwc' });
  },
};
