import * as tf from '../tf.js';
import type { QParams, QuantScheme } from '@quant-trim/quant-grid';
import type { GradientMode, TensorQParams } from '../types.js';
import { checkFloat32Tensor, checkScheme, describe, fail } from './checks.js';
import { fakeQuantizeKernel } from './fakeQuantizeKernel.js';
import { resolveQParams, typedToTensors } from './qparamsInput.js';
import { fromView, tensorLayout, toView } from './tensorLayout.js';

/** Options of `fakeQuantize`. */
export interface FakeQuantizeOptions {
  /** Gradient rule (see `GradientMode`). Default `'ste'`. */
  readonly gradient?: GradientMode;
  /**
   * LSQ gradient scale g, multiplying the scale and zero-point gradients in `'lsq'` mode.
   * Default 1/√(n · qmax), n the average number of elements per parameter (LSQ's choice).
   */
  readonly gradScale?: number;
}

const GRADIENT_MODES: readonly GradientMode[] = ['ste', 'clipped-ste', 'lsq'];

/**
 * Fake quantization on the device: the float32 value each element of `x` takes on the integer
 * grid of `scheme`, x̂ = (clamp(R(x / s) + z, qmin, qmax) − z) · s, with a training gradient.
 *
 * The forward pass equals quant-grid's typed-array `fakeQuantize` bit for bit on the cpu and
 * wasm backends, for every granularity, bit width and rounding rule: NaN takes the code qmin,
 * zeros come out +0, ±Infinity clamps. It is a handful of element-wise ops and never reads data
 * back from the device.
 *
 * `qparams` is either quant-grid's `QParams` (typed arrays; validated like quant-grid does) or
 * `TensorQParams` (float32 tensors, validated by shape only):
 * - per-tensor: one value (shape [] or any all-ones shape);
 * - per-channel: [C] (quant-grid's parameter shape) or [1, …, C, …, 1] (broadcastable, rank of x);
 * - per-group: quant-grid's blocked shape, x's shape with ceil(dim / groupSize) at the axis; the
 *   last group may be shorter.
 *
 * Gradients (`options.gradient`, default `'ste'`), with inside = (qmin ≤ R(x/s) + z ≤ qmax):
 * - `'ste'`: dx = dy, nothing to the scale and zero point;
 * - `'clipped-ste'`: dx = dy inside, 0 where x clips (the test is on the rounded code, as
 *   PyTorch's fake_quantize does);
 * - `'lsq'`: dx as clipped STE; ds = g·Σ dy·((q − z) − x/s) inside, g·Σ dy·(qmin − z) or
 *   g·Σ dy·(qmax − z) where clipped (LSQ, Esser et al. 2019); dz = −g·s·Σ dy over the clipped
 *   elements for asymmetric schemes (LSQ+), 0 for symmetric ones. Sums run over each parameter's
 *   elements; g = `options.gradScale` ?? 1/√(numel/count · qmax), LSQ's default (numel/count is
 *   the average number of elements per parameter). Only tensor qparams receive these gradients.
 * The scale and zero point enter the custom gradient as inputs, never captured.
 *
 * @example
 * const scheme = createScheme({ bits: 4, granularity: { kind: 'per-channel', axis: 1 } });
 * const w = tf.randomNormal([16, 8]);
 * const { min, max } = tensorRanges(w, scheme.granularity);
 * const wq = fakeQuantize(w, tensorQParamsFromRange(min, max, scheme), scheme, { gradient: 'clipped-ste' });
 */
export function fakeQuantize(x: tf.Tensor, qparams: TensorQParams | QParams, scheme: QuantScheme, options: FakeQuantizeOptions = {}): tf.Tensor {
  const fn = 'fakeQuantize';
  checkFloat32Tensor(fn, 'x', x);
  checkScheme(fn, scheme);
  if (typeof options !== 'object' || options === null) fail('QT_INVALID_ARGUMENT', fn, 'options', `expected an object, got ${describe(options)}`);
  const gradient = options.gradient ?? 'ste';
  if (!GRADIENT_MODES.includes(gradient))
    fail('QT_INVALID_ARGUMENT', fn, 'options.gradient', `expected one of ${GRADIENT_MODES.join(', ')}, got ${JSON.stringify(gradient)}`);
  const { gradScale } = options;
  if (gradScale !== undefined && !(typeof gradScale === 'number' && gradScale > 0 && Number.isFinite(gradScale))) {
    fail('QT_INVALID_ARGUMENT', fn, 'options.gradScale', `expected a finite number > 0, got ${describe(gradScale)}`);
  }
  const layout = tensorLayout(fn, 'scheme.granularity', x.shape, scheme.granularity);
  const resolved = resolveQParams(fn, qparams, scheme, layout, x.shape);
  const perParam = Math.max(x.size / Math.max(layout.count, 1), 1);
  const kernel = fakeQuantizeKernel({
    qmin: scheme.qmin,
    qmax: scheme.qmax,
    rounding: scheme.rounding,
    symmetric: scheme.symmetric,
    gradient,
    gradScale: gradScale ?? 1 / Math.sqrt(perParam * scheme.qmax),
    learnable: resolved.kind === 'tensor',
    layout,
  });
  return tf.tidy(() => {
    const shape = layout.paramViewShape as number[];
    const { scale, zeroPoint } =
      resolved.kind === 'tensor'
        ? { scale: tf.reshape(resolved.scale, shape), zeroPoint: tf.reshape(resolved.zeroPoint, shape) }
        : typedToTensors(resolved.scale, resolved.zeroPoint, shape);
    return fromView(kernel(toView(x, layout), scale, zeroPoint), layout, x.shape);
  });
}
