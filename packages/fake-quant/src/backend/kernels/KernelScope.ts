import { getKernel } from '../../tf.js';
import type { KernelBackend, NamedAttrMap, NamedTensorInfoMap, TensorInfo } from '../../tf.js';
import { QuantTrimError } from '@quant-trim/errors';

/** Explicit NHWC padding as the tfjs conv kernels take it: `[[0, 0], [top, bottom], [left, right], [0, 0]]`. */
export type ExplicitPad = [[number, number], [number, number], [number, number], [number, number]];

export interface ConvOptions {
  readonly strides: readonly [number, number];
  readonly dilations: readonly [number, number];
  /** Top, bottom, left, right. Negative values crop the input instead of padding it. */
  readonly pads: readonly [number, number, number, number];
}

/**
 * Runs a backend's own kernels directly, the way tfjs' composite kernels do (`tfjs-backend-cpu`'s
 * `fusedConv2D` calling `conv2D`, `add`, ...), and owns every intermediate they return.
 *
 * Why not `tf.*` ops inside a kernel: an input `TensorInfo` wrapped into a `Tensor` by the engine
 * would give back a reference the engine never took, and every nested op would show up in
 * `tf.profile` and in the engine's leak check. Kernel-level calls bypass the engine entirely: the
 * only bookkeeping is the backend's per-`dataId` reference count, which `KernelScope.run` settles.
 *
 * Inputs handed to the composite kernel are never disposed; every intermediate is, except the one
 * the body returns, which becomes the caller's output.
 */
export class KernelScope {
  private readonly intermediates: TensorInfo[] = [];

  private constructor(
    private readonly backend: KernelBackend,
    private readonly backendName: string,
  ) {}

  /**
   * Runs `body` with a fresh scope and returns its result as an output owned by the caller; every
   * other intermediate is released, also when `body` throws.
   */
  static run(backend: KernelBackend, backendName: string, body: (scope: KernelScope) => TensorInfo): TensorInfo {
    const scope = new KernelScope(backend, backendName);
    try {
      const out = body(scope);
      const at = scope.intermediates.indexOf(out);
      // The output must own its data: an input passed straight through gets its own reference.
      if (at < 0) return scope.kernel('Identity', { x: out }, {}, false);
      scope.intermediates.splice(at, 1);
      return out;
    } finally {
      for (const info of scope.intermediates) backend.disposeData(info.dataId);
    }
  }

  /** Runs the registered kernel `name` of this scope's backend; the result is disposed with the scope. */
  kernel(name: string, inputs: NamedTensorInfoMap, attrs: NamedAttrMap = {}, track = true): TensorInfo {
    const config = getKernel(name, this.backendName) as ReturnType<typeof getKernel> | undefined;
    if (config === undefined) {
      throw new QuantTrimError({
        code: 'QT_INVALID_ARGUMENT',
        message: `training kernels need the '${name}' kernel, which backend '${this.backendName}' does not register`,
        details: { kernel: name, backend: this.backendName },
      });
    }
    const out = config.kernelFunc({ inputs, backend: this.backend, attrs });
    if (Array.isArray(out)) {
      throw new QuantTrimError({ code: 'QT_INVALID_ARGUMENT', message: `kernel '${name}' returned ${out.length} outputs, expected one` });
    }
    if (track) this.intermediates.push(out);
    return out;
  }

  reshape(x: TensorInfo, shape: readonly number[]): TensorInfo {
    if (sameShape(x.shape, shape)) return x;
    return this.kernel('Reshape', { x }, { shape: [...shape] });
  }

  transpose(x: TensorInfo, perm: readonly number[]): TensorInfo {
    if (perm.every((axis, i) => axis === i)) return x;
    return this.kernel('Transpose', { x }, { perm: [...perm] });
  }

  /** Reverses `dims`; axes of size 1 are skipped (reversing them is a no-op). */
  reverse(x: TensorInfo, dims: readonly number[]): TensorInfo {
    const axes = dims.filter((axis) => (x.shape[axis] ?? 1) > 1);
    if (axes.length === 0) return x;
    return this.kernel('Reverse', { x }, { dims: axes });
  }

  slice(x: TensorInfo, begin: readonly number[], size: readonly number[]): TensorInfo {
    if (begin.every((b) => b === 0) && sameShape(x.shape, size)) return x;
    return this.kernel('Slice', { x }, { begin: [...begin], size: [...size] });
  }

  /** Zero-pads at the end of each axis by `after[axis]` elements. */
  padEnd(x: TensorInfo, after: readonly number[]): TensorInfo {
    if (after.every((a) => a === 0)) return x;
    return this.kernel('PadV2', { x }, { paddings: after.map((a) => [0, a]), constantValue: 0 });
  }

  sum(x: TensorInfo, axis: number): TensorInfo {
    return this.kernel('Sum', { x }, { axis: [axis], keepDims: false });
  }

  /** NHWC `Conv2D` (filter `[kh, kw, in, out]`) with explicit, possibly negative, pads. */
  conv2d(x: TensorInfo, filter: TensorInfo, options: ConvOptions): TensorInfo {
    const [input, pad] = this.cropForPads(x, options.pads);
    return this.kernel('Conv2D', { x: input, filter }, { strides: [...options.strides], dilations: [...options.dilations], pad, dataFormat: 'NHWC' });
  }

  /** NHWC `DepthwiseConv2dNative` (filter `[kh, kw, in, multiplier]`) with explicit, possibly negative, pads. */
  depthwiseConv2d(x: TensorInfo, filter: TensorInfo, options: ConvOptions): TensorInfo {
    const [input, pad] = this.cropForPads(x, options.pads);
    return this.kernel('DepthwiseConv2dNative', { x: input, filter }, { strides: [...options.strides], dilations: [...options.dilations], pad });
  }

  /** Splits pads into a crop of `x` (the negative parts) and the explicit padding the conv applies. */
  private cropForPads(x: TensorInfo, pads: readonly [number, number, number, number]): [TensorInfo, ExplicitPad] {
    const [top, bottom, left, right] = pads;
    const [n, h, w, c] = x.shape as [number, number, number, number];
    const cropTop = Math.max(0, -top);
    const cropLeft = Math.max(0, -left);
    const height = h - cropTop - Math.max(0, -bottom);
    const width = w - cropLeft - Math.max(0, -right);
    const input = this.slice(x, [0, cropTop, cropLeft, 0], [n, height, width, c]);
    const pad: ExplicitPad = [
      [0, 0],
      [Math.max(0, top), Math.max(0, bottom)],
      [Math.max(0, left), Math.max(0, right)],
      [0, 0],
    ];
    return [input, pad];
  }
}

function sameShape(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((d, i) => d === b[i]);
}
