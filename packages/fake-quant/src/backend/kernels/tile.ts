import { Tile } from '../../tf.js';
import type { DataType, KernelBackend, KernelConfig, TensorInfo, TileAttrs } from '../../tf.js';

/**
 * `Tile` as block copies: along each axis the output is `reps` copies of one contiguous block, so
 * the innermost rows are copied from the input once and every repetition is a `copyWithin` of
 * what is already written (doubling), i.e. a few memcpys over the output.
 *
 * Why: tfjs' BatchNorm gradient (`FusedBatchNorm`'s dx) tiles 1/σ from [1, 1, 1, C] to the full
 * activation shape, and both stock kernels compute an index per element (the wasm one in C++ with
 * per-element coordinate vectors, the cpu one through `TensorBuffer.indexToLoc`): on the dscnn
 * training step (64×14×14×16 and 64×7×7×{16, 32, 64} activations) the wasm `Tile` alone took
 * ~105 ms of a ~250 ms step. This kernel writes those tensors in well under a millisecond each.
 *
 * Numeric dtypes (float32, int32, bool) only; strings and complex numbers go to the original
 * kernel (`original`, whose `setupFunc` is kept).
 */
export function createTileConfig(backendName: string, original?: KernelConfig): KernelConfig {
  return {
    kernelName: Tile,
    backendName,
    ...(original?.setupFunc ? { setupFunc: original.setupFunc } : {}),
    ...(original?.disposeFunc ? { disposeFunc: original.disposeFunc } : {}),
    kernelFunc: (args) => {
      const { x } = args.inputs as { x: TensorInfo };
      if (!TILED_DTYPES.includes(x.dtype) && original !== undefined) return original.kernelFunc(args);
      return tile(args.backend as KernelBackend, x, (args.attrs as unknown as TileAttrs).reps);
    },
  };
}

const TILED_DTYPES: readonly DataType[] = ['float32', 'int32', 'bool'];

type Values = Float32Array | Int32Array | Uint8Array;

/** The wasm backend's direct heap access: no copy in or out of the wasm memory. */
interface HeapBackend {
  makeOutput(shape: number[], dtype: DataType): TensorInfo;
  typedArrayFromHeap(info: TensorInfo): Values;
}

function isHeapBackend(backend: object): backend is HeapBackend {
  const candidate = backend as Partial<HeapBackend>;
  return typeof candidate.makeOutput === 'function' && typeof candidate.typedArrayFromHeap === 'function';
}

function tile(backend: KernelBackend, x: TensorInfo, reps: readonly number[]): TensorInfo {
  const outShape = x.shape.map((d, i) => d * (reps[i] ?? 1));
  if (isHeapBackend(backend)) {
    // Allocate first: a heap growth would detach views taken before it.
    const out = backend.makeOutput(outShape, x.dtype);
    tileInto(backend.typedArrayFromHeap(x), x.shape, reps, backend.typedArrayFromHeap(out));
    return out;
  }
  const input = backend.readSync(x.dataId) as Values;
  const size = outShape.reduce((a, b) => a * b, 1);
  const out = x.dtype === 'float32' ? new Float32Array(size) : x.dtype === 'int32' ? new Int32Array(size) : new Uint8Array(size);
  tileInto(input, x.shape, reps, out);
  return { dataId: backend.write(out, outShape, x.dtype), shape: outShape, dtype: x.dtype };
}

/** Writes tile(x, reps) into `out` (row-major); `out` must have the tiled size. */
export function tileInto(x: Values, shape: readonly number[], reps: readonly number[], out: Values): void {
  const rank = shape.length;
  if (out.length === 0) return;
  if (rank === 0) {
    out[0] = x[0]!;
    return;
  }
  // outInner[d]: elements of one output slice below axis d (product of the tiled sizes after d).
  const outInner = new Array<number>(rank);
  const inInner = new Array<number>(rank);
  outInner[rank - 1] = 1;
  inInner[rank - 1] = 1;
  for (let d = rank - 2; d >= 0; d--) {
    outInner[d] = outInner[d + 1]! * shape[d + 1]! * reps[d + 1]!;
    inInner[d] = inInner[d + 1]! * shape[d + 1]!;
  }
  const fill = (d: number, inAt: number, outAt: number): void => {
    // One block: the input's extent along d, each element a tiled sub-slice.
    const block = shape[d]! * outInner[d]!;
    if (d === rank - 1) {
      out.set(x.subarray(inAt, inAt + shape[d]!), outAt);
    } else {
      for (let i = 0; i < shape[d]!; i++) fill(d + 1, inAt + i * inInner[d]!, outAt + i * outInner[d]!);
    }
    // The reps along d: copies of that block, doubling the written extent each time.
    const total = block * reps[d]!;
    for (let written = block; written < total; written *= 2) {
      out.copyWithin(outAt + written, outAt, outAt + Math.min(written, total - written));
    }
  };
  fill(0, 0, 0);
}
