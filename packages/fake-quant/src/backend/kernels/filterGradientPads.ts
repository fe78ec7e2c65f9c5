import type { ConvAxis } from './convGeometry.js';

/**
 * Pads (before, after) of the input for a filter-gradient conv along one axis, chosen so that the
 * conv — dy as the filter, dilated by the forward stride and strided by the forward dilation —
 * yields exactly `kernel` taps: the trailing rows the forward conv never read are cropped (a
 * negative `after`) instead of being computed and sliced away.
 */
export function filterGradientPads(axis: ConvAxis): [number, number] {
  const needed = axis.stride * (axis.outSize - 1) + axis.dilation * (axis.kernel - 1) + 1;
  return [axis.padBefore, needed - axis.size - axis.padBefore];
}
