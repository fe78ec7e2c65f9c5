import type { OnnxNode } from '@quant-trim/onnx-export';
import { type ConstTensor, floats, numbers } from '../graph/constants.js';
import { OnnxConstantPad } from '../layers/OnnxConstantPad.js';
import { floatAttr, intsAttr, out, stringAttr } from './attributes.js';
import { zeroPad } from './conv.js';
import type { OpConverter } from './types.js';
import type { ImportContext } from '../build/ImportContext.js';

/** Identity and inference-mode Dropout pass their input through. */
export const Identity: OpConverter = {
  check(node) {
    return node.outputs.length > 1 && node.outputs[1] !== '' ? 'the Dropout mask output' : undefined;
  },
  convert(node, ctx) {
    ctx.set(out(node), ctx.value(node.inputs[0]!));
  },
};

function padsOf(node: OnnxNode, ctx: ImportContext): { pads: number[] | undefined; value: number } {
  if (ctx.opset < 11) return { pads: intsAttr(node, 'pads'), value: floatAttr(node, 'value', 0) };
  const pads = ctx.constant(node.inputs[1]);
  const value: ConstTensor | undefined = ctx.constant(node.inputs[2]);
  return { pads: pads && numbers(pads), value: value ? floats(value)[0]! : 0 };
}

/** ONNX `Pad` (constant mode) of the spatial axes of an image tensor → ZeroPadding2D, or a constant pad layer for other values. */
export const Pad: OpConverter = {
  check(node, ctx) {
    if (stringAttr(node, 'mode', 'constant') !== 'constant') return `mode '${stringAttr(node, 'mode', 'constant')}' (only constant)`;
    if (node.inputs[3]) return 'the axes input';
    const { pads } = padsOf(node, ctx);
    if (pads === undefined) return 'pads that are not constants';
    if (pads.length !== 8) return `${pads.length / 2}-D pads (only rank-4 image tensors)`;
    if (pads.some((p) => p < 0)) return 'negative pads (cropping)';
    if (pads[0] !== 0 || pads[1] !== 0 || pads[4] !== 0 || pads[5] !== 0) return 'padding of the batch or channel axis';
    return undefined;
  },
  convert(node, ctx) {
    const x = ctx.asNhwc(ctx.value(node.inputs[0]!));
    const { pads, value } = padsOf(node, ctx);
    const p = [pads![2]!, pads![3]!, pads![6]!, pads![7]!];
    if (value === 0) return ctx.set(out(node), zeroPad(ctx, x, p, node.name || 'pad'));
    const sym = ctx.apply(
      new OnnxConstantPad({
        padding: [
          [p[0]!, p[2]!],
          [p[1]!, p[3]!],
        ],
        value,
        name: ctx.name(node.name || 'pad'),
      }),
      x.sym,
    );
    ctx.set(out(node), {
      ...x,
      sym,
      shape: [x.shape[0]!, x.shape[1]!, x.shape[2]! + p[0]! + p[2]!, x.shape[3]! + p[1]! + p[3]!],
      nonNegative: x.nonNegative === true && value >= 0,
    });
  },
};
