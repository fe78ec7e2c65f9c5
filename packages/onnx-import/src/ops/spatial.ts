import type { OnnxNode } from '@quant-trim/onnx-export';
import { intAttr, intsAttr, stringAttr } from './attributes.js';
import { samePads } from '../build/layout.js';

export interface Window {
  kernel: [number, number];
  strides: [number, number];
  dilations: [number, number];
  /** [top, left, bottom, right]. */
  pads: [number, number, number, number];
}

/**
 * Kernel, strides, dilations and explicit pads of a Conv / pool node over an input of spatial size
 * `hw` (auto_pad resolved; `ceil_mode` adds the extra end padding the last window reads).
 */
export function windowOf(node: OnnxNode, kernel: number[], hw: [number, number] | undefined): Window | string {
  if (kernel.length !== 2) return `${kernel.length}-D windows (only 2-D)`;
  const strides = (intsAttr(node, 'strides') ?? [1, 1]) as [number, number];
  const dilations = (intsAttr(node, 'dilations') ?? [1, 1]) as [number, number];
  const autoPad = stringAttr(node, 'auto_pad', 'NOTSET');
  let pads = (intsAttr(node, 'pads') ?? [0, 0, 0, 0]) as [number, number, number, number];
  if (autoPad === 'SAME_UPPER' || autoPad === 'SAME_LOWER') {
    if (hw === undefined) return `auto_pad ${autoPad} needs a static input shape`;
    const p = samePads(hw, kernel, strides, dilations);
    pads = (autoPad === 'SAME_UPPER' ? p : [p[2], p[3], p[0], p[1]]) as [number, number, number, number];
  } else if (autoPad === 'VALID') {
    pads = [0, 0, 0, 0];
  } else if (autoPad !== 'NOTSET') {
    return `auto_pad ${autoPad}`;
  }
  if (pads.some((p) => p < 0)) return `negative pads [${pads.join(', ')}]`;
  if (intAttr(node, 'ceil_mode', 0) === 1) {
    if (hw === undefined) return 'ceil_mode needs a static input shape';
    pads = [...pads] as [number, number, number, number];
    for (let d = 0; d < 2; d++) {
      const span = (kernel[d]! - 1) * dilations[d]! + 1;
      const padded = hw[d]! + pads[d]! + pads[d + 2]!;
      let n = Math.ceil((padded - span) / strides[d]!) + 1;
      // The last window must start inside the input or the start padding (PyTorch's and ONNX Runtime's rule).
      if ((n - 1) * strides[d]! >= hw[d]! + pads[d]!) n--;
      pads[d + 2] = pads[d + 2]! + Math.max((n - 1) * strides[d]! + span - padded, 0);
    }
  }
  return { kernel: kernel as [number, number], strides, dilations, pads };
}

export const noPads = (w: Window): boolean => w.pads.every((p) => p === 0);

/** Whether TensorFlow's 'same' padding puts exactly these pads on an input of size `hw`. */
export function isSame(w: Window, hw: [number, number]): boolean {
  const same = samePads(hw, w.kernel, w.strides, w.dilations);
  return same.every((p, i) => p === w.pads[i]);
}

/** tfjs ZeroPadding2D / Cropping2D form of [top, left, bottom, right]. */
export const padding2d = (p: readonly number[]): [[number, number], [number, number]] => [
  [p[0]!, p[2]!],
  [p[1]!, p[3]!],
];
