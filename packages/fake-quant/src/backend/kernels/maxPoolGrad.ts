import { backend_util, MaxPoolGrad } from '../../tf.js';
import type { KernelBackend, KernelConfig, MaxPoolGradAttrs, TensorInfo } from '../../tf.js';

/**
 * `MaxPoolGrad` as one pass over the pooling windows, replacing the stock kernels (on wasm a
 * per-input-pixel C++ loop that was the most expensive kernel of the reference CNN's training
 * step, ~7 ms of ~24 ms; on cpu a `TensorBuffer.get` loop).
 *
 * For every output (b, y, x) it scans the window row by row, all channels at once, keeps the FIRST
 * strictly greatest value per channel — exactly tfjs' `maxPoolPositions` rule, so ties, NaN
 * (never selected) and all-−∞ windows (no gradient) behave as in the cpu reference — and adds dy
 * to that input position. Overlapping windows accumulate in the same order and precision as the
 * cpu kernel, so the result is bit-identical to it.
 *
 * It also fixes the stock wasm kernel, which starts each window at `numeric_limits<float>::min()`
 * (the smallest POSITIVE float) with `>=`: ties go to the last maximum, and a window whose values
 * are all ≤ 0 routes its gradient to the wrong place or drops it.
 *
 * An elementwise formulation with the backend's kernels (equality mask of x against the upsampled
 * pooled output, first-occurrence priority, masked dy) was measured first: on the reference CNN's
 * 64×26×26×8 activation the wasm backend's broadcasting `Equal` alone costs ~48 ms and `Cast`
 * bool→float ~10 ms, against ~9 ms for the stock kernel. This single pass over the windows costs
 * ~3–4 ms there (reading and writing the wasm heap in place, no copies).
 *
 * Non-float32 inputs go to the original kernel (`original`, whose `setupFunc` is kept).
 */
export function createMaxPoolGradConfig(backendName: string, original?: KernelConfig): KernelConfig {
  return {
    kernelName: MaxPoolGrad,
    backendName,
    ...(original?.setupFunc ? { setupFunc: original.setupFunc } : {}),
    ...(original?.disposeFunc ? { disposeFunc: original.disposeFunc } : {}),
    kernelFunc: (args) => {
      const { dy, input } = args.inputs as { dy: TensorInfo; input: TensorInfo };
      if ((input.dtype !== 'float32' || dy.dtype !== 'float32') && original !== undefined) return original.kernelFunc(args);
      return maxPoolGrad(args.backend as KernelBackend, dy, input, args.attrs as unknown as MaxPoolGradAttrs);
    },
  };
}

/** The wasm backend's direct heap access: no copy in or out of the wasm memory. */
interface HeapBackend {
  makeOutput(shape: number[], dtype: 'float32'): TensorInfo;
  typedArrayFromHeap(info: TensorInfo): Float32Array;
}

function isHeapBackend(backend: object): backend is HeapBackend {
  const candidate = backend as Partial<HeapBackend>;
  return typeof candidate.makeOutput === 'function' && typeof candidate.typedArrayFromHeap === 'function';
}

function maxPoolGrad(backend: KernelBackend, dy: TensorInfo, input: TensorInfo, attrs: MaxPoolGradAttrs): TensorInfo {
  const info = backend_util.computePool2DInfo(
    input.shape as [number, number, number, number],
    attrs.filterSize,
    attrs.strides,
    1,
    attrs.pad,
    attrs.dimRoundingMode,
  );
  const geometry: PoolGeometry = {
    batch: info.batchSize,
    inHeight: info.inHeight,
    inWidth: info.inWidth,
    channels: info.inChannels,
    outHeight: dy.shape[1]!,
    outWidth: dy.shape[2]!,
    strideHeight: info.strideHeight,
    strideWidth: info.strideWidth,
    filterHeight: info.effectiveFilterHeight,
    filterWidth: info.effectiveFilterWidth,
    top: info.padInfo.top,
    left: info.padInfo.left,
  };
  if (isHeapBackend(backend)) {
    // Allocate first: a heap growth would detach views taken before it.
    const out = backend.makeOutput([...input.shape], 'float32');
    route(backend.typedArrayFromHeap(input), backend.typedArrayFromHeap(dy), backend.typedArrayFromHeap(out), geometry);
    return out;
  }
  const dx = new Float32Array(input.shape.reduce((a, b) => a * b, 1));
  route(backend.readSync(input.dataId) as Float32Array, backend.readSync(dy.dataId) as Float32Array, dx, geometry);
  return { dataId: backend.write(dx, input.shape, 'float32'), shape: input.shape, dtype: 'float32' };
}

/**
 * Non-overlapping windows give each input at most one dy, added straight into dx. Overlapping
 * ones sum several: the cpu kernel sums them in float64 and rounds once, so they are summed in a
 * float64 scratch in the same order (by output row, then column) and rounded the same way.
 */
function route(x: Float32Array, dy: Float32Array, dx: Float32Array, g: PoolGeometry): void {
  if (g.strideHeight >= g.filterHeight && g.strideWidth >= g.filterWidth) {
    dx.fill(0);
    routeGradient(x, dy, dx, g);
    return;
  }
  const sums = new Float64Array(dx.length);
  routeGradient(x, dy, sums, g);
  dx.set(sums);
}

interface PoolGeometry {
  readonly batch: number;
  readonly inHeight: number;
  readonly inWidth: number;
  readonly channels: number;
  readonly outHeight: number;
  readonly outWidth: number;
  readonly strideHeight: number;
  readonly strideWidth: number;
  readonly filterHeight: number;
  readonly filterWidth: number;
  readonly top: number;
  readonly left: number;
}

/** Adds dy to the first strict maximum of each window of x, per channel (dx must start at zero). */
function routeGradient(x: Float32Array, dy: Float32Array, dx: Float32Array | Float64Array, g: PoolGeometry): void {
  const { inHeight, inWidth, channels } = g;
  const rowStride = inWidth * channels;
  for (let b = 0; b < g.batch; b++) {
    for (let yr = 0; yr < g.outHeight; yr++) {
      const r0 = yr * g.strideHeight - g.top;
      const rFrom = Math.max(0, r0);
      const rTo = Math.min(inHeight, r0 + g.filterHeight);
      for (let yc = 0; yc < g.outWidth; yc++) {
        const c0 = yc * g.strideWidth - g.left;
        const cFrom = Math.max(0, c0);
        const cTo = Math.min(inWidth, c0 + g.filterWidth);
        const corner = ((b * inHeight + rFrom) * inWidth + cFrom) * channels;
        const dyBase = ((b * g.outHeight + yr) * g.outWidth + yc) * channels;
        for (let d = 0; d < channels; d++) {
          // Row-major scan, strict '>': the first maximum wins; NaN and −∞ are never selected.
          let best = Number.NEGATIVE_INFINITY;
          let at = -1;
          for (let r = rFrom, row = corner + d; r < rTo; r++, row += rowStride) {
            for (let c = cFrom, p = row; c < cTo; c++, p += channels) {
              const v = x[p]!;
              const better = v > best;
              best = better ? v : best;
              at = better ? p : at;
            }
          }
          if (at >= 0) dx[at] = dx[at]! + dy[dyBase + d]!;
        }
      }
    }
  }
}
