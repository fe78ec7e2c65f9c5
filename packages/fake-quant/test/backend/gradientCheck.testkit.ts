/**
 * Shared by the backend's kernel tests (not part of the package API): runs the same computation on
 * several tfjs backends and compares the results.
 */
import * as tf from '../../src/tf.js';
import { expect } from 'vitest';
import { expectClose, randomNormal } from '@quant-trim/test-utils';
import { initTrainingBackend } from '../../src/backend/initTrainingBackend.js';
import { registerTrainingKernels, unregisterTrainingKernels } from '../../src/backend/registerTrainingKernels.js';

/**
 * Where a gradient is computed:
 * - `cpu-stock`: tfjs' own cpu kernels, the reference;
 * - `cpu-ours`: the cpu backend with this package's kernels;
 * - `wasm-ours`: the wasm backend with this package's kernels.
 */
export type Target = 'cpu-stock' | 'cpu-ours' | 'wasm-ours';
export const OURS: readonly Target[] = ['wasm-ours', 'cpu-ours'];

/** Loads wasm with our kernels and enables tfjs' per-kernel leak check (`IS_TEST`). */
export async function setUpBackends(): Promise<void> {
  tf.env().set('IS_TEST', true);
  await initTrainingBackend({ backend: 'wasm' });
  await tf.setBackend('cpu');
  unregisterTrainingKernels('cpu');
}

async function select(target: Target): Promise<void> {
  const backend = target === 'wasm-ours' ? 'wasm' : 'cpu';
  if (target === 'cpu-ours') registerTrainingKernels('cpu');
  if (target === 'cpu-stock') unregisterTrainingKernels('cpu');
  await tf.setBackend(backend);
}

/**
 * Runs `compute` on `target` and returns its outputs as plain arrays. Asserts that no tensor and no
 * backend data buffer outlives the call (our kernels own their intermediates at kernel level, so
 * the backend's own data count is what catches a leak there).
 */
export async function runOn(target: Target, compute: () => tf.Tensor[]): Promise<Float32Array[]> {
  await select(target);
  const tensorsBefore = tf.memory().numTensors;
  const dataBefore = tf.backend().numDataIds();
  const outs = tf.tidy(compute);
  const values = outs.map((t) => t.dataSync() as Float32Array);
  tf.dispose(outs);
  expect(tf.memory().numTensors, `${target}: tensors leaked`).toBe(tensorsBefore);
  expect(tf.backend().numDataIds(), `${target}: backend data leaked`).toBe(dataBefore);
  return values;
}

/**
 * The tolerance of every comparison: |ours − reference| ≤ 1e-4 · (|reference| + max |reference|).
 * Gradients are sums of up to a few thousand float32 products accumulated in a different order
 * (XNNPACK vs tfjs' loops), so a purely element-wise relative bound would trip on entries that
 * cancel to near zero; the max term scales the absolute floor to the tensor's magnitude.
 */
export const RELATIVE_TOLERANCE = 1e-4;

export function expectGradientsClose(actual: readonly Float32Array[], expected: readonly Float32Array[], what: string): void {
  expect(actual.length, `${what}: number of gradients`).toBe(expected.length);
  expected.forEach((e, i) => {
    let scale = 0;
    for (const v of e) scale = Math.max(scale, Math.abs(v));
    expectClose(actual[i]!, e, { atol: RELATIVE_TOLERANCE * scale + 1e-7, rtol: RELATIVE_TOLERANCE, what: `${what} [grad ${i}]` });
  });
}

/** Seeded standard-normal data for a shape. */
export function normal(shape: readonly number[], seed: number): Float32Array {
  return randomNormal(
    shape.reduce((a, b) => a * b, 1),
    1,
    seed,
  );
}

export type Pad = 'same' | 'valid' | number | [[0, 0], [number, number], [number, number], [0, 0]];

export interface ConvCase {
  /** NHWC input shape. */
  readonly x: [number, number, number, number];
  readonly kernel: [number, number];
  /** Output channels (conv2d) or channel multiplier (depthwise). */
  readonly out: number;
  readonly strides: [number, number];
  readonly dilations: [number, number];
  readonly pad: Pad;
  readonly dimRoundingMode?: 'floor' | 'round' | 'ceil';
}

const INPUTS: ReadonlyArray<[number, number, number, number]> = [
  [1, 5, 5, 2],
  [2, 7, 6, 3],
  [3, 12, 9, 1],
  [2, 8, 8, 4],
  [1, 11, 12, 2],
  [3, 9, 10, 3],
];
const KERNELS: ReadonlyArray<[number, number]> = [
  [1, 1],
  [2, 2],
  [3, 3],
  [5, 5],
  [3, 2],
];
const STRIDES: ReadonlyArray<[number, number]> = [
  [1, 1],
  [2, 2],
  [3, 3],
  [2, 1],
];
const PADS: readonly Pad[] = [
  'same',
  'valid',
  1,
  [
    [0, 0],
    [1, 2],
    [2, 0],
    [0, 0],
  ],
  // Wider than kernel − 1: the input gradient must crop dy instead of padding it.
  [
    [0, 0],
    [3, 0],
    [0, 4],
    [0, 0],
  ],
];

/**
 * The grid: every kernel × stride × padding (100 cases), input shapes and output channels /
 * multipliers (1–3) rotating through the list, plus dilation-2 cases (stride 1, as tfjs requires)
 * and `dimRoundingMode` cases.
 */
export function convCases(options: { dilated: boolean }): ConvCase[] {
  const cases: ConvCase[] = [];
  let i = 0;
  for (const kernel of KERNELS) {
    for (const strides of STRIDES) {
      for (const pad of PADS) {
        cases.push({ x: INPUTS[i % INPUTS.length]!, kernel, out: 1 + (i % 3), strides, dilations: [1, 1], pad });
        i++;
      }
    }
  }
  cases.push(
    { x: [2, 7, 8, 2], kernel: [3, 3], out: 2, strides: [2, 2], dilations: [1, 1], pad: 1, dimRoundingMode: 'ceil' },
    {
      x: [1, 10, 9, 3],
      kernel: [2, 3],
      out: 3,
      strides: [3, 2],
      dilations: [1, 1],
      pad: [
        [0, 0],
        [2, 1],
        [1, 2],
        [0, 0],
      ],
      dimRoundingMode: 'round',
    },
    { x: [2, 9, 8, 2], kernel: [3, 3], out: 1, strides: [2, 2], dilations: [1, 1], pad: 2, dimRoundingMode: 'floor' },
  );
  if (options.dilated) {
    for (const kernel of KERNELS) {
      for (const pad of PADS) {
        cases.push({ x: INPUTS[i % INPUTS.length]!, kernel, out: 1 + (i % 3), strides: [1, 1], dilations: [2, 2], pad });
        i++;
      }
    }
    cases.push({ x: [2, 12, 11, 2], kernel: [3, 2], out: 2, strides: [1, 1], dilations: [2, 3], pad: 'same' });
  }
  return cases.filter((c) => {
    // tfjs sizes a numeric pad's output with the HEIGHT's kernel and stride on both axes
    // (getPadAndOutInfo → computeOutputShape2D), so non-square numeric cases are ill-defined
    // upstream (and the stock wasm forward Conv2D writes past its output); explicit pads cover them.
    if (typeof c.pad === 'number' && (c.kernel[0] !== c.kernel[1] || c.strides[0] !== c.strides[1] || c.dilations[0] !== c.dilations[1])) return false;
    const info = tf.backend_util.computeConv2DInfo(c.x, [...c.kernel, c.x[3], c.out], c.strides, c.dilations, c.pad, c.dimRoundingMode);
    return info.outHeight > 0 && info.outWidth > 0;
  });
}

/** The forward output shape of a case (conv2d or depthwise). */
export function outShape(c: ConvCase, depthwise: boolean): [number, number, number, number] {
  return tf.backend_util.computeConv2DInfo(c.x, [...c.kernel, c.x[3], c.out], c.strides, c.dilations, c.pad, c.dimRoundingMode, depthwise).outShape;
}

export function describeCase(c: ConvCase): string {
  const pad = typeof c.pad === 'object' ? `[${c.pad[1].join(',')}|${c.pad[2].join(',')}]` : String(c.pad);
  const rounding = c.dimRoundingMode ? ` ${c.dimRoundingMode}` : '';
  return `x ${c.x.join('x')} k ${c.kernel.join('x')} out ${c.out} s ${c.strides.join(',')} d ${c.dilations.join(',')} pad ${pad}${rounding}`;
}

/**
 * The case the stock cpu reference runs. tfjs' conv gradients drop `dimRoundingMode`, so its
 * stock kernels ignore dy's extra row or column under 'ceil' / 'round'; the equivalent conv with
 * explicit zero padding wide enough for every window (and no rounding mode) has the same output
 * and the true gradients.
 */
export function referenceCase(c: ConvCase, depthwise: boolean): ConvCase {
  if (c.dimRoundingMode === undefined) return c;
  const info = tf.backend_util.computeConv2DInfo(c.x, [...c.kernel, c.x[3], c.out], c.strides, c.dilations, c.pad, c.dimRoundingMode, depthwise);
  const { top, bottom, left, right } = info.padInfo;
  const needBottom = info.strideHeight * (info.outHeight - 1) + info.effectiveFilterHeight - info.inHeight - top;
  const needRight = info.strideWidth * (info.outWidth - 1) + info.effectiveFilterWidth - info.inWidth - left;
  const { dimRoundingMode: _dropped, ...rest } = c;
  return {
    ...rest,
    pad: [
      [0, 0],
      [top, Math.max(bottom, needBottom)],
      [left, Math.max(right, needRight)],
      [0, 0],
    ],
  };
}

/** Zero-inserts a filter's taps (differentiably): a dilated conv is the undilated conv with it. */
function dilateFilter(w: tf.Tensor4D, dilations: [number, number]): tf.Tensor4D {
  const [kh, kw, c, m] = w.shape;
  const [dh, dw] = dilations;
  return w
    .reshape([kh, 1, kw, 1, c, m])
    .pad([
      [0, 0],
      [0, dh - 1],
      [0, 0],
      [0, dw - 1],
      [0, 0],
      [0, 0],
    ])
    .reshape([kh * dh, kw * dw, c, m])
    .slice([0, 0, 0, 0], [dh * (kh - 1) + 1, dw * (kw - 1) + 1, c, m]) as tf.Tensor4D;
}

/**
 * dL/dx or dL/dw of L = Σ depthwiseConv2d(x, w) · r on `target` (x, w, r seeded). tfjs' depthwise
 * gradient rejects dilations > 1, so dilated cases call our kernel directly on `wasm-ours` /
 * `cpu-ours`, and the stock-cpu reference differentiates the undilated conv with the zero-dilated
 * filter (the stock cpu backprop kernels ignore dilations).
 */
export function depthwiseGradient(target: Target, c: ConvCase, seed: number, wrt: 'x' | 'filter'): Promise<Float32Array[]> {
  const wShape: [number, number, number, number] = [c.kernel[0], c.kernel[1], c.x[3], c.out];
  const dyShape = outShape(c, true);
  const dilated = c.dilations[0] > 1 || c.dilations[1] > 1;
  return runOn(target, () => {
    const x = tf.tensor4d(normal(c.x, seed), c.x);
    const w = tf.tensor4d(normal(wShape, seed + 2), wShape);
    const r = tf.tensor4d(normal(dyShape, seed + 1), dyShape);
    if (dilated && target !== 'cpu-stock') {
      const attrs = { strides: c.strides, dilations: c.dilations, pad: c.pad, ...(c.dimRoundingMode ? { dimRoundingMode: c.dimRoundingMode } : {}) };
      const out =
        wrt === 'x'
          ? tf.engine().runKernel('DepthwiseConv2dNativeBackpropInput', { dy: r, filter: w }, { ...attrs, inputShape: c.x })
          : tf.engine().runKernel('DepthwiseConv2dNativeBackpropFilter', { x, dy: r }, { ...attrs, filterShape: wShape });
      return [out as tf.Tensor];
    }
    const forward = (xs: tf.Tensor4D, ws: tf.Tensor4D) =>
      dilated
        ? tf.depthwiseConv2d(xs, dilateFilter(ws, c.dilations), c.strides, c.pad, 'NHWC', 1, c.dimRoundingMode)
        : tf.depthwiseConv2d(xs, ws, c.strides, c.pad, 'NHWC', c.dilations, c.dimRoundingMode);
    if (wrt === 'x') return [tf.grad((xs: tf.Tensor) => tf.sum(tf.mul(forward(xs as tf.Tensor4D, w), r)))(x)];
    return [tf.grad((ws: tf.Tensor) => tf.sum(tf.mul(forward(x, ws as tf.Tensor4D), r)))(w)];
  });
}
