import type { TensorInfo } from '../../tf.js';
import type { ConvAxis, ConvGeometry } from './convGeometry.js';
import type { KernelScope } from './KernelScope.js';

/**
 * The input gradient of a (depthwise) convolution, as one forward convolution of the backend.
 *
 * - `conv`: filter (kh, kw, Cin, Cout), dy (N, Ho, Wo, Cout) → dx (N, H, W, Cin).
 * - `depthwise`: filter (kh, kw, C, 1), dy (N, Ho, Wo, C) → dx (N, H, W, C) (channel multipliers
 *   are folded into C by the caller).
 *
 * Stride 1 (any dilation d): dx[p] = Σ_a dy[p + pt − d·a] · w[a] is a full correlation of dy with
 * the spatially flipped filter (channel axes swapped for `conv`), dilated by d, after padding dy
 * by d·(k − 1) − pt before and what makes the output H long after (negative pads crop).
 *
 * Stride s > 1 (dilation 1), by sub-pixel decomposition instead of zero-inserting s − 1 zeros
 * between the rows of dy, which would waste s² of the work: write p + pt = s·u + r. Only taps
 * a ≡ r (mod s) reach phase r, so dx[s·u + r − pt] = Σ_m dy[u − m] · w[s·m + r], a stride-1
 * correlation of dy with the sub-filter w_r (M = ⌈k/s⌉ taps, zero-padded). All s_h·s_w phases
 * share dy, so their flipped sub-filters are stacked along the output channels of ONE conv
 * (depth-to-space layout), whose output is then interleaved back into rows and columns and
 * cropped to the H × W window starting at pt − s·⌊pt/s⌋.
 */
export function inputGradient(s: KernelScope, dy: TensorInfo, filter: TensorInfo, g: ConvGeometry, kind: 'conv' | 'depthwise'): TensorInfo {
  const [kh, kw, inC, outC] = filter.shape as [number, number, number, number];
  const n = g.batch;
  const conv = (x: TensorInfo, f: TensorInfo, dilations: readonly [number, number], pads: readonly [number, number, number, number]) =>
    kind === 'conv' ? s.conv2d(x, f, { strides: [1, 1], dilations, pads }) : s.depthwiseConv2d(x, f, { strides: [1, 1], dilations, pads });

  if (g.height.stride === 1 && g.width.stride === 1) {
    const flipped = s.reverse(filter, [0, 1]);
    const f = kind === 'conv' ? s.transpose(flipped, [0, 1, 3, 2]) : flipped;
    const [top, bottom] = fullCorrelationPads(g.height);
    const [left, right] = fullCorrelationPads(g.width);
    return conv(dy, f, [g.height.dilation, g.width.dilation], [top, bottom, left, right]);
  }

  const sh = g.height.stride;
  const sw = g.width.stride;
  const ph = subPixelPhases(g.height);
  const pw = subPixelPhases(g.width);
  const channels = kind === 'conv' ? inC : inC * outC;
  // Sub-filters: w[s·m + r] for m < M, zero-padded to M·s taps, flipped over m.
  const padded = s.padEnd(filter, [ph.taps * sh - kh, pw.taps * sw - kw, 0, 0]);
  let f: TensorInfo;
  if (kind === 'conv') {
    const split = s.reshape(padded, [ph.taps, sh, pw.taps, sw, inC, outC]);
    const flipped = s.reverse(split, [0, 2]);
    // (Mh, Mw, Cout, sh, sw, Cin): output channel (rh·sw + rw)·Cin + c.
    f = s.reshape(s.transpose(flipped, [0, 2, 5, 1, 3, 4]), [ph.taps, pw.taps, outC, sh * sw * inC]);
  } else {
    const split = s.reshape(padded, [ph.taps, sh, pw.taps, sw, inC]);
    const flipped = s.reverse(split, [0, 2]);
    // (Mh, Mw, C, sh, sw): channel multiplier index rh·sw + rw.
    f = s.reshape(s.transpose(flipped, [0, 2, 4, 1, 3]), [ph.taps, pw.taps, inC, sh * sw]);
  }
  const phases = conv(dy, f, [1, 1], [ph.before, ph.after, pw.before, pw.after]);
  const perm = kind === 'conv' ? [0, 1, 3, 2, 4, 5] : [0, 1, 4, 2, 5, 3];
  const split = kind === 'conv' ? [n, ph.count, pw.count, sh, sw, channels] : [n, ph.count, pw.count, channels, sh, sw];
  const interleaved = s.reshape(s.transpose(s.reshape(phases, split), perm), [n, ph.count * sh, pw.count * sw, channels]);
  return s.slice(interleaved, [0, ph.offset, pw.offset, 0], [n, g.height.size, g.width.size, channels]);
}

/** Pads of dy for the stride-1 full correlation: dilation·(k − 1) − padBefore before, the rest after. */
function fullCorrelationPads(axis: ConvAxis): [number, number] {
  const reach = axis.dilation * (axis.kernel - 1);
  const before = reach - axis.padBefore;
  return [before, axis.size + reach - axis.outSize - before];
}

interface SubPixelPhases {
  /** Taps per sub-filter, ⌈k/s⌉. */
  readonly taps: number;
  /** Output rows per phase: u from ⌊pt/s⌋ to ⌊(pt + H − 1)/s⌋. */
  readonly count: number;
  /** Pads of dy before and after (negative crops). */
  readonly before: number;
  readonly after: number;
  /** Offset of dx's first row in the interleaved output. */
  readonly offset: number;
}

function subPixelPhases(axis: ConvAxis): SubPixelPhases {
  const { stride, padBefore, size, outSize } = axis;
  const taps = Math.ceil(axis.kernel / stride);
  const first = Math.floor(padBefore / stride);
  const count = Math.floor((padBefore + size - 1) / stride) - first + 1;
  return { taps, count, before: taps - 1 - first, after: count - outSize + first, offset: padBefore - stride * first };
}
