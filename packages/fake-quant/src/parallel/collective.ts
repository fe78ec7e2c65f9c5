import { QuantTrimError } from '@quant-trim/errors';

/** An element-wise reduction over replicas. */
export type ReduceOp = 'sum' | 'min' | 'max';

/**
 * The communication between the replicas of a data-parallel training run: every replica calls
 * the same methods in the same order (each call is a synchronisation point), and every replica
 * gets the same result. Reductions run in rank order, so results do not depend on timing.
 */
export interface Collective {
  /** This replica's index, 0 … size − 1. */
  readonly rank: number;
  /** The number of replicas. */
  readonly size: number;
  /** `values` reduced element-wise over every replica (all replicas pass the same length). */
  allReduce(values: Float32Array, op: ReduceOp): Float32Array;
  /** Every replica's `values` concatenated in rank order (lengths may differ). */
  allGather(values: Float32Array): Float32Array;
}

/** Int32 slots at the start of a collective buffer. */
const COUNT = 0; // replicas arrived at the current barrier
const GENERATION = 1; // barriers completed
const ABORT = 2; // set (non-zero) when a replica failed: the others stop at their next barrier
const LENGTHS = 3; // one length per rank (allGather)
/** Spins before a replica sleeps at a barrier (a futex wait costs tens of microseconds). */
const SPINS = 4000;

/** The layout of a collective buffer: Int32 control words, then one Float32 slot per replica. */
function layout(size: number): { controlBytes: number } {
  // Control words padded to a multiple of 16 bytes so the Float32 slots are aligned.
  return { controlBytes: Math.ceil(((LENGTHS + size) * 4) / 16) * 16 };
}

/**
 * A `SharedArrayBuffer` for `sharedMemoryCollective`, for `size` replicas exchanging at most
 * `slotFloats` values at a time each (longer arrays go in chunks). Pass the same buffer to every
 * replica (a `Worker`'s `workerData`, or `postMessage` to a Web Worker).
 */
export function createCollectiveBuffer(size: number, slotFloats = 1 << 18): SharedArrayBuffer {
  if (!Number.isInteger(size) || size < 1)
    throw new QuantTrimError({
      code: 'QT_INVALID_ARGUMENT',
      message: `createCollectiveBuffer: size must be an integer ≥ 1, got ${size}`,
      details: { field: 'size' },
    });
  if (!Number.isInteger(slotFloats) || slotFloats < 1)
    throw new QuantTrimError({
      code: 'QT_INVALID_ARGUMENT',
      message: `createCollectiveBuffer: slotFloats must be an integer ≥ 1, got ${slotFloats}`,
      details: { field: 'slotFloats' },
    });
  return new SharedArrayBuffer(layout(size).controlBytes + size * slotFloats * 4);
}

/**
 * Marks a collective buffer as failed: every replica waiting at (or reaching) a synchronisation
 * point throws `QT_WORKER_FAILED`. Called by whoever runs the replicas when one of them fails.
 */
export function abortCollective(buffer: SharedArrayBuffer): void {
  const control = new Int32Array(buffer, 0, LENGTHS);
  Atomics.store(control, ABORT, 1);
  Atomics.notify(control, GENERATION);
}

/**
 * A `Collective` over shared memory for replicas running in threads of one process (Node
 * `worker_threads`, or Web Workers in a cross-origin-isolated page). Each call copies this
 * replica's values into its slot, waits at a barrier, reads every slot, and waits again before
 * the slots are reused. Blocking waits use `Atomics.wait`, so call it from a worker thread (the
 * browser's main thread may not block). Throws `QT_WORKER_FAILED` once the buffer is aborted.
 */
export function sharedMemoryCollective(buffer: SharedArrayBuffer, rank: number, size: number): Collective {
  const { controlBytes } = layout(size);
  const slotFloats = (buffer.byteLength - controlBytes) / 4 / size;
  if (!Number.isInteger(slotFloats) || slotFloats < 1)
    throw new QuantTrimError({
      code: 'QT_INVALID_ARGUMENT',
      message: `sharedMemoryCollective: the buffer (${buffer.byteLength} bytes) was not made by createCollectiveBuffer(${size})`,
      details: { field: 'buffer' },
    });
  if (!Number.isInteger(rank) || rank < 0 || rank >= size)
    throw new QuantTrimError({
      code: 'QT_INVALID_ARGUMENT',
      message: `sharedMemoryCollective: rank must be in [0, ${size}), got ${rank}`,
      details: { field: 'rank' },
    });
  const control = new Int32Array(buffer, 0, LENGTHS + size);
  const slots = Array.from({ length: size }, (_, r) => new Float32Array(buffer, controlBytes + r * slotFloats * 4, slotFloats));

  const failed = (): QuantTrimError =>
    new QuantTrimError({ code: 'QT_WORKER_FAILED', message: `replica ${rank}: another replica of this data-parallel run failed; stopping` });

  function barrier(): void {
    const generation = Atomics.load(control, GENERATION);
    if (Atomics.load(control, ABORT) !== 0) throw failed();
    if (Atomics.add(control, COUNT, 1) === size - 1) {
      Atomics.store(control, COUNT, 0);
      Atomics.add(control, GENERATION, 1);
      Atomics.notify(control, GENERATION);
      return;
    }
    for (let i = 0; i < SPINS && Atomics.load(control, GENERATION) === generation; i++);
    while (Atomics.load(control, GENERATION) === generation) {
      if (Atomics.load(control, ABORT) !== 0) throw failed();
      // A bounded wait, so an abort is seen even if its notify came first.
      Atomics.wait(control, GENERATION, generation, 200);
    }
  }

  const reducers: Record<ReduceOp, (a: number, b: number) => number> = {
    sum: (a, b) => a + b,
    min: (a, b) => (a < b || Number.isNaN(a) ? a : b),
    max: (a, b) => (a > b || Number.isNaN(a) ? a : b),
  };

  return {
    rank,
    size,
    allReduce(values, op) {
      const out = new Float32Array(values.length);
      const reduce = reducers[op];
      // Every replica passes the same length, so every replica runs the same number of chunks.
      for (let start = 0; start < values.length; start += slotFloats) {
        const n = Math.min(slotFloats, values.length - start);
        slots[rank]!.set(values.subarray(start, start + n));
        barrier();
        for (let i = 0; i < n; i++) {
          let acc = slots[0]![i]!;
          for (let r = 1; r < size; r++) acc = reduce(acc, slots[r]![i]!);
          out[start + i] = acc;
        }
        barrier();
      }
      return out;
    },
    allGather(values) {
      Atomics.store(control, LENGTHS + rank, values.length);
      barrier();
      const lengths = Array.from({ length: size }, (_, r) => Atomics.load(control, LENGTHS + r));
      barrier();
      const offsets = lengths.map((_, r) => lengths.slice(0, r).reduce((a, b) => a + b, 0));
      const out = new Float32Array(lengths.reduce((a, b) => a + b, 0));
      const longest = Math.max(...lengths);
      for (let start = 0; start < longest; start += slotFloats) {
        const mine = Math.max(0, Math.min(slotFloats, values.length - start));
        if (mine > 0) slots[rank]!.set(values.subarray(start, start + mine));
        barrier();
        for (let r = 0; r < size; r++) {
          const n = Math.max(0, Math.min(slotFloats, lengths[r]! - start));
          if (n > 0) out.set(slots[r]!.subarray(0, n), offsets[r]! + start);
        }
        barrier();
      }
      return out;
    },
  };
}
